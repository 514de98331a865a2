"""What cluster_probe.py decides without a cluster: the mode in a ZooKeeper
srvr answer, its comma-separated arguments, and the rolling-restart judgement
of a writer's report, here of synthetic three-broker restarts that the
one-broker bench of tests/real_cluster/test_probes.py cannot produce."""
import json

import pytest

from tests.probes.cluster_probe import CheckFailed, comma_list, parser, zookeeper_mode

# A real ZooKeeper 3.8 srvr answer, its mode left to fill in.
SRVR_ANSWER = ("Zookeeper version: 3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 22:16 UTC\n"
               "Latency min/avg/max: 0/3.7469/153\nReceived: 568\nSent: 600\nConnections: 2\nOutstanding: 0\n"
               "Zxid: 0x111\nMode: {mode}\nNode count: 201\n")
BROKERS = (1, 2, 3)
WRITER_STARTED, WRITER_STOPPED = 100, 200


@pytest.mark.parametrize("mode", ["leader", "follower", "standalone"])
def test_zookeeper_mode_is_read_from_the_srvr_answer(mode):
    assert zookeeper_mode(SRVR_ANSWER.format(mode=mode)) == mode


def test_zookeeper_mode_refuses_an_answer_without_a_mode():
    refusal = "srvr is not executed because it is not in the whitelist.\n"
    with pytest.raises(CheckFailed, match="srvr answer has no Mode line: 'srvr is not executed"):
        zookeeper_mode(refusal)


@pytest.mark.parametrize("text, items", [
    ("1=10.0.0.1,2=10.0.0.2", ["1=10.0.0.1", "2=10.0.0.2"]),
    ("raw-events,", ["raw-events"]),
    ("", []),
])
def test_comma_list_drops_empty_items(text, items):
    assert comma_list(text) == items


def membership(restarts, answer_delay=0.0, unanswered=()):
    """One sample asked each second while the writer ran, answered `answer_delay`
    later, none asked at the seconds `unanswered`: a restarting broker is missing
    from the metadata from its stop until its start, and the cluster has an
    under-replicated partition until the broker has caught up."""
    samples = []
    for at in range(WRITER_STARTED, WRITER_STOPPED):
        if at in unanswered:
            continue
        ids = [broker for broker in BROKERS
               if not any(broker == restarted and down <= at < up for restarted, down, up, _caught_up in restarts)]
        under_replicated = sum(1 for _broker, down, _up, caught_up in restarts if down <= at < caught_up)
        samples.append([float(at), at + answer_delay, ids, under_replicated])
    return samples


def writer_report(restarts, **figures):
    """A report as produce-continuously writes it, of a writer that lost nothing unless `figures` say so."""
    report = {"run": "r", "started_monotonic": float(WRITER_STARTED), "stopped_monotonic": float(WRITER_STOPPED),
              "stopped_by": "stop file", "sent": 5000, "delivered": 5000, "delivery_errors": 0, "first_errors": [],
              "undelivered": 0, "max_delivery_seconds": 0.4, "max_send_gap_seconds": 0.03, "read_back": 5000,
              "read_back_error": None, "duplicates": 0, "missing": 0, "membership": membership(restarts)}
    report.update(figures)
    return report


def judge(tmp_path, restarts, report=None, systemd_restarts=None):
    """rolling-restart's verdict, given the writer's report and what `systemctl show` said of each broker unit."""
    report_file = tmp_path / "report.json"
    report_file.write_text(json.dumps(report or writer_report(restarts)))
    units = {str(broker): f"ActiveExitTimestampMonotonic={down * 1_000_000}\n"
                          f"ActiveEnterTimestampMonotonic={up * 1_000_000}\nNRestarts=0"
             for broker, down, up, _caught_up in (restarts if systemd_restarts is None else systemd_restarts)}
    args = parser().parse_args(["rolling-restart", "--producer-report", str(report_file),
                                "--systemd", json.dumps(units)])
    return args.handler(args)


def refusal(tmp_path, restarts, **kwargs):
    with pytest.raises(CheckFailed) as failure:
        judge(tmp_path, restarts, **kwargs)
    return failure.value.args[0]


ONE_AT_A_TIME = [(1, 110, 112, 115), (2, 120, 122, 125), (3, 130, 132, 135)]


def test_rolling_restart_passes_brokers_restarted_one_at_a_time(tmp_path):
    report = judge(tmp_path, ONE_AT_A_TIME)
    assert report["restarts"] == [
        {"broker": broker, "stop_began": down - WRITER_STARTED, "started": up - WRITER_STARTED,
         "cluster_noticed": down - WRITER_STARTED, "back_and_caught_up": caught_up - WRITER_STARTED}
        for broker, down, up, caught_up in ONE_AT_A_TIME]
    assert (report["fewest_brokers_seen"], report["membership_samples"]) == (2, WRITER_STOPPED - WRITER_STARTED)
    assert "membership" not in report["writer"]


def test_rolling_restart_refuses_a_broker_stopped_before_the_last_caught_up(tmp_path):
    restarts = [(1, 110, 112, 115), (2, 113, 116, 118), (3, 130, 132, 135)]
    assert refusal(tmp_path, restarts) == "broker 2 went down before broker 1 was back and caught up"


def test_rolling_restart_counts_a_state_as_before_a_stop_only_if_answered_before_it(tmp_path):
    # Broker 1 is caught up at 115 and broker 2 stops at 116, but the answer asked at 115 came at 116.5.
    restarts = [(1, 110, 112, 115), (2, 116, 118, 121), (3, 130, 132, 135)]
    report = writer_report(restarts, membership=membership(restarts, answer_delay=1.5))
    assert refusal(tmp_path, restarts, report=report) == "broker 2 went down before broker 1 was back and caught up"


def test_rolling_restart_says_when_the_metadata_log_was_blind(tmp_path):
    report = writer_report(ONE_AT_A_TIME, membership=membership(ONE_AT_A_TIME, unanswered=range(111, 121)))
    assert refusal(tmp_path, ONE_AT_A_TIME, report=report) == (
        "the metadata log got no answer for 8.0s from 12.0s, so it cannot tell whether broker 1 "
        "was back and caught up before broker 2 went down")


def test_rolling_restart_refuses_two_brokers_out_at_once(tmp_path):
    restarts = [(1, 110, 114, 116), (2, 112, 118, 120), (3, 130, 132, 135)]
    assert refusal(tmp_path, restarts) == (
        "broker 2 went down before broker 1 was back and caught up; "
        "the cluster was seen with 1 brokers; a rolling restart leaves at most one out")


def test_rolling_restart_refuses_a_restart_the_cluster_never_noticed(tmp_path):
    report = writer_report(ONE_AT_A_TIME[:2])
    assert refusal(tmp_path, ONE_AT_A_TIME, report=report) == (
        "broker 3 was not seen leave and come back caught up while the writer ran")


def test_rolling_restart_refuses_a_broker_restarted_outside_the_writers_run(tmp_path):
    after_the_writer = [(3, 250, 252, 255)]
    assert refusal(tmp_path, ONE_AT_A_TIME[:2], systemd_restarts=ONE_AT_A_TIME[:2] + after_the_writer) == (
        "broker 3 did not stop and start while the writer ran; "
        "broker 3 was not seen leave and come back caught up while the writer ran")


@pytest.mark.parametrize("figures, problem", [
    ({"missing": 3}, "writer: missing=3 []"),
    ({"delivery_errors": 1, "first_errors": ["7: Local: Message timed out"]},
     "writer: delivery_errors=1 ['7: Local: Message timed out']"),
    ({"duplicates": 2}, "writer: duplicates=2 []"),
    ({"undelivered": 4}, "writer: undelivered=4 []"),
    ({"delivered": 0}, "writer delivered nothing"),
    ({"read_back_error": "molecule-prod-probe was not read back to its end within 120s"},
     "writer: molecule-prod-probe was not read back to its end within 120s"),
    ({"max_send_gap_seconds": 5.0}, "the writer stalled for 5.0s"),
])
def test_rolling_restart_refuses_a_writer_that_lost_stalled_or_duplicated(tmp_path, figures, problem):
    report = writer_report(ONE_AT_A_TIME, **figures)
    assert refusal(tmp_path, ONE_AT_A_TIME, report=report) == problem
