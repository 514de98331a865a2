"""module_utils/cluster: the counts kafka_info derives from confluent-kafka's descriptions."""
import pytest
from confluent_kafka import Node, TopicPartitionInfo
from confluent_kafka.admin import PartitionMetadata, TopicDescription, TopicMetadata

from ansible_collections.ecommerce.kafka.plugins.module_utils.cluster import (
    broker_facts, group_facts, health_problems, metadata_topic_facts, node_id, topic_facts)

BROKERS = [Node(3, "kafka3", 9092, "rack-b"), Node(1, "kafka1", 9093), Node(2, "kafka2", 9092, "rack-a")]
NO_LEADER = Node(-1, "", -1)


def partition(number, leader, replicas, isr):
    nodes = dict((node.id, node) for node in BROKERS)
    return TopicPartitionInfo(number, nodes.get(leader, leader),
                              [nodes[i] for i in replicas], [nodes[i] for i in isr])


def test_broker_facts_sorted_by_id():
    assert broker_facts(BROKERS) == [
        dict(id=1, host="kafka1", port=9093, rack=None),
        dict(id=2, host="kafka2", port=9092, rack="rack-a"),
        dict(id=3, host="kafka3", port=9092, rack="rack-b"),
    ]


@pytest.mark.parametrize("node, expected", [(None, None), (NO_LEADER, None), (BROKERS[0], 3)])
def test_node_id(node, expected):
    assert node_id(node) == expected


@pytest.mark.parametrize("partitions, replication_factor, under_replicated, offline", [
    ([partition(0, 1, [1, 2, 3], [1, 2, 3]), partition(1, 2, [2, 3, 1], [2, 3, 1])], 3, 0, 0),
    ([partition(0, 1, [1, 2, 3], [1, 3]), partition(1, 2, [2, 3, 1], [2, 3, 1])], 3, 1, 0),
    ([partition(0, None, [1, 2], []), partition(1, NO_LEADER, [2, 3], []), partition(2, 3, [3, 1], [3])], 2, 3, 2),
    ([partition(0, 1, [1], [1])], 1, 0, 0),
    ([], 0, 0, 0),
])
def test_topic_facts_counts(partitions, replication_factor, under_replicated, offline):
    facts = topic_facts(TopicDescription("raw-events", None, False, partitions))
    assert facts == dict(name="raw-events", internal=False, partitions=len(partitions),
                         replication_factor=replication_factor, under_replicated_partitions=under_replicated,
                         offline_partitions=offline)


def metadata_partition(number, leader, replicas, isrs):
    metadata = PartitionMetadata()
    metadata.id, metadata.leader, metadata.replicas, metadata.isrs = number, leader, replicas, isrs
    return metadata


def test_metadata_topic_facts_count_like_the_descriptions():
    """The wait's Metadata reading and kafka_info's DescribeTopics reading count alike."""
    metadata = TopicMetadata()
    metadata.partitions = {0: metadata_partition(0, 1, [1, 2, 3], [1, 2, 3]),
                           1: metadata_partition(1, 2, [2, 3, 1], [2]),
                           2: metadata_partition(2, -1, [3, 1, 2], [])}
    assert metadata_topic_facts("raw-events", metadata) == dict(
        name="raw-events", under_replicated_partitions=2, offline_partitions=1)


def test_group_facts_lag_is_log_end_minus_committed():
    committed = {("b", 0): 7, ("a", 1): 0, ("a", 0): 10}
    log_ends = {("a", 0): 12, ("a", 1): 5, ("b", 0): 7, ("c", 0): 99}
    facts = group_facts("g", "Empty", 0, committed, log_ends, lag_per_partition=True)
    assert facts == dict(name="g", state="Empty", members=0, total_lag=7, partitions=[
        dict(topic="a", partition=0, committed=10, log_end=12, lag=2),
        dict(topic="a", partition=1, committed=0, log_end=5, lag=5),
        dict(topic="b", partition=0, committed=7, log_end=7, lag=0),
    ])


def test_group_facts_leave_out_an_unreadable_log_end():
    committed = {("a", 0): 1, ("a", 1): 2}
    facts = group_facts("g", "Empty", 0, committed, {("a", 0): 4, ("a", 1): None}, lag_per_partition=True)
    assert facts["total_lag"] == 3
    assert facts["partitions"][1] == dict(topic="a", partition=1, committed=2, log_end=None, lag=None)


def test_group_facts_without_partitions_on_request():
    facts = group_facts("g", "Stable", 2, {("a", 0): 1}, {("a", 0): 4}, lag_per_partition=False)
    assert facts == dict(name="g", state="Stable", members=2, total_lag=3)


def topic(name, under_replicated=0, offline=0):
    return dict(name=name, under_replicated_partitions=under_replicated, offline_partitions=offline)


def test_health_problems_none_when_every_expected_broker_is_there_and_all_is_replicated():
    brokers = broker_facts(BROKERS)
    assert health_problems(brokers, [topic("raw-events"), topic("fraud-scores")], [1, 2, 3]) == []


def test_health_problems_name_the_missing_brokers_and_the_topics_behind_each_count():
    problems = health_problems(broker_facts(BROKERS[:1]), [
        topic("raw-events", under_replicated=3), topic("fraud-scores", under_replicated=1, offline=1),
        topic("recommendations")], [1, 2, 3])
    assert problems == [
        "brokers 1, 2 not registered",
        "4 under-replicated partitions (raw-events: 3, fraud-scores: 1)",
        "1 offline partitions (fraud-scores: 1)",
    ]


def test_health_problems_cap_the_topics_named():
    topics = [topic("t%d" % number, under_replicated=1) for number in range(8)]
    assert health_problems([], topics, []) == [
        "8 under-replicated partitions (t0: 1, t1: 1, t2: 1, t3: 1, t4: 1, and 3 more topics)"]
