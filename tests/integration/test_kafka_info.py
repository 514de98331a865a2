"""kafka_info against the real fixture broker."""
import uuid

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import wait_until

MODULE = "kafka_info"


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_topic(bootstrap, partitions):
    name = unique("info")
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, partitions, 1)])[name].result(30)
    return name


def produce(bootstrap, topic, count_per_partition, partitions):
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for partition in range(partitions):
        for sequence in range(count_per_partition):
            producer.produce(topic, key=str(sequence), value=b"event", partition=partition)
    assert producer.flush(30) == 0


def consume_everything(bootstrap, topic, group, expected):
    """A real member reads every record, commits and leaves."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
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


def test_reports_the_broker_the_controller_and_the_cluster_id(run_module, kafka):
    result = succeeded(run_module(MODULE, gather=["brokers"]))
    assert result["brokers"] == [dict(id=kafka.broker_id, host="127.0.0.1", port=kafka.port, rack=None)]
    assert result["controller_id"] == kafka.broker_id
    assert isinstance(result["cluster_id"], str) and len(result["cluster_id"]) == 22
    assert "topics" not in result and "consumer_groups" not in result


def test_reports_a_healthy_topic(run_module, kafka):
    name = create_topic(kafka.bootstrap, 3)
    result = succeeded(run_module(MODULE, gather=["topics"]))
    assert by_name(result["topics"], name) == dict(
        name=name, internal=False, partitions=3, replication_factor=1,
        under_replicated_partitions=0, offline_partitions=0)
    assert result["under_replicated_partitions"] == 0
    assert result["offline_partitions"] == 0
    assert "brokers" not in result and "consumer_groups" not in result


def test_reports_a_groups_lag_after_producing_unconsumed_messages(run_module, kafka):
    topic, group = create_topic(kafka.bootstrap, 2), unique("group")
    produce(kafka.bootstrap, topic, 5, 2)
    consume_everything(kafka.bootstrap, topic, group, 10)
    assert by_name(succeeded(run_module(MODULE, gather=["consumer_groups"]))["consumer_groups"], group) == dict(
        name=group, state="Empty", members=0, total_lag=0)

    produce(kafka.bootstrap, topic, 3, 2)
    result = succeeded(run_module(MODULE, gather=["consumer_groups"], lag_per_partition=True))
    assert by_name(result["consumer_groups"], group) == dict(
        name=group, state="Empty", members=0, total_lag=6, partitions=[
            dict(topic=topic, partition=0, committed=5, log_end=8, lag=3),
            dict(topic=topic, partition=1, committed=5, log_end=8, lag=3),
        ])
    assert "brokers" not in result and "topics" not in result


def test_reports_the_members_of_an_active_group(run_module, kafka):
    topic, group = create_topic(kafka.bootstrap, 1), unique("group")
    consumer = Consumer({"bootstrap.servers": kafka.bootstrap, "group.id": group})
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
