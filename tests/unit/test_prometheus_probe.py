"""What prometheus_probe.py decides without a Prometheus: its reading of the
targets API, of Prometheus's times, and the judgement of how soon an alert
fired. The prod scenario runs it against a real Prometheus."""
import pytest

from tests.probes.prometheus_probe import job_counts, judge_firing, matching, parse_time, targets_by_job


def test_targets_are_grouped_by_job_with_their_health():
    active = [
        {"labels": {"job": "kafka", "instance": "10.0.0.4:7071"}, "health": "up"},
        {"labels": {"job": "kafka", "instance": "10.0.0.5:7071"}, "health": "down"},
        {"labels": {"job": "zookeeper", "instance": "zk-1:7072"}, "health": "unknown"},
    ]
    assert targets_by_job(active) == {"kafka": {"10.0.0.4:7071": "up", "10.0.0.5:7071": "down"},
                                      "zookeeper": {"zk-1:7072": "unknown"}}


def test_job_counts_read_job_equals_count():
    assert job_counts("zookeeper=3,kafka=3,schema_registry=2") == {"zookeeper": 3, "kafka": 3, "schema_registry": 2}


@pytest.mark.parametrize("text, seconds", [
    ("2026-12-06T05:50:01Z", 1796536201.0),
    ("2026-12-06T05:50:01.25Z", 1796536201.25),
    ("2026-12-06T05:50:01.123456789Z", 1796536201.123456789),
])
def test_prometheus_times_are_utc_epoch_seconds(text, seconds):
    assert parse_time(text) == pytest.approx(seconds)


def test_an_alert_within_two_intervals_of_its_condition_passes_and_a_later_one_fails():
    fault, visible = 1796536200.0, 1796536219.0
    on_time = judge_firing({"activeAt": "2026-12-06T05:50:21.5Z"}, visible, fault, interval=2)
    assert on_time == {"fired_after_fault_s": 21.5, "fired_after_visible_s": 2.5, "within_two_intervals": True}
    late = judge_firing({"activeAt": "2026-12-06T05:50:24.5Z"}, visible, fault, interval=2)
    assert late["within_two_intervals"] is False


def test_an_expectation_without_instance_matches_the_earliest_firing_alert_of_that_name():
    alerts = [
        {"labels": {"alertname": "KafkaUnderReplicatedPartitions", "instance": "b2:7071"}, "state": "firing",
         "activeAt": "2026-12-06T05:50:30Z"},
        {"labels": {"alertname": "KafkaUnderReplicatedPartitions", "instance": "b3:7071"}, "state": "firing",
         "activeAt": "2026-12-06T05:50:20Z"},
        {"labels": {"alertname": "KafkaBrokerDown", "instance": "b1:7071"}, "state": "pending",
         "activeAt": "2026-12-06T05:50:10Z"},
    ]
    assert matching(alerts, {"alert": "KafkaUnderReplicatedPartitions"})["labels"]["instance"] == "b3:7071"
    assert matching(alerts, {"alert": "KafkaUnderReplicatedPartitions", "instance": "b2:7071"}) is alerts[0]
    assert matching(alerts, {"alert": "KafkaBrokerDown"}) is None
