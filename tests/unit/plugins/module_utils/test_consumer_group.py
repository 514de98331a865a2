"""Pure logic of consumer_group: parsing, topic selection, lag and reset planning."""
import pytest

from ansible_collections.ecommerce.kafka.plugins.module_utils.consumer_group import (
    ResetPlanError, active_group_message, group_state_name, normalize_topics, offsets_by_partition,
    parse_datetime, parse_duration, partition_rows, partitions_to_write, plan_reset, plan_target,
    reset_timestamp, reset_value, selected_partitions, topics_to_read, total_lag)

NEW_YEAR_2024_MS = 1704067200000


@pytest.mark.parametrize("text, expected", [
    ("2024-01-01T00:00:00.000", NEW_YEAR_2024_MS),
    ("2024-01-01T00:00:00", NEW_YEAR_2024_MS),
    ("2024-01-01T00:00", NEW_YEAR_2024_MS),
    ("2024-01-01", NEW_YEAR_2024_MS),
    ("2024-01-01 00:00:00", NEW_YEAR_2024_MS),
    ("2024-01-01T00:00:00Z", NEW_YEAR_2024_MS),
    ("2024-01-01T00:00:00.123", NEW_YEAR_2024_MS + 123),
    ("2024-01-01T00:00:00.1239", NEW_YEAR_2024_MS + 123),
    ("2024-01-01T00:00:00,5", NEW_YEAR_2024_MS + 500),
    ("2024-01-01T02:00:00+02:00", NEW_YEAR_2024_MS),
    ("2024-01-01T02:00:00+0200", NEW_YEAR_2024_MS),
    ("2024-01-01T02:00:00+02", NEW_YEAR_2024_MS),
    ("2023-12-31T19:30:00-04:30", NEW_YEAR_2024_MS),
    ("1970-01-01T00:00:00.001", 1),
])
def test_parse_datetime_without_zone_is_utc(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", [
    "", "yesterday", "2024-1-1", "2024-13-01T00:00:00", "2024-02-30", "2024-01-01T25:00:00",
    "2024-01-01T00:00:00 UTC", "1704067200000",
])
def test_parse_datetime_refuses_what_is_not_iso_8601(text):
    with pytest.raises(ValueError, match="datetime"):
        parse_datetime(text)


@pytest.mark.parametrize("text, expected_ms", [
    ("PT1H", 3600000),
    ("PT30M", 1800000),
    ("PT1.5S", 1500),
    ("PT0,25S", 250),
    ("P1D", 86400000),
    ("P1DT12H", 129600000),
    ("P2W", 14 * 86400000),
    ("PT1H30M15S", 5415000),
    ("PT0S", 0),
])
def test_parse_duration(text, expected_ms):
    assert parse_duration(text) == expected_ms


@pytest.mark.parametrize("text", ["", "P", "PT", "P1DT", "1H", "PT1D", "P1Y", "P1M", "-PT1H", "PT-1H", "pt1h"])
def test_parse_duration_refuses_calendar_units_and_nonsense(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_reset_timestamp_duration_counts_back_from_now():
    now = NEW_YEAR_2024_MS + 3600000
    assert reset_timestamp("duration", "PT1H", now) == NEW_YEAR_2024_MS
    assert reset_timestamp("datetime", "2024-01-01T00:00:00.000", now) == NEW_YEAR_2024_MS


def reset_params(reset=None, **values):
    options = dict(datetime=None, offset=None, shift_by=None, duration=None)
    options.update(values)
    return dict(reset=reset, **options)


@pytest.mark.parametrize("reset, values, expected", [
    (None, {}, None),
    ("earliest", {}, None),
    ("latest", {}, None),
    ("datetime", {"datetime": "2024-01-01T00:00:00.000"}, "2024-01-01T00:00:00.000"),
    ("offset", {"offset": 0}, 0),
    ("shift_by", {"shift_by": -100}, -100),
    ("duration", {"duration": "PT1H"}, "PT1H"),
])
def test_reset_value_is_the_option_named_like_the_strategy(reset, values, expected):
    assert reset_value(reset_params(reset, **values)) == expected


@pytest.mark.parametrize("reset, values, message", [
    (None, {"offset": 3}, "offset is only used with reset=offset (reset is not set)"),
    ("earliest", {"datetime": "2024-01-01"}, "datetime is only used with reset=datetime (reset is earliest)"),
    ("offset", {"offset": 1, "shift_by": 1}, "shift_by is only used with reset=shift_by (reset is offset)"),
    ("duration", {"duration": "PT1H", "datetime": "2024-01-01"}, "datetime is only used with reset=datetime"),
])
def test_reset_value_refuses_an_option_of_another_strategy(reset, values, message):
    with pytest.raises(ValueError) as failure:
        reset_value(reset_params(reset, **values))
    assert str(failure.value).startswith(message)


@pytest.mark.parametrize("items, expected", [
    (None, []),
    ([], []),
    (["raw-events"], [("raw-events", None)]),
    ([{"name": "raw-events", "partitions": [2, 0, 2]}], [("raw-events", [0, 2])]),
    ([{"name": "raw-events", "partitions": ["1"]}], [("raw-events", [1])]),
    ([{"name": "raw-events"}, "fraud-scores"], [("raw-events", None), ("fraud-scores", None)]),
])
def test_normalize_topics(items, expected):
    assert normalize_topics(items) == expected


@pytest.mark.parametrize("items, message", [
    ([42], "must be a topic name"),
    ([{"partitions": [0]}], "must be a topic name"),
    ([{"name": "raw-events", "partition": [0]}], "must be a topic name"),
    ([{"name": "raw-events", "partitions": ["zero"]}], "partitions of topic raw-events"),
    ([{"name": "raw-events", "partitions": 3}], "partitions of topic raw-events"),
])
def test_normalize_topics_refuses_malformed_items(items, message):
    with pytest.raises(ValueError, match=message):
        normalize_topics(items)


def test_topics_to_read_defaults_to_the_committed_topics():
    committed = {("b", 0): 1, ("a", 1): 2, ("a", 0): 3}
    assert topics_to_read([], committed) == ["a", "b"]
    assert topics_to_read([("c", None), ("c", [0])], committed) == ["c"]


def test_selected_partitions():
    partition_ids = {"a": [0, 1, 2], "b": [0]}
    assert selected_partitions([], partition_ids) == [("a", 0), ("a", 1), ("a", 2), ("b", 0)]
    assert selected_partitions([("a", [2, 0])], partition_ids) == [("a", 0), ("a", 2)]
    assert selected_partitions([("a", [1]), ("a", None)], partition_ids) == [("a", 0), ("a", 1), ("a", 2)]


def test_selected_partitions_refuses_a_missing_partition():
    with pytest.raises(ValueError, match=r"topic a has no partition 3, 7 \(it has 3 partitions\)"):
        selected_partitions([("a", [0, 3, 7])], {"a": [0, 1, 2]})


def test_partition_rows_and_lag():
    keys = [("a", 0), ("a", 1)]
    rows = partition_rows(keys, {("a", 0): 4}, {("a", 0): 0, ("a", 1): 2}, {("a", 0): 10, ("a", 1): 5})
    assert rows == [
        dict(topic="a", partition=0, committed=4, log_start=0, log_end=10, lag=6, target=None),
        dict(topic="a", partition=1, committed=None, log_start=2, log_end=5, lag=None, target=None),
    ]
    assert total_lag(rows) == 6


def test_partition_rows_with_an_unreadable_log():
    rows = partition_rows([("a", 0)], {("a", 0): 4}, {("a", 0): None}, {("a", 0): None})
    assert rows == [dict(topic="a", partition=0, committed=4, log_start=None, log_end=None, lag=None, target=None)]
    assert total_lag(rows) == 0


def row(committed=5, log_start=2, log_end=10, topic="t", partition=0):
    return dict(topic=topic, partition=partition, committed=committed, log_start=log_start, log_end=log_end,
                lag=None, target=None)


@pytest.mark.parametrize("reset, value, found, expected", [
    ("earliest", None, None, 2),
    ("latest", None, None, 10),
    ("datetime", "unused", 7, 7),
    ("duration", "unused", 2, 2),
    ("datetime", "unused", -1, 10),
    ("offset", 4, None, 4),
    ("offset", 10, None, 10),
    ("shift_by", -3, None, 2),
    ("shift_by", 5, None, 10),
    ("shift_by", 0, None, 5),
])
def test_plan_target_without_clamping(reset, value, found, expected):
    assert plan_target(reset, row(), value, found) == (expected, None)


@pytest.mark.parametrize("reset, value, expected, bound", [
    ("offset", 0, 2, "log start 2"),
    ("offset", -5, 2, "log start 2"),
    ("offset", 11, 10, "log end 10"),
    ("shift_by", -4, 2, "log start 2"),
    ("shift_by", 100, 10, "log end 10"),
])
def test_plan_target_clamps_to_the_log_with_a_warning(reset, value, expected, bound):
    target, warning = plan_target(reset, row(), value)
    assert target == expected
    assert warning.startswith("topic t partition 0: offset ")
    assert warning.endswith("is outside [2, 10], using the %s" % bound)


def test_plan_target_clamps_on_an_empty_partition():
    assert plan_target("offset", row(committed=None, log_start=0, log_end=0), 3)[0] == 0


def test_shift_by_without_committed_offset_fails_naming_every_partition():
    rows = [row(committed=None, partition=0), row(committed=3, partition=1), row(committed=None, partition=2)]
    with pytest.raises(ResetPlanError) as failure:
        plan_reset(rows, "shift_by", -1)
    assert str(failure.value) == ("topic t partition 0 has no committed offset to shift by -1; "
                                  "topic t partition 2 has no committed offset to shift by -1")


def test_plan_reset_fills_targets_and_collects_warnings():
    rows = [row(partition=0, committed=1), row(partition=1, log_end=3, committed=3)]
    warnings = plan_reset(rows, "offset", 5)
    assert [entry["target"] for entry in rows] == [5, 3]
    assert warnings == ["topic t partition 1: offset 5 is outside [2, 3], using the log end 3"]
    assert [entry["partition"] for entry in partitions_to_write(rows)] == [0]


def test_plan_reset_uses_the_offsets_found_for_the_timestamp():
    rows = [row(partition=0), row(partition=1)]
    plan_reset(rows, "datetime", "2024-01-01", {("t", 0): 3, ("t", 1): -1})
    assert [entry["target"] for entry in rows] == [3, 10]


def test_partitions_to_write_only_those_that_change():
    rows = [row(partition=0), row(partition=1), row(committed=None, partition=2)]
    for entry, target in zip(rows, [5, 6, 2]):
        entry["target"] = target
    assert [entry["partition"] for entry in partitions_to_write(rows)] == [1, 2]


def test_offsets_by_partition_for_the_diff():
    rows = [row(partition=0, topic="a"), row(committed=None, partition=1, topic="a")]
    assert offsets_by_partition(rows, "committed") == {"a/0": 5, "a/1": None}


class FakeState:
    def __init__(self, name):
        self.name = name


@pytest.mark.parametrize("name, expected", [
    ("STABLE", "Stable"), ("EMPTY", "Empty"), ("DEAD", "Dead"), ("UNKNOWN", "Unknown"),
    ("PREPARING_REBALANCING", "PreparingRebalance"), ("COMPLETING_REBALANCING", "CompletingRebalance"),
    ("ASSIGNING", "Assigning"),
])
def test_group_state_name_uses_kafka_spelling(name, expected):
    assert group_state_name(FakeState(name)) == expected


def test_active_group_message():
    assert active_group_message("g", "Stable", 2) == "group g is active (state Stable, 2 members): stop its consumers first"
