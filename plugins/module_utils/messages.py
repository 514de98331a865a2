# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Reading a topic's messages without leaving a trace, for kafka_messages.

The consumer is assigned partitions at explicit offsets: it joins no group
and commits nothing, so the broker keeps no group of it. Planning the start
offsets and turning a record into facts are pure and unit tested; the reader
takes the module's parameters and raises KafkaModuleError with one line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import decimal
import struct
import time
import uuid

from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    HAS_CONFLUENT_KAFKA, KafkaModuleError, _ClientLog, describe_kafka_error, get_client_config)

if HAS_CONFLUENT_KAFKA:
    from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
    from confluent_kafka.schema_registry.avro import AvroDeserializer
    from confluent_kafka.serialization import MessageField, SerializationContext

START_CHOICES = ['beginning', 'end', 'offset', 'timestamp']
FORMAT_CHOICES = ['auto', 'avro', 'text', 'base64']
# The Confluent wire format: a zero byte, then the schema id as 4 bytes big-endian.
_WIRE_HEADER = struct.Struct('>bI')


def start_offsets(start, watermarks, offset=None, timestamp_offsets=None):
    """{partition: first offset to read}, from {partition: (log start, log end)}.

    An offset outside a partition's log starts at its nearest end; a
    timestamp after the last record starts at the log end, where nothing is left.
    """
    offsets = {}
    for partition, (low, high) in watermarks.items():
        if start == 'beginning':
            offsets[partition] = low
        elif start == 'end':
            offsets[partition] = high
        elif start == 'offset':
            offsets[partition] = max(low, min(offset, high))
        else:
            found = timestamp_offsets[partition]
            offsets[partition] = high if found < 0 else max(low, found)
    return offsets


def schema_id(data):
    """The registry's schema id in a Confluent-framed value, or None."""
    if data is None or len(data) < _WIRE_HEADER.size:
        return None
    magic, identifier = _WIRE_HEADER.unpack_from(data)
    return identifier if magic == 0 else None


def plain(data, wanted):
    """(format, value) of bytes shown as text or base64: `auto` is text when it is UTF-8."""
    if wanted in ('auto', 'text'):
        try:
            return 'text', data.decode('utf-8')
        except UnicodeDecodeError:
            if wanted == 'text':
                raise ValueError('it is not UTF-8 text')
    return 'base64', base64.b64encode(data).decode('ascii')


def jsonable(value):
    """An Avro datum as JSON: bytes as base64, logical types as text."""
    if isinstance(value, dict):
        return dict((key, jsonable(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode('ascii')
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


def avro_deserializers(registry_client):
    """{'key': f, 'value': f}, f(data, topic) -> datum, decoded with the writer's schema from the registry.

    Subjects are named after the topic: confluent-kafka's default strategy first
    asks Confluent's associations API, which Apicurio's ccompat API does not have."""
    deserializer = AvroDeserializer(registry_client, conf={'subject.name.strategy.type': 'TOPIC'})
    return dict(
        key=lambda data, topic: deserializer(data, SerializationContext(topic, MessageField.KEY)),
        value=lambda data, topic: deserializer(data, SerializationContext(topic, MessageField.VALUE)))


class Decoder:
    """Keys and values as the module shows them; Avro through the registry when one is given."""

    def __init__(self, key_format, value_format, avro_deserializers=None):
        self.formats = {'key': key_format, 'value': value_format}
        self.avro = avro_deserializers

    def field(self, message, field):
        """{field, field_format, field_schema_id} of one record; all null for no key or a tombstone."""
        data = message.key() if field == 'key' else message.value()
        if data is None:
            return {field: None, field + '_format': None, field + '_schema_id': None}
        wanted = self.formats[field]
        identifier = schema_id(data)
        where = 'topic %s partition %d offset %d: the %s' % (
            message.topic(), message.partition(), message.offset(), field)
        if wanted == 'avro' or (wanted == 'auto' and identifier is not None and self.avro):
            if identifier is None:
                raise KafkaModuleError('%s is not Avro in the registry\'s wire format (no schema id)' % where)
            try:
                decoded = self.avro[field](data, message.topic())
            except Exception as exc:  # the deserializer raises for unknown ids and bad data alike
                raise KafkaModuleError('%s with schema id %d could not be decoded: %s' % (where, identifier, exc))
            return {field: jsonable(decoded), field + '_format': 'avro', field + '_schema_id': identifier}
        # Framed Avro without a registry is binary, even when its bytes happen to be UTF-8.
        framed = wanted == 'auto' and identifier is not None
        try:
            shown_as, shown = plain(data, 'base64' if framed else wanted)
        except ValueError as exc:
            raise KafkaModuleError('%s is not shown as %s: %s' % (where, wanted, exc))
        return {field: shown, field + '_format': shown_as, field + '_schema_id': identifier if framed else None}


def message_facts(message, decoder):
    timestamp_type, timestamp = message.timestamp()
    facts = dict(partition=message.partition(), offset=message.offset(),
                 timestamp=timestamp if timestamp_type else None,
                 headers=[dict(key=key, value=None if value is None else plain(value, 'auto')[1])
                          for key, value in (message.headers() or [])])
    facts.update(decoder.field(message, 'key'))
    facts.update(decoder.field(message, 'value'))
    return facts


class MessageReader:
    """A consumer of one topic that reads and commits nothing it is not asked to."""

    def __init__(self, params):
        self.topic = params['topic']
        self.timeout = params['request_timeout']
        self.bootstrap_servers = params['bootstrap_servers']
        self.client_log = _ClientLog()
        config = get_client_config(params)
        # Consumer() wants a group; assign() never joins it and nothing is committed to it.
        config.update({'group.id': 'ecommerce.kafka.kafka_messages', 'enable.auto.commit': False,
                       'enable.auto.offset.store': False, 'enable.partition.eof': True,
                       'logger': self.client_log.logger})
        try:
            self.consumer = Consumer(config)
        except KafkaException as exc:
            raise KafkaModuleError('brokers %s: the client cannot be set up: %s' % (
                self.bootstrap_servers, describe_kafka_error(exc)))

    def why_unreachable(self):
        """The last complaint librdkafka logged, to explain a timeout (describe_kafka_error asks)."""
        self.consumer.poll(0)
        return self.client_log.last or 'no answer'

    def fail(self, exc):
        return KafkaModuleError('topic %s: %s' % (self.topic, describe_kafka_error(exc, self)))

    def partitions(self, only):
        """The topic's partition numbers, or `only` after checking that it has it."""
        try:
            metadata = self.consumer.list_topics(self.topic, timeout=self.timeout).topics.get(self.topic)
        except KafkaException as exc:
            raise self.fail(exc)
        if metadata is None or (metadata.error and metadata.error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART):
            raise KafkaModuleError('topic %s does not exist' % self.topic)
        if metadata.error:
            raise KafkaModuleError('topic %s: %s' % (self.topic, metadata.error.str()))
        numbers = sorted(metadata.partitions)
        if only is None:
            return numbers
        if only not in numbers:
            raise KafkaModuleError('topic %s has no partition %d (it has %d)' % (self.topic, only, len(numbers)))
        return [only]

    def watermarks(self, partitions):
        try:
            return dict((partition, self.consumer.get_watermark_offsets(
                TopicPartition(self.topic, partition), timeout=self.timeout)) for partition in partitions)
        except KafkaException as exc:
            raise self.fail(exc)

    def offsets_at(self, partitions, timestamp_ms):
        try:
            found = self.consumer.offsets_for_times(
                [TopicPartition(self.topic, partition, timestamp_ms) for partition in partitions], timeout=self.timeout)
        except KafkaException as exc:
            raise self.fail(exc)
        return dict((each.partition, each.offset) for each in found)

    def read(self, starts, stops, max_messages, deadline, decoder):
        """Up to max_messages records from `starts` until each partition's stop
        offset (None: until the deadline); (facts, what stopped the read)."""
        pending = set(partition for partition, first in starts.items()
                      if stops[partition] is None or first < stops[partition])
        self.consumer.assign([TopicPartition(self.topic, partition, starts[partition]) for partition in pending])
        messages = []
        while True:
            if len(messages) >= max_messages:
                return messages, 'max_messages'
            if not pending:
                return messages, 'end_of_partitions'
            left = deadline - time.monotonic()
            if left <= 0:
                return messages, 'timeout'
            message = self.consumer.poll(min(1.0, left))
            if message is None:
                continue
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    if stops[message.partition()] is not None:
                        pending.discard(message.partition())
                    continue
                if error.fatal() or message.topic() == self.topic:
                    raise KafkaModuleError('topic %s: %s' % (self.topic, error.str()))
                continue  # a passing client error (a broker reconnecting): the deadline bounds the read
            stop = stops[message.partition()]
            if stop is not None and message.offset() >= stop:
                pending.discard(message.partition())
                continue
            messages.append(message_facts(message, decoder))
            if stop is not None and message.offset() + 1 >= stop:
                pending.discard(message.partition())

    def close(self):
        self.consumer.close()
