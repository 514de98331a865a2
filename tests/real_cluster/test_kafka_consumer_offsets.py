"""kafka_consumer_offsets against the real fixture brokers, plaintext and
SASL_SSL, with real consumers.

Every topic has 3 partitions holding 10, 12 and 14 records; record i of each
partition has the timestamp BASE + i minutes, where BASE is one hour before
the records are produced, so datetime and duration targets are known.
"""
import contextlib
import datetime
import time
import uuid

import pytest
from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from ansible_collections.ecommerce.kafka.plugins.module_utils.consumer_group import apply_reset
from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    KafkaConnection, KafkaModuleError, kafka_common_argument_spec, wait_until)
from tests.bench.services import KafkaBroker, ZooKeeper
from tests.real_cluster.module_results import succeeded

RECORDS = {0: 10, 1: 12, 2: 14}
MINUTE_MS = 60000
MODULE = "kafka_consumer_offsets"
pytestmark = pytest.mark.on_both_brokers


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class Topic:
    """A 3-partition topic with the records described above, and its group."""

    def __init__(self, cluster):
        self.client_config = cluster.client_config()
        self.admin = AdminClient(self.client_config)
        self.name, self.group = unique("offsets"), unique("group")
        self.admin.create_topics([NewTopic(self.name, len(RECORDS), 1)])[self.name].result(30)
        self.base_ms = (int(time.time()) - 3600) * 1000
        producer = Producer({**self.client_config, "acks": "all"})
        for partition, count in RECORDS.items():
            for i in range(count):
                producer.produce(self.name, value=b"event", partition=partition,
                                 timestamp=self.base_ms + i * MINUTE_MS)
        assert producer.flush(30) == 0

    def iso(self, minutes, zone=""):
        """The ISO 8601 text of BASE + minutes, in UTC or shifted to `zone` (+HH:MM)."""
        moment = datetime.datetime.fromtimestamp(self.base_ms / 1000 + minutes * 60, datetime.timezone.utc)
        text = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        if zone:
            hours, mins = int(zone[1:3]), int(zone[4:6])
            shift = datetime.timedelta(hours=hours, minutes=mins) * (1 if zone[0] == "+" else -1)
            text = (moment + shift).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + zone
        return text

    def commit_as_member(self, offsets, group=None):
        """A real consumer joins the group, commits {partition: offset} and leaves."""
        with self.member(group) as consumer:
            committed = consumer.commit(offsets=[TopicPartition(self.name, partition, offset)
                                                 for partition, offset in offsets.items()], asynchronous=False)
            assert all(entry.error is None for entry in committed)

    @contextlib.contextmanager
    def member(self, group=None):
        """A consumer that stays in the group until the block ends."""
        consumer = Consumer({**self.client_config, "group.id": group or self.group,
                             "enable.auto.commit": False, "auto.offset.reset": "earliest"})
        consumer.subscribe([self.name])

        def assigned():
            consumer.poll(0.2)
            return len(consumer.assignment()) == len(RECORDS)

        try:
            assert wait_until(assigned, 30, interval=0), "the consumer got no assignment"
            yield consumer
        finally:
            consumer.close()

    def committed(self, group=None):
        group = group or self.group
        request = [ConsumerGroupTopicPartitions(group, [TopicPartition(self.name, p) for p in RECORDS])]
        answer = self.admin.list_consumer_group_offsets(request)[group].result(30)
        return dict((entry.partition, entry.offset if entry.offset >= 0 else None) for entry in answer.topic_partitions)

    def delete_before(self, partition, offset):
        self.admin.delete_records([TopicPartition(self.name, partition, offset)])[
            TopicPartition(self.name, partition, offset)].result(30)


@pytest.fixture
def topic(cluster):
    return Topic(cluster)


def targets(result):
    return dict((entry["partition"], entry["target"]) for entry in result["offsets"])


def warning_texts(result):
    return [warning["event"]["msg"] if isinstance(warning, dict) else warning
            for warning in result.get("warnings", [])]


def refused(result):
    assert result.get("failed"), result
    assert "Traceback" not in result["msg"] and "exception" not in result
    return result["msg"]


def test_describe_reports_lag_as_log_end_minus_committed(run_module, topic):
    topic.commit_as_member({0: 3, 1: 12, 2: 0})
    result = succeeded(run_module(MODULE, group=topic.group))
    assert result["changed"] is False
    assert result["group_state"] == "Empty"
    assert result["offsets"] == [
        dict(topic=topic.name, partition=0, committed=3, log_start=0, log_end=10, lag=7, target=None),
        dict(topic=topic.name, partition=1, committed=12, log_start=0, log_end=12, lag=0, target=None),
        dict(topic=topic.name, partition=2, committed=0, log_start=0, log_end=14, lag=14, target=None),
    ]
    for entry in result["offsets"]:
        assert entry["lag"] == entry["log_end"] - entry["committed"]
    assert result["total_lag"] == 21


def test_describe_a_partition_without_committed_offset(run_module, topic):
    topic.commit_as_member({1: 4})
    result = succeeded(run_module(MODULE, group=topic.group, topics=[topic.name]))
    assert [(entry["committed"], entry["lag"]) for entry in result["offsets"]] == [(None, None), (4, 8), (None, None)]
    assert result["total_lag"] == 8


STRATEGIES = [
    pytest.param("earliest", None, {0: 0, 1: 0, 2: 0}, id="earliest"),
    pytest.param("latest", None, {0: 10, 1: 12, 2: 14}, id="latest"),
    pytest.param("datetime", lambda t: t.iso(4.5), {0: 5, 1: 5, 2: 5}, id="datetime"),
    pytest.param("datetime", lambda t: t.iso(5), {0: 5, 1: 5, 2: 5}, id="datetime-on-a-record"),
    pytest.param("datetime", lambda t: t.iso(4.5, "+02:00"), {0: 5, 1: 5, 2: 5}, id="datetime-with-zone"),
    pytest.param("datetime", lambda t: t.iso(12.5), {0: 10, 1: 12, 2: 13}, id="datetime-after-last-record"),
    pytest.param("datetime", lambda t: t.iso(-600), {0: 0, 1: 0, 2: 0}, id="datetime-before-first-record"),
    pytest.param("offset", lambda t: 6, {0: 6, 1: 6, 2: 6}, id="offset"),
    pytest.param("shift_by", lambda t: -2, {0: 1, 1: 3, 2: 5}, id="shift_by-back"),
    pytest.param("shift_by", lambda t: 4, {0: 7, 1: 9, 2: 11}, id="shift_by-forward"),
    # BASE is an hour ago: 55.5 minutes back lands between records 4 and 5.
    pytest.param("duration", lambda t: "PT55M30S", {0: 5, 1: 5, 2: 5}, id="duration"),
    pytest.param("duration", lambda t: "P1D", {0: 0, 1: 0, 2: 0}, id="duration-before-first-record"),
]


@pytest.mark.parametrize("reset, value, expected", STRATEGIES)
def test_reset_strategy_plans_applies_and_is_idempotent(run_module, topic, reset, value, expected):
    before = {0: 3, 1: 5, 2: 7}
    topic.commit_as_member(before)
    args = dict(group=topic.group, topics=[topic.name], reset=reset)
    if value:
        args[reset] = value(topic)

    planned = succeeded(run_module(MODULE, check=True, diff=True, **args))
    assert planned["changed"] is True
    assert targets(planned) == expected
    assert [entry["committed"] for entry in planned["offsets"]] == [3, 5, 7]
    assert planned["diff"]["before"]["offsets"] == dict((f"{topic.name}/{p}", o) for p, o in before.items())
    assert planned["diff"]["after"]["offsets"] == dict((f"{topic.name}/{p}", o) for p, o in expected.items())
    assert topic.committed() == before, "check mode wrote offsets"

    applied = succeeded(run_module(MODULE, **args))
    assert applied["changed"] is True
    assert {key: value for key, value in applied.items() if key not in ("invocation", "_stderr")} == \
        {key: value for key, value in planned.items() if key not in ("invocation", "_stderr", "diff")}
    assert topic.committed() == expected

    again = succeeded(run_module(MODULE, check=True, **args))
    if reset == "shift_by":
        # Relative by nature, as the CLI's --shift-by: each run moves the offsets again.
        assert again["changed"] is True
        assert targets(again) == dict((p, min(max(o + args["shift_by"], 0), RECORDS[p])) for p, o in expected.items())
        return
    assert again["changed"] is False
    again = succeeded(run_module(MODULE, **args))
    assert again["changed"] is False
    assert targets(again) == expected
    assert [entry["committed"] for entry in again["offsets"]] == [expected[p] for p in sorted(expected)]


def test_reset_only_the_selected_partitions(run_module, topic):
    topic.commit_as_member({0: 3, 1: 5, 2: 7})
    result = succeeded(run_module(MODULE, group=topic.group, topics=[{"name": topic.name, "partitions": [0, 2]}],
                                  reset="earliest"))
    assert targets(result) == {0: 0, 2: 0}
    assert topic.committed() == {0: 0, 1: 5, 2: 0}


def test_reset_refused_while_a_consumer_is_in_the_group(run_module, topic):
    topic.commit_as_member({0: 3, 1: 5, 2: 7})
    with topic.member():
        for check in (True, False):
            message = refused(run_module(MODULE, check=check, group=topic.group, topics=[topic.name],
                                         reset="earliest"))
            assert message == f"group {topic.group} is active (state Stable, 1 members): stop its consumers first"
        described = succeeded(run_module(MODULE, group=topic.group))
        assert described["group_state"] == "Stable"
    assert topic.committed() == {0: 3, 1: 5, 2: 7}


def test_a_consumer_joining_before_the_write_gives_the_same_failure(module_connection, topic):
    """The broker's UNKNOWN_MEMBER_ID at write time, checked partition by partition."""
    topic.commit_as_member({0: 3, 1: 5, 2: 7})
    writes = [dict(topic=topic.name, partition=p, target=0) for p in RECORDS]
    with topic.member():
        with pytest.raises(KafkaModuleError) as failure:
            apply_reset(module_connection, topic.group, writes)
    assert str(failure.value) == f"group {topic.group} is active (state Stable, 1 members): stop its consumers first"
    assert topic.committed() == {0: 3, 1: 5, 2: 7}


def test_offset_beyond_the_log_is_clamped_with_a_warning(run_module, topic):
    topic.commit_as_member({0: 3, 1: 5, 2: 7})
    result = succeeded(run_module(MODULE, group=topic.group, topics=[topic.name], reset="offset", offset=11))
    assert targets(result) == {0: 10, 1: 11, 2: 11}
    assert warning_texts(result) == [
        f"topic {topic.name} partition 0: offset 11 is outside [0, 10], using the log end 10"]
    assert topic.committed() == {0: 10, 1: 11, 2: 11}


def test_shift_before_the_log_start_is_clamped_with_a_warning(run_module, topic):
    topic.commit_as_member({0: 6, 1: 5, 2: 7})
    topic.delete_before(0, 4)
    result = succeeded(run_module(MODULE, group=topic.group, topics=[topic.name], reset="shift_by", shift_by=-5))
    assert [(entry["log_start"], entry["target"]) for entry in result["offsets"]] == [(4, 4), (0, 0), (0, 2)]
    assert warning_texts(result) == [
        f"topic {topic.name} partition 0: offset 1 is outside [4, 10], using the log start 4"]
    assert topic.committed() == {0: 4, 1: 0, 2: 2}


def test_earliest_follows_the_log_start(run_module, topic):
    topic.commit_as_member({0: 6, 1: 5, 2: 7})
    topic.delete_before(2, 9)
    result = succeeded(run_module(MODULE, group=topic.group, topics=[topic.name], reset="earliest"))
    assert targets(result) == {0: 0, 1: 0, 2: 9}


def test_shift_by_with_nothing_committed_fails_clearly(run_module, topic):
    topic.commit_as_member({1: 5})
    message = refused(run_module(MODULE, group=topic.group, topics=[topic.name], reset="shift_by", shift_by=-1))
    assert message == (f"group {topic.group}: topic {topic.name} partition 0 has no committed offset to shift by -1; "
                       f"topic {topic.name} partition 2 has no committed offset to shift by -1")
    assert topic.committed() == {0: None, 1: 5, 2: None}


def test_a_group_that_does_not_exist(run_module, topic):
    described = succeeded(run_module(MODULE, group=topic.group))
    assert (described["group_state"], described["offsets"], described["total_lag"]) == ("Dead", [], 0)

    with_topic = succeeded(run_module(MODULE, group=topic.group, topics=[topic.name]))
    assert [(entry["committed"], entry["lag"]) for entry in with_topic["offsets"]] == [(None, None)] * 3

    message = refused(run_module(MODULE, group=topic.group, reset="earliest"))
    assert message == f"group {topic.group}: nothing is committed yet, so there is no topic to reset: name them in topics"
    message = refused(run_module(MODULE, group=topic.group, topics=[topic.name], reset="shift_by", shift_by=1))
    assert "partition 0 has no committed offset to shift by 1" in message

    created = succeeded(run_module(MODULE, group=topic.group, topics=[topic.name], reset="latest"))
    assert created["changed"] is True
    assert topic.committed() == {0: 10, 1: 12, 2: 14}
    assert succeeded(run_module(MODULE, group=topic.group))["group_state"] == "Empty"


def test_an_unknown_topic_or_partition(run_module, topic):
    missing = unique("missing")
    for args in (dict(), dict(reset="earliest")):
        message = refused(run_module(MODULE, group=topic.group, topics=[topic.name, missing], **args))
        assert message == f"topic {missing} does not exist"
    message = refused(run_module(MODULE, group=topic.group, topics=[{"name": topic.name, "partitions": [1, 3]}]))
    assert message == f"group {topic.group}: topic {topic.name} has no partition 3 (it has 3 partitions)"


@pytest.mark.parametrize("args, message", [
    (dict(reset="datetime", datetime="yesterday"), "datetime 'yesterday' is not ISO 8601"),
    (dict(reset="duration", duration="P1M"), "duration 'P1M' is not an ISO 8601 duration"),
    (dict(reset="earliest", offset=3), "offset is only used with reset=offset (reset is earliest)"),
    (dict(topics=[{"topic": "raw-events"}]), "topics item {'topic': 'raw-events'} must be a topic name"),
])
def test_bad_input_is_refused_before_reading(run_module, args, message):
    assert refused(run_module(MODULE, group="any", **args)).startswith(f"group any: {message}")


def test_missing_reset_value_is_refused(run_module):
    assert "reset is datetime but all of the following are missing: datetime" in refused(
        run_module(MODULE, group="any", reset="datetime"))


@pytest.fixture
def module_connection(cluster):
    """A KafkaConnection to `cluster` as the module builds it, for the write path on its own."""
    class Params:
        params = {**{name: spec.get("default") for name, spec in kafka_common_argument_spec().items()},
                  **cluster.module_params()}

        def fail_json(self, **result):
            raise AssertionError(result)

    return KafkaConnection(Params())


def test_first_group_request_on_a_new_cluster(tmp_path, run_module_unbound):
    """__consumer_offsets does not exist yet: the coordinator lookup is retried."""
    zookeeper = ZooKeeper(tmp_path / "zookeeper").start()
    try:
        broker = KafkaBroker(tmp_path / "kafka", zookeeper).start()
        try:
            started = time.monotonic()
            result = succeeded(run_module_unbound(MODULE, bootstrap_servers=broker.bootstrap,
                                                  group=unique("group"), request_timeout=20))
            assert result["group_state"] == "Dead"
            assert time.monotonic() - started < 20
        finally:
            broker.stop()
    finally:
        zookeeper.stop()
