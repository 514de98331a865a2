"""Ask the prod scenario's Prometheus what it scrapes and which alerts fire.

Every subcommand checks one claim through Prometheus's HTTP API, prints what
it saw as JSON on stdout, and exits 1 with a one-line reason on stderr when the
claim does not hold. Waits poll with a deadline. The prod scenario's
verify.yml runs it around the kill of a broker.
"""
import argparse
import calendar
import json
import sys
import time
import urllib.parse
import urllib.request

try:
    from tests.probes.probe_cli import CheckFailed, run
except ImportError:  # run as a script, which finds its neighbour but not the package
    from probe_cli import CheckFailed, run

POLL_SECONDS = 0.5
REQUEST_TIMEOUT = 10


def api(url, path, **params):
    query = ("?" + urllib.parse.urlencode(params)) if params else ""
    with urllib.request.urlopen(url.rstrip("/") + path + query, timeout=REQUEST_TIMEOUT) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise CheckFailed("%s answered %s" % (path, body))
    return body["data"]


def poll(deadline, probe):
    """probe() -> (done, report) until done or the deadline; the last report either way."""
    end = time.monotonic() + deadline
    while True:
        done, report = probe()
        if done or time.monotonic() >= end:
            return done, report
        time.sleep(POLL_SECONDS)


def targets_by_job(active_targets):
    """{job: {instance: health}} of Prometheus's active targets."""
    jobs = {}
    for target in active_targets:
        jobs.setdefault(target["labels"]["job"], {})[target["labels"]["instance"]] = target["health"]
    return jobs


def check_targets(args):
    def probe():
        jobs = targets_by_job(api(args.url, "/api/v1/targets", state="active")["activeTargets"])
        counts = {job: len(instances) for job, instances in jobs.items()}
        down = sorted("%s %s" % (job, instance) for job, instances in jobs.items()
                      for instance, health in instances.items() if health != "up")
        return counts == args.expect and not down, {"targets": jobs, "down": down}

    done, report = poll(args.deadline, probe)
    if not done:
        raise CheckFailed("after %ss, expected every target up with %s per job; saw %s" % (
            args.deadline, args.expect, report), report)
    return report


def alert_name(alert):
    return " ".join(filter(None, (alert["labels"]["alertname"], alert["labels"].get("instance"))))


def matching(alerts, expected):
    """The firing alert that an expectation names, the earliest if several
    match (no instance given: any instance), or None."""
    candidates = [alert for alert in alerts if alert["state"] == "firing"
                  and alert["labels"]["alertname"] == expected["alert"]
                  and expected.get("instance") in (None, alert["labels"].get("instance"))]
    return min(candidates, key=lambda alert: parse_time(alert["activeAt"]), default=None)


def first_true(url, expression, since):
    """The first second since `since` at which a PromQL comparison held, evaluated
    every second (a subquery), or None."""
    window = max(1, int(time.time() - since) + 1)
    result = api(url, "/api/v1/query", query="(%s)[%ds:1s]" % (expression, window))["result"]
    stamps = [float(point[0]) for series in result for point in series["values"] if float(point[0]) >= since]
    return min(stamps) if stamps else None


def judge_firing(alert, visible_at, since, interval):
    """How soon an alert fired: after the fault (`since`) and after its
    condition became visible in the scraped samples, in evaluation intervals."""
    active_at = parse_time(alert["activeAt"])
    delay = active_at - visible_at
    return {
        "fired_after_fault_s": round(active_at - since, 1),
        "fired_after_visible_s": round(delay, 1),
        "within_two_intervals": delay <= 2 * interval,
    }


def parse_time(text):
    """Prometheus's RFC 3339 time, with up to nanoseconds, as epoch seconds."""
    whole, fraction = (text.rstrip("Z").split(".", 1) + [""])[:2]
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + (float("0." + fraction) if fraction else 0.0)


def check_fired(args):
    expected = json.loads(args.expect)

    def probe():
        alerts = api(args.url, "/api/v1/alerts")["alerts"]
        found = [matching(alerts, each) for each in expected]
        return all(found), (found, alerts)

    done, (found, alerts) = poll(args.deadline, probe)
    if not done:
        missing = [each["alert"] for each, alert in zip(expected, found) if alert is None]
        raise CheckFailed("after %ss these alerts were not firing: %s (active: %s)" % (
            args.deadline, ", ".join(missing), ", ".join(sorted(map(alert_name, alerts))) or "none"))
    report = {}
    for each, alert in zip(expected, found):
        visible_at = first_true(args.url, each["condition"], args.since)
        if visible_at is None:
            raise CheckFailed("%s fires, but its condition %s never held since the fault" % (
                alert_name(alert), each["condition"]))
        report[alert_name(alert)] = judge_firing(alert, visible_at, args.since, args.interval)
    late = sorted(name for name, figures in report.items() if not figures["within_two_intervals"])
    if late:
        raise CheckFailed("fired later than two evaluation intervals (%ss) after their condition held: %s" % (
            2 * args.interval, ", ".join(late)), report)
    return report


def check_resolved(args):
    names = set(args.alerts)

    def probe():
        active = sorted(alert_name(alert) for alert in api(args.url, "/api/v1/alerts")["alerts"]
                        if alert["labels"]["alertname"] in names)
        return not active, active

    started = time.monotonic()
    done, active = poll(args.deadline, probe)
    if not done:
        raise CheckFailed("after %ss these alerts were still active: %s" % (args.deadline, active))
    return {"resolved_after_s": round(time.monotonic() - started, 1), "alerts": sorted(names)}


def job_counts(text):
    pairs = (item.split("=", 1) for item in text.split(","))
    return {job: int(count) for job, count in pairs}


def parser():
    root = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root.add_argument("--url", required=True, help="Prometheus, http://HOST:9090")
    commands = root.add_subparsers(dest="command", required=True)

    sub = commands.add_parser("targets", help="every target of every job is up")
    sub.set_defaults(handler=check_targets)
    sub.add_argument("--expect", type=job_counts, required=True, help="JOB=COUNT,... of every job")
    sub.add_argument("--deadline", type=int, default=60)

    sub = commands.add_parser("fired", help="these alerts fire, within two evaluation intervals of their condition")
    sub.set_defaults(handler=check_fired)
    sub.add_argument("--expect", required=True,
                     help='JSON list of {"alert", "instance" (optional), "condition": a PromQL comparison}')
    sub.add_argument("--since", type=float, required=True, help="epoch seconds of the fault")
    sub.add_argument("--interval", type=float, required=True, help="the evaluation interval, seconds")
    sub.add_argument("--deadline", type=int, default=120)

    sub = commands.add_parser("resolved", help="none of these alerts is pending or firing")
    sub.set_defaults(handler=check_resolved)
    sub.add_argument("--alerts", type=lambda text: text.split(","), required=True)
    sub.add_argument("--deadline", type=int, default=120)
    return root


def main():
    args = parser().parse_args()
    return run(args, failures=((OSError, lambda exc: "Prometheus at %s did not answer: %s" % (args.url, exc)),))


if __name__ == "__main__":
    sys.exit(main())
