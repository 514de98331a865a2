#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: kafka_messages
short_description: Read messages of a topic, Avro decoded through the schema registry, without a trace
version_added: 0.4.0
description:
  - Reads up to O(max_messages) messages of a topic, in place of
    C(kafka-console-consumer --from-beginning --max-messages 10), from the beginning, from the end (what arrives
    before the deadline), from an offset or from a timestamp, in every partition or in one.
  - It only reads. The consumer is assigned its partitions at explicit offsets, joins no consumer group and commits
    no offset, so the broker keeps no group of it and no application's offsets move.
  - From the beginning, an offset or a timestamp, the read stops at the log end that each partition had when the
    module started, so an empty or idle topic answers at once; from the end it waits for new messages until
    O(timeout). RV(stopped_by) says which limit ended the read.
  - Values and keys in the registry's wire format (a zero byte and a schema id) are decoded as Avro through the
    registry when O(registry_url) is given, with the schema id in the result, and shown as base64 without it; other
    bytes are shown as UTF-8 text, or as base64 when they are not text.
author:
  - ecommerce platform team (!UNKNOWN)
extends_documentation_fragment:
  - ecommerce.kafka.connection
  - ecommerce.kafka.registry
attributes:
  check_mode:
    support: full
    description: The module never changes anything, so it runs the same in check mode.
  diff_mode:
    support: N/A
    description: The module never changes anything.
options:
  topic:
    description: The topic to read.
    type: str
    required: true
  partition:
    description: Read this partition only; omitted, every partition of the topic.
    type: int
  start:
    description:
      - Where the read starts in each partition. V(beginning), the oldest record kept; V(end), after the newest, so
        only messages produced before the deadline are read; V(offset), at O(offset); V(timestamp), at the first
        record whose timestamp is at or after O(timestamp).
    type: str
    choices: [beginning, end, offset, timestamp]
    default: beginning
  offset:
    description:
      - With O(start=offset), the offset to start at in each partition read; an offset before the log start starts
        there, one past the log end reads nothing.
    type: int
  timestamp:
    description:
      - With O(start=timestamp), an ISO 8601 date and time (C(2024-01-01T00:00:00), no zone meaning UTC, or
        C(2024-01-01T00:00:00+02:00)).
    type: str
  max_messages:
    description: Stop after this many messages.
    type: int
    default: 10
  timeout:
    description:
      - Seconds of wall-clock time the read may take after the topic's metadata and offsets are read; the
        messages read by then are returned, with RV(stopped_by=timeout).
    type: int
    default: 10
  key_format:
    description:
      - How keys are shown. V(auto), Avro when the key carries a schema id and O(registry_url) is given, else UTF-8
        text, else base64; V(avro) fails on a key that is not Avro; V(text) fails on one that is not UTF-8.
    type: str
    choices: [auto, avro, text, base64]
    default: auto
  value_format:
    description: How values are shown, as O(key_format).
    type: str
    choices: [auto, avro, text, base64]
    default: auto
  registry_url:
    description:
      - The registry that decodes Avro keys and values, C(https://HOST:PORT/apis/ccompat/v7) (or C(http://)); omitted,
        nothing is decoded as Avro.
    required: false
notes:
  - The module runs where C(confluent-kafka) is installed, usually the controller (C(delegate_to) or
    C(connection=local)).
  - A principal with Read on the topic is enough; it needs no right on any consumer group.
'''

EXAMPLES = r'''
- name: Read the first ten events of raw-events, Avro decoded (kafka-console-consumer --from-beginning)
  ecommerce.kafka.kafka_messages:
    bootstrap_servers: localhost:9092
    registry_url: http://localhost:8081/apis/ccompat/v7
    topic: raw-events
  register: first_events

- name: Read what partition 2 of fraud-scores received since a moment
  ecommerce.kafka.kafka_messages:
    bootstrap_servers: localhost:9092
    topic: fraud-scores
    partition: 2
    start: timestamp
    timestamp: "2024-06-01T08:00:00Z"
    max_messages: 100
'''

RETURN = r'''
messages:
  description: The messages read, in the order the consumer received them (by offset within a partition).
  returned: success
  type: list
  elements: dict
  contains:
    partition:
      description: Partition of the message.
      type: int
      sample: 0
    offset:
      description: Offset of the message in its partition.
      type: int
      sample: 42
    timestamp:
      description: Timestamp of the message, milliseconds since the epoch; null when it has none.
      type: int
      sample: 1717228800000
    key:
      description: The key, decoded as RV(messages[].key_format) says; null for no key.
      type: raw
      sample: order-1001
    key_format:
      description: How the key is shown, V(avro), V(text) or V(base64); null for no key.
      type: str
      sample: text
    key_schema_id:
      description: The registry's schema id of a key in the registry's wire format, as RV(messages[].value_schema_id).
      type: int
      sample: null
    value:
      description: The value, an Avro record as a mapping, text, or base64; null for a tombstone.
      type: raw
      sample: {"event_id": "e-1", "event_type": "PAGE_VIEW"}
    value_format:
      description: How the value is shown, V(avro), V(text) or V(base64); null for a tombstone.
      type: str
      sample: avro
    value_schema_id:
      description:
        - The registry's schema id of a value in the registry's wire format, decoded as Avro or, without
          O(registry_url), shown as base64; else null.
      type: int
      sample: 1
    headers:
      description: The headers, each with its key and its value as text (base64 when not UTF-8).
      type: list
      elements: dict
      sample: [{"key": "source", "value": "web"}]
count:
  description: How many messages were read.
  returned: success
  type: int
  sample: 10
stopped_by:
  description:
    - What ended the read. V(max_messages), O(max_messages) reached; V(end_of_partitions), every partition read to the
      log end it had when the module started; V(timeout), O(timeout) passed (the usual end with O(start=end)).
  returned: success
  type: str
  sample: end_of_partitions
start_offsets:
  description: The offset each partition read started at, by partition number.
  returned: success
  type: dict
  sample: {"0": 0, "1": 0, "2": 0}
'''

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ecommerce.kafka.plugins.module_utils.consumer_group import parse_datetime
from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    KAFKA_REQUIRED_TOGETHER, KafkaModuleError, kafka_common_argument_spec, require_confluent_kafka)
from ansible_collections.ecommerce.kafka.plugins.module_utils.messages import (
    FORMAT_CHOICES, START_CHOICES, Decoder, MessageReader, avro_deserializers, start_offsets)
from ansible_collections.ecommerce.kafka.plugins.module_utils.registry import (
    REGISTRY_REQUIRED_TOGETHER, RegistryConnection, registry_argument_spec)


def argument_spec():
    spec = kafka_common_argument_spec()
    spec.update(registry_argument_spec())
    spec['registry_url']['required'] = False
    spec.update(
        topic=dict(type='str', required=True),
        partition=dict(type='int'),
        start=dict(type='str', choices=START_CHOICES, default='beginning'),
        offset=dict(type='int'),
        timestamp=dict(type='str'),
        max_messages=dict(type='int', default=10),
        timeout=dict(type='int', default=10),
        key_format=dict(type='str', choices=FORMAT_CHOICES, default='auto'),
        value_format=dict(type='str', choices=FORMAT_CHOICES, default='auto'),
    )
    return spec


def decoder(module):
    params = module.params
    if params['registry_url']:
        return Decoder(params['key_format'], params['value_format'], avro_deserializers(RegistryConnection(module).client))
    if 'avro' in (params['key_format'], params['value_format']):
        module.fail_json(msg='topic %s: key_format or value_format avro needs registry_url' % params['topic'])
    return Decoder(params['key_format'], params['value_format'])


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        required_together=KAFKA_REQUIRED_TOGETHER + REGISTRY_REQUIRED_TOGETHER,
        required_if=[('start', 'offset', ['offset']), ('start', 'timestamp', ['timestamp'])],
        supports_check_mode=True,
    )
    params = module.params
    require_confluent_kafka(module)
    if params['max_messages'] < 1 or params['timeout'] < 1:
        module.fail_json(msg='topic %s: max_messages and timeout must be at least 1' % params['topic'])
    try:
        timestamp_ms = parse_datetime(params['timestamp']) if params['start'] == 'timestamp' else None
    except ValueError as exc:
        module.fail_json(msg='topic %s: %s' % (params['topic'], exc))
    message_decoder = decoder(module)

    reader = None
    try:
        reader = MessageReader(params)
        partitions = reader.partitions(params['partition'])
        watermarks = reader.watermarks(partitions)
        starts = start_offsets(params['start'], watermarks, params['offset'],
                               reader.offsets_at(partitions, timestamp_ms) if timestamp_ms is not None else None)
        stops = dict((partition, None if params['start'] == 'end' else high)
                     for partition, (low, high) in watermarks.items())
        messages, stopped_by = reader.read(starts, stops, params['max_messages'],
                                           time.monotonic() + params['timeout'], message_decoder)
    except KafkaModuleError as exc:
        module.fail_json(msg=str(exc))
    finally:
        if reader:
            reader.close()
    module.exit_json(changed=False, messages=messages, count=len(messages), stopped_by=stopped_by,
                     start_offsets=dict((str(partition), offset) for partition, offset in sorted(starts.items())))


if __name__ == '__main__':
    main()
