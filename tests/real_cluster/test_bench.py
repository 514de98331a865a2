"""The bench itself: the fixture services are real and usable by clients."""
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

# Subjects named after the topic: confluent-kafka 2.16's serdes otherwise ask
# Confluent's associations API first, which Apicurio's ccompat API lacks (404).
SERDE_CONF = {"subject.name.strategy.type": "TOPIC"}
ORDER_SCHEMA = """{"type": "record", "name": "Order", "namespace": "ecommerce",
 "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "double"}]}"""


def create_topic(bootstrap, partitions=1):
    name = f"bench-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, partitions, 1)])[name].result(30)
    return name


def consume(bootstrap, topic, count, deserialize=lambda value: value):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"g-{topic}",
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    values = []
    try:
        for _attempt in range(300):
            msg = consumer.poll(0.2)
            if msg is not None and not msg.error():
                values.append(deserialize(msg))
            if len(values) == count:
                break
    finally:
        consumer.close()
    return values


def test_message_round_trip_through_the_broker(kafka):
    topic = create_topic(kafka.bootstrap)
    producer = Producer({"bootstrap.servers": kafka.bootstrap, "acks": "all"})
    for i in range(5):
        producer.produce(topic, key=str(i), value=f"event-{i}")
    assert producer.flush(30) == 0
    values = consume(kafka.bootstrap, topic, 5, lambda msg: msg.value().decode())
    assert values == [f"event-{i}" for i in range(5)]


def test_avro_schema_registered_at_the_ccompat_url(schema_registry):
    client = SchemaRegistryClient(schema_registry.client_config())
    subject = f"orders-{uuid.uuid4().hex[:8]}-value"
    schema_id = client.register_schema(subject, Schema(ORDER_SCHEMA, "AVRO"))
    assert schema_id > 0
    assert subject in client.get_subjects()
    assert client.get_latest_version(subject).schema_id == schema_id


def test_avro_round_trip_through_registry_and_broker(kafka, schema_registry):
    client = SchemaRegistryClient(schema_registry.client_config())
    topic = create_topic(kafka.bootstrap)
    serializer = AvroSerializer(client, ORDER_SCHEMA, conf=SERDE_CONF)
    deserializer = AvroDeserializer(client, conf=SERDE_CONF)
    order = {"id": "o-1", "amount": 42.5}
    producer = Producer({"bootstrap.servers": kafka.bootstrap})
    producer.produce(topic, value=serializer(order, SerializationContext(topic, MessageField.VALUE)))
    assert producer.flush(30) == 0
    values = consume(kafka.bootstrap, topic, 1, lambda msg: deserializer(
        msg.value(), SerializationContext(topic, MessageField.VALUE)))
    assert values == [order]
