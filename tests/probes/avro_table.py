"""One Avro record per topic of the table, through the schema the roles
registered: AvroSerializer with that schema (registering nothing), the
broker with acks=all, and AvroDeserializer, as the platform's applications
use them. Shared by verify_stack.py (local) and cluster_probe.py (prod)."""
import datetime
import json
import time
import uuid

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

# Subjects are named after the topic (<topic>-value). confluent-kafka 2.16's
# serdes otherwise first ask Confluent's associations API, which Apicurio's
# ccompat API does not have (404); one such lookup was seen to never get its
# answer. The serializer writes with the subject's latest schema, the one the
# kafka_topics role registered, and registers nothing of its own.
SERIALIZER_CONF = {"subject.name.strategy.type": "TOPIC", "auto.register.schemas": False,
                   "use.latest.version": True}
DESERIALIZER_CONF = {"subject.name.strategy.type": "TOPIC"}
PRIMITIVE_EXAMPLES = {"string": "example", "int": 1, "long": 1, "float": 1.5, "double": 1.5, "boolean": True,
                      "bytes": b"\x01", "null": None}


def example(avro_type, named=None):
    """A value of the Avro type: each field's default where it has one."""
    named = {} if named is None else named
    if isinstance(avro_type, list):
        branches = [branch for branch in avro_type if branch != "null"]
        return example(branches[0], named) if branches else None
    if isinstance(avro_type, str):
        return named[avro_type] if avro_type in named else PRIMITIVE_EXAMPLES[avro_type]
    kind = avro_type["type"]
    if kind == "record":
        value = {field["name"]: field["default"] if "default" in field and field["default"] is not None
                 else example(field["type"], named) for field in avro_type["fields"]}
        named[avro_type["name"]] = value
        return value
    if kind == "enum":
        named[avro_type["name"]] = avro_type["symbols"][0]
        return avro_type["symbols"][0]
    if kind == "array":
        return [example(avro_type["items"], named)]
    if kind == "map":
        return {"key": example(avro_type["values"], named)}
    if kind == "fixed":
        return b"\x00" * avro_type["size"]
    if avro_type.get("logicalType", "").startswith("timestamp-"):
        # Whole seconds: the deserializer gives a datetime back, equal only without a fraction lost on the way.
        return datetime.datetime.fromtimestamp(int(time.time()), datetime.timezone.utc)
    return example(kind, named)


def round_trip(client_config, registry, topic, timeout):
    """Write one example record of <topic>-value's latest schema and read it
    back at its offset; what was seen, or a ValueError saying what went wrong."""
    try:
        latest = registry.get_latest_version(f"{topic}-value")
    except SchemaRegistryError as exc:
        raise ValueError(f"{topic}-value: {exc.error_message} (HTTP {exc.http_status_code})")
    record = example(json.loads(latest.schema.schema_str))
    context = SerializationContext(topic, MessageField.VALUE)
    value = AvroSerializer(registry, conf=SERIALIZER_CONF)(record, context)
    delivered = []
    producer = Producer({**client_config, "acks": "all", "enable.idempotence": True})
    producer.produce(topic, value=value, on_delivery=lambda err, msg: delivered.append((err, msg)))
    if producer.flush(timeout) or not delivered or delivered[0][0] is not None:
        raise ValueError(f"{topic}: the record was not delivered ({delivered[0][0] if delivered else 'no answer'})")
    written = delivered[0][1]
    consumer = Consumer({**client_config, "group.id": f"probe-{uuid.uuid4().hex[:8]}", "enable.auto.commit": False})
    try:
        consumer.assign([TopicPartition(topic, written.partition(), written.offset())])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                raise KafkaException(message.error())
            read = AvroDeserializer(registry, conf=DESERIALIZER_CONF)(message.value(), context)
            if read != record:
                raise ValueError(f"{topic}: read back {read}, wrote {record}")
            return {"subject": f"{topic}-value", "version": latest.version, "schema_id": latest.schema_id,
                    "partition": written.partition(), "offset": written.offset()}
    finally:
        consumer.close()
    raise ValueError(f"{topic}: the record written at partition {written.partition()} offset {written.offset()} "
                     f"was not read back within {timeout}s")
