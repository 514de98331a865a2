"""The lag gate's judgement of each group, from kafka_consumer_offsets results."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ecommerce.kafka.plugins.filter.lag_verdicts import lag_verdicts


def result(group, state, *partitions):
    offsets = [{"topic": topic, "partition": partition, "committed": committed, "lag": lag}
               for topic, partition, committed, lag in partitions]
    lags = [entry["lag"] for entry in offsets if entry["lag"] is not None]
    return {"item": {"key": group, "value": 0}, "group_state": state, "offsets": offsets, "total_lag": sum(lags)}


def test_each_group_is_judged_against_its_threshold_in_an_aligned_table():
    results = [
        result("fraud-detection", "Stable", ("fraud-scores", 0, 10, 700), ("fraud-scores", 1, 10, 801)),
        result("recommendations", "Empty", ("recommendations", 0, 5, 3)),
        result("typo", "Dead"),
    ]
    verdicts = lag_verdicts(results, {"fraud-detection": 1000, "recommendations": 3, "typo": 10})
    assert [(group["group"], group["verdict"], group["passed"]) for group in verdicts["groups"]] == [
        ("fraud-detection", "OVER", False), ("recommendations", "ok", True), ("typo", "NO OFFSETS", False)]
    assert [verdicts["header"]] + [group["line"] for group in verdicts["groups"]] == [
        "group            state   lag   threshold  verdict     worst partition",
        "fraud-detection  Stable  1501  1000       OVER        fraud-scores/1 lag 801",
        "recommendations  Empty   3     3          ok          recommendations/0 lag 3",
        "typo             Dead    0     10         NO OFFSETS  -",
    ]


def test_a_group_without_lag_names_no_worst_partition():
    [group] = lag_verdicts([result("caught-up", "Stable", ("raw-events", 0, 42, 0))], {"caught-up": 0})["groups"]
    assert (group["verdict"], group["worst"]) == ("ok", "-")


def test_thresholds_that_are_not_a_mapping_are_refused():
    with pytest.raises(AnsibleFilterError, match="thresholds must map each group to its lag limit, got list"):
        lag_verdicts([], ["fraud-detection"])
