"""kafka_client_benchmark against the real fixture brokers, plaintext and SASL_SSL,
with small figures: these tests prove what is measured and left behind, not
which profile wins (`playbooks/client_profiles_benchmark.yml` says that on a
deployed cluster)."""
import uuid

import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from tests.real_cluster.module_results import assert_failed, succeeded

PARTITIONS = 3
SMALL = {"messages": 2000, "message_size": 200, "latency_rate": 200, "latency_seconds": 1, "rounds": 1}
pytestmark = pytest.mark.on_both_brokers


@pytest.fixture
def topic(cluster):
    name = f"bench-{uuid.uuid4().hex[:10]}"
    admin = AdminClient(cluster.client_config())
    admin.create_topics([NewTopic(name, PARTITIONS, 1)])[name].result(30)
    return name


def stored_messages(cluster, topic):
    consumer = Consumer({**cluster.client_config(), "group.id": "unused"})
    try:
        return sum(high - low for low, high in (
            consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=15)
            for partition in range(PARTITIONS)))
    finally:
        consumer.close()


def test_every_profile_is_measured_judged_and_leaves_no_group(run_module, cluster, topic):
    result = succeeded(run_module("kafka_client_benchmark", topic=topic, **SMALL))
    assert result["changed"]

    producers = {row["profile"]: row for row in result["producers"]}
    assert sorted(producers) == ["durable", "high_throughput", "low_latency"]
    for row in producers.values():
        assert row["messages"] == 2000 and row["messages_per_second"] > 0 and row["mb_per_second"] > 0
        assert 0 < row["produce_p50_ms"] <= row["produce_p99_ms"]
        assert 0 < row["end_to_end_p50_ms"] <= row["end_to_end_p99_ms"]
    consumers = {row["profile"]: row for row in result["consumers"]}
    assert sorted(consumers) == ["default", "fast"]
    assert all(row["messages"] == 2000 and row["messages_per_second"] > 0 for row in consumers.values())

    assert len(result["verdicts"]) == 5
    assert all(isinstance(verdict["beats"], bool) and verdict["text"] for verdict in result["verdicts"])
    assert len(result["table"]) == 1 + 3 + 1 + 2

    # Three throughput rounds, and three latency runs of a warm-up message and 200 timed ones, all kept.
    assert stored_messages(cluster, topic) == 3 * 2000 + 3 * (1 + 200)
    admin = AdminClient(cluster.client_config())
    groups = admin.list_consumer_groups(request_timeout=15).result(30)
    assert not [group.group_id for group in groups.valid
                if group.group_id.startswith("ecommerce.kafka.client-benchmark")]


def test_a_missing_topic_is_named_before_anything_is_sent(run_module):
    missing = f"missing-{uuid.uuid4().hex[:10]}"
    assert_failed(run_module("kafka_client_benchmark", topic=missing, **SMALL),
                  f"topic {missing} does not exist; create it first")


def test_an_unknown_profile_is_refused(run_module, topic):
    assert_failed(run_module("kafka_client_benchmark", topic=topic, producer_profiles=["durable", "fastest"], **SMALL),
                  "producer profile 'fastest' is not one of durable, high_throughput, low_latency")
    assert_failed(run_module("kafka_client_benchmark", topic=topic, rounds=0,
                             **{key: value for key, value in SMALL.items() if key != "rounds"}),
                  f"topic {topic}: rounds must be at least 1, got 0")
