"""What every probe's command line shares: a subcommand checks one claim,
prints what it saw as JSON on stdout and exits 0, or exits 1 with a one-line
reason on stderr (and what it saw, when it has it, on stdout)."""
import json
import sys


class CheckFailed(Exception):
    """A claim that the real state contradicts; args: the reason, then optionally the report."""


def run(args, failures=()):
    """args.handler(args) -> report. failures: (exception class, function(exception) -> reason)
    pairs for the errors of the probe's own clients, reported like a failed claim."""
    try:
        report = args.handler(args)
    except CheckFailed as exc:
        if len(exc.args) > 1:
            print(json.dumps(exc.args[1], sort_keys=True))
        print("%s: %s" % (args.command, exc.args[0]), file=sys.stderr)
        return 1
    except Exception as exc:  # pylint: disable=broad-exception-caught; re-raised unless `failures` names it
        describe = next((describe for kind, describe in failures if isinstance(exc, kind)), None)
        if describe is None:
            raise
        print("%s: %s" % (args.command, describe(exc)), file=sys.stderr)
        return 1
    print(json.dumps(report, sort_keys=True))
    return 0
