"""kafka_info against the real fixture brokers, plaintext and SASL_SSL."""
import time
import uuid

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import wait_until

MODULE = "kafka_info"
pytestmark = pytest.mark.on_both_brokers


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_topic(cluster, partitions):
    name = unique("info")
    admin = AdminClient(cluster.client_config())
    admin.create_topics([NewTopic(name, partitions, 1)])[name].result(30)
    return name


def produce(cluster, topic, count_per_partition, partitions):
    producer = Producer({**cluster.client_config(), "acks": "all"})
    for partition in range(partitions):
        for sequence in range(count_per_partition):
            producer.produce(topic, key=str(sequence), value=b"event", partition=partition)
    assert producer.flush(30) == 0


def consume_everything(cluster, topic, group, expected):
    """A real member reads every record, commits and leaves."""
    consumer = Consumer({**cluster.client_config(), "group.id": group, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    read = []

    def all_read():
        message = consumer.poll(0.2)
        if message is not None and not message.error():
            read.append(message)
        return len(read) == expected

    try:
        assert wait_until(all_read, 30, interval=0), f"read {len(read)} of {expected} records"
        consumer.commit(asynchronous=False)
    finally:
        consumer.close()


def succeeded(result):
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False
    return result


def by_name(entries, name):
    matches = [entry for entry in entries if entry["name"] == name]
    assert len(matches) == 1, f"{name} not in {[entry['name'] for entry in entries]}"
    return matches[0]


def test_reports_the_broker_the_controller_and_the_cluster_id(run_module, cluster):
    result = succeeded(run_module(MODULE, gather=["brokers"]))
    assert result["brokers"] == [dict(id=cluster.broker_id, host="127.0.0.1", port=cluster.port, rack=None)]
    assert result["controller_id"] == cluster.broker_id
    assert isinstance(result["cluster_id"], str) and len(result["cluster_id"]) == 22
    assert "topics" not in result and "consumer_groups" not in result


def test_reports_a_healthy_topic(run_module, cluster):
    name = create_topic(cluster, 3)
    result = succeeded(run_module(MODULE, gather=["topics"]))
    assert by_name(result["topics"], name) == dict(
        name=name, internal=False, partitions=3, replication_factor=1,
        under_replicated_partitions=0, offline_partitions=0)
    assert result["under_replicated_partitions"] == 0
    assert result["offline_partitions"] == 0
    assert "brokers" not in result and "consumer_groups" not in result


def test_reports_a_groups_lag_after_producing_unconsumed_messages(run_module, cluster):
    topic, group = create_topic(cluster, 2), unique("group")
    produce(cluster, topic, 5, 2)
    consume_everything(cluster, topic, group, 10)
    assert by_name(succeeded(run_module(MODULE, gather=["consumer_groups"]))["consumer_groups"], group) == dict(
        name=group, state="Empty", members=0, total_lag=0)

    produce(cluster, topic, 3, 2)
    result = succeeded(run_module(MODULE, gather=["consumer_groups"], lag_per_partition=True))
    assert by_name(result["consumer_groups"], group) == dict(
        name=group, state="Empty", members=0, total_lag=6, partitions=[
            dict(topic=topic, partition=0, committed=5, log_end=8, lag=3),
            dict(topic=topic, partition=1, committed=5, log_end=8, lag=3),
        ])
    assert "brokers" not in result and "topics" not in result


def test_reports_the_members_of_an_active_group(run_module, cluster):
    topic, group = create_topic(cluster, 1), unique("group")
    consumer = Consumer({**cluster.client_config(), "group.id": group})
    consumer.subscribe([topic])

    def assigned():
        consumer.poll(0.2)
        return consumer.assignment() == [TopicPartition(topic, 0)]

    try:
        assert wait_until(assigned, 30, interval=0)
        found = by_name(succeeded(run_module(MODULE))["consumer_groups"], group)
    finally:
        consumer.close()
    assert found == dict(name=group, state="Stable", members=1, total_lag=0)


def test_gathers_everything_by_default(run_module):
    result = succeeded(run_module(MODULE))
    assert set(result) >= {"cluster_id", "controller_id", "brokers", "topics", "under_replicated_partitions",
                           "offline_partitions", "consumer_groups"}


@pytest.mark.parametrize("gather", [["brokers"], ["topics"], ["consumer_groups"]])
def test_unreachable_brokers_fail_in_one_line(run_module, gather):
    result = run_module(MODULE, bootstrap_servers="127.0.0.1:1", request_timeout=2, gather=gather)
    assert result["failed"] is True
    assert result["msg"].startswith("cluster at 127.0.0.1:1: brokers 127.0.0.1:1 could not be reached within 2s")
    assert "\n" not in result["msg"] and "exception" not in result


def test_wait_returns_once_the_expected_broker_is_registered_and_all_is_replicated(run_module):
    broker_id = succeeded(run_module(MODULE, gather=["brokers"]))["brokers"][0]["id"]
    result = succeeded(run_module(MODULE, gather=["brokers"], wait=True, wait_brokers=[broker_id], wait_timeout=30))
    assert result["waited"] < 30
    assert [broker["id"] for broker in result["brokers"]] == [broker_id]
    assert "topics" not in result and "under_replicated_partitions" not in result


def test_wait_gives_up_at_its_deadline_naming_the_broker_still_missing(run_module):
    started = time.monotonic()
    result = run_module(MODULE, gather=["brokers"], wait=True, wait_brokers=[99], wait_timeout=4, wait_sleep=1)
    elapsed = time.monotonic() - started
    assert result["failed"] is True
    assert result["msg"].endswith("not healthy after 4s (wait_timeout): broker 99 not registered"), result["msg"]
    assert 4 - 1 <= result["waited"] <= 4 and elapsed < 4 + 10
    assert result["brokers"], "the last state read comes back with the failure"


def test_wait_on_unreachable_brokers_cuts_each_request_to_the_time_left(run_module):
    started = time.monotonic()
    result = run_module(MODULE, bootstrap_servers="127.0.0.1:1", request_timeout=60, wait=True, wait_timeout=5)
    elapsed = time.monotonic() - started
    assert result["failed"] is True
    assert "not healthy after 5s (wait_timeout)" in result["msg"]
    assert "could not be reached" in result["msg"]
    assert elapsed < 5 + 10, f"a 5 s wait took {elapsed:.1f}s"
