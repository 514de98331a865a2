"""kafka_messages against the real fixture brokers, plaintext and SASL_SSL,
with records that a real AvroSerializer wrote through the session's registry.

Every topic has 2 partitions; each holds ORDERS_PER_PARTITION Avro orders
whose timestamps are BASE + i minutes (BASE one hour ago), so a timestamp
picks a known tail of each partition.
"""
import datetime
import json
import threading
import time
import uuid

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import (AclBinding, AclBindingFilter, AclOperation, AclPermissionType, AdminClient,
                                   NewTopic, ResourcePatternType, ResourceType)
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from tests.bench.services import QUIET_LOGGER, delete_topics
from tests.real_cluster.module_results import assert_failed, succeeded
from tests.real_cluster.test_kafka_schema import ORDER

MODULE = "kafka_messages"
PARTITIONS = 2
ORDERS_PER_PARTITION = 6
MINUTE_MS = 60000
# The consumer's group id, which kafka_messages must never leave on the broker.
READER_GROUP = "ecommerce.kafka.kafka_messages"


@pytest.fixture
def admin(cluster):
    return AdminClient({**cluster.client_config(), "logger": QUIET_LOGGER})


@pytest.fixture
def topic(cluster, admin):
    """(name, BASE in ms): an empty topic of PARTITIONS partitions, deleted afterwards."""
    name = f"messages-{uuid.uuid4().hex[:10]}"
    admin.create_topics([NewTopic(name, PARTITIONS, 1)])[name].result(30)
    yield name
    delete_topics(admin, [name])


@pytest.fixture
def orders(cluster, schema_registry, topic):
    """The orders written to `topic` through the registry: {(partition, i): order}, and BASE."""
    registry = SchemaRegistryClient(schema_registry.client_config())
    serializer = AvroSerializer(registry, json.dumps(ORDER), conf={"subject.name.strategy.type": "TOPIC"})
    producer = Producer({**cluster.client_config(), "acks": "all", "logger": QUIET_LOGGER})
    base_ms = (int(time.time()) - 3600) * 1000
    written = {}
    for partition in range(PARTITIONS):
        for i in range(ORDERS_PER_PARTITION):
            order = {"order_id": f"order-{partition}-{i}", "amount": 10.0 * i + partition}
            producer.produce(topic, key=order["order_id"].encode(), partition=partition, timestamp=base_ms + i * MINUTE_MS,
                             value=serializer(order, SerializationContext(topic, MessageField.VALUE)),
                             headers=[("source", b"web")])
            written[(partition, i)] = order
    assert producer.flush(30) == 0
    return written, base_ms


def read(run_module, topic, schema_registry, **args):
    """The module's result; a generous deadline, as each read here ends by its count or the log ends,
    which a loaded machine reaches late."""
    return succeeded(run_module(MODULE, topic=topic, registry_url=schema_registry.url, **{"timeout": 60, **args}))


@pytest.mark.on_both_brokers
def test_reads_from_the_beginning_decoding_avro_through_the_registry(run_module, topic, orders, schema_registry):
    written = orders[0]
    result = read(run_module, topic, schema_registry, max_messages=100)
    assert result["changed"] is False
    assert (result["count"], result["stopped_by"]) == (len(written), "end_of_partitions")
    assert result["start_offsets"] == {"0": 0, "1": 0}
    schema_id = SchemaRegistryClient(schema_registry.client_config()).get_latest_version(f"{topic}-value").schema_id
    for message in result["messages"]:
        assert message["value"] == written[(message["partition"], message["offset"])]
        assert (message["value_format"], message["value_schema_id"]) == ("avro", schema_id)
        assert (message["key"], message["key_format"]) == (message["value"]["order_id"], "text")
        assert message["headers"] == [{"key": "source", "value": "web"}]
    for partition in range(PARTITIONS):
        offsets = [m["offset"] for m in result["messages"] if m["partition"] == partition]
        assert offsets == list(range(ORDERS_PER_PARTITION))


@pytest.mark.on_both_brokers
def test_reads_from_a_timestamp_only_the_records_at_or_after_it(run_module, topic, orders, schema_registry):
    written, base_ms = orders
    moment = datetime.datetime.fromtimestamp(base_ms / 1000 + 4 * 60, datetime.timezone.utc)
    result = read(run_module, topic, schema_registry, start="timestamp", timestamp=moment.isoformat(),
                  max_messages=100)
    assert result["start_offsets"] == {"0": 4, "1": 4}
    assert sorted((m["partition"], m["offset"]) for m in result["messages"]) == [
        (partition, i) for partition in range(PARTITIONS) for i in range(4, ORDERS_PER_PARTITION)]
    assert all(m["timestamp"] == base_ms + m["offset"] * MINUTE_MS for m in result["messages"])


@pytest.mark.on_both_brokers
def test_max_messages_one_partition_and_an_offset(run_module, topic, orders, schema_registry):
    result = read(run_module, topic, schema_registry, partition=1, start="offset", offset=2, max_messages=3)
    assert (result["count"], result["stopped_by"]) == (3, "max_messages")
    assert [(m["partition"], m["offset"]) for m in result["messages"]] == [(1, 2), (1, 3), (1, 4)]


@pytest.mark.on_both_brokers
def test_without_a_registry_avro_values_are_base64_with_their_schema_id(run_module, topic, orders, schema_registry):
    result = succeeded(run_module(MODULE, topic=topic, partition=0, max_messages=1, timeout=60))
    message = result["messages"][0]
    schema_id = SchemaRegistryClient(schema_registry.client_config()).get_latest_version(f"{topic}-value").schema_id
    assert (message["value_format"], message["value_schema_id"]) == ("base64", schema_id)
    assert (message["key"], message["key_format"]) == ("order-0-0", "text")


@pytest.mark.on_both_brokers
def test_reading_leaves_no_consumer_group(run_module, topic, orders, schema_registry, admin):
    read(run_module, topic, schema_registry, max_messages=100)
    read(run_module, topic, schema_registry, start="end", timeout=1)
    groups = admin.list_consumer_groups(request_timeout=10).result(15)
    assert READER_GROUP not in [group.group_id for group in groups.valid]


@pytest.mark.on_both_brokers
def test_an_empty_topic_answers_at_once(run_module, topic, schema_registry):
    started = time.monotonic()
    result = read(run_module, topic, schema_registry, timeout=60)
    assert (result["count"], result["stopped_by"]) == (0, "end_of_partitions")
    assert time.monotonic() - started < 20


@pytest.mark.on_both_brokers
def test_from_the_end_reads_only_what_arrives(cluster, run_module, topic, orders, schema_registry):
    """A writer keeps adding records, since the module's start takes a moment."""
    stop = threading.Event()

    def write():
        producer = Producer({**cluster.client_config(), "logger": QUIET_LOGGER})
        while not stop.wait(0.3):
            producer.produce(topic, value=b"late", partition=0)
            producer.flush(10)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        result = read(run_module, topic, schema_registry, start="end", max_messages=1, timeout=60)
    finally:
        stop.set()
        writer.join()
    assert result["start_offsets"]["1"] == ORDERS_PER_PARTITION
    assert (result["count"], result["stopped_by"]) == (1, "max_messages")
    message = result["messages"][0]
    assert (message["partition"], message["value"], message["value_format"]) == (0, "late", "text")
    assert message["offset"] >= ORDERS_PER_PARTITION


@pytest.mark.on_both_brokers
def test_from_the_end_stops_at_the_deadline(run_module, topic, orders, schema_registry):
    started = time.monotonic()
    result = read(run_module, topic, schema_registry, start="end", timeout=2)
    assert (result["count"], result["stopped_by"]) == (0, "timeout")
    assert time.monotonic() - started < 2 + 20


@pytest.mark.on_both_brokers
def test_an_unknown_topic_or_partition_is_one_line(run_module, topic, schema_registry):
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    assert_failed(run_module(MODULE, topic=missing), f"topic {missing} does not exist")
    assert_failed(run_module(MODULE, topic=topic, partition=7), f"topic {topic} has no partition 7 (it has 2)")


@pytest.mark.parametrize("args, fragment", [
    ({"start": "timestamp", "timestamp": "yesterday"}, "datetime 'yesterday' is not ISO 8601"),
    ({"value_format": "avro"}, "value_format avro needs registry_url"),
    ({"start": "offset"}, "start is offset but all of the following are missing: offset"),
])
def test_bad_input_is_one_line(run_module, topic, args, fragment):
    assert_failed(run_module(MODULE, topic=topic, **args), fragment)


@pytest.mark.on_both_brokers
def test_text_refuses_bytes_that_are_not_utf8_naming_the_record(cluster, run_module, topic):
    producer = Producer({**cluster.client_config(), "logger": QUIET_LOGGER})
    producer.produce(topic, value=b"\xff\xfe", partition=0)
    assert producer.flush(30) == 0
    assert_failed(run_module(MODULE, topic=topic, partition=0, value_format="text", timeout=60),
                  f"topic {topic} partition 0 offset 0: the value is not shown as text: it is not UTF-8 text")


@pytest.mark.parametrize("cluster", ["sasl_ssl"], indirect=True)
def test_a_reader_needs_read_on_the_topic_and_no_group_right(cluster, run_module, topic, orders, schema_registry,
                                                             admin):
    """The secured broker's `app` user: refused without an ACL, then with Read on the topic only."""
    as_app = dict(topic=topic, registry_url=schema_registry.url, max_messages=100, timeout=60,
                  **cluster.module_params(user="app"))
    assert_failed(run_module(MODULE, **as_app), f"topic {topic}: ", "authorization failed")
    binding = AclBinding(ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, "User:app", "*", AclOperation.READ,
                         AclPermissionType.ALLOW)
    admin.create_acls([binding], request_timeout=10)[binding].result(15)
    try:
        result = succeeded(run_module(MODULE, **as_app))
        assert result["count"] == len(orders[0])
    finally:
        admin.delete_acls([AclBindingFilter(ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, "User:app", None,
                                            AclOperation.ANY, AclPermissionType.ANY)], request_timeout=10)
