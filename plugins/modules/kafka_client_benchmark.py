#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: kafka_client_benchmark
short_description: Measure the guide's producer and consumer profiles on a cluster
version_added: 0.4.0
description:
  - Produces and consumes on O(topic) with each client profile of C(ecommerce.kafka.client_profile), rendered for
    librdkafka with the connection options, and returns what each one achieves.
  - For each producer profile, O(rounds) times, in alternating order, O(messages) messages of O(message_size) bytes
    as fast as the producer takes them (RV(producers[].messages_per_second), RV(producers[].mb_per_second), the
    best round); then O(latency_rate) messages a second for O(latency_seconds) seconds, with the time from
    the produce call to the broker's acknowledgement (RV(producers[].produce_p50_ms), C(p99)) and to a consumer
    receiving the message (RV(producers[].end_to_end_p50_ms), C(p99)), after one untimed message that waits for the
    connections.
  - For each consumer profile, O(rounds) times, the time to read O(messages) messages from the start of O(topic)
    (RV(consumers[].messages_per_second)). The consumers are assigned their partitions and join no group; the
    groups their commits create are deleted at the end.
  - RV(verdicts) says, for each promise of the guide, whether the profile beats its baseline on its figure;
    C(high_throughput) beats C(durable) on messages a second, C(low_latency) beats C(durable) and
    C(high_throughput) on produce latency and C(durable) on end-to-end latency. The consumer profiles are measured
    and promise nothing; with librdkafka, C(fast) reads a backlog no faster than C(default).
  - O(topic) must exist; C(playbooks/client_profiles_benchmark.yml) creates it and deletes it afterwards.
author:
  - ecommerce platform team (!UNKNOWN)
extends_documentation_fragment:
  - ecommerce.kafka.connection
attributes:
  check_mode:
    support: none
    description: It writes messages; in check mode Ansible skips it.
  diff_mode:
    support: N/A
    description: There is no state to compare.
options:
  topic:
    description: An existing topic to write the benchmark's messages to.
    type: str
    required: true
  producer_profiles:
    description: Producer profiles to measure.
    type: list
    elements: str
    default: [durable, high_throughput, low_latency]
  consumer_profiles:
    description: Consumer profiles to measure.
    type: list
    elements: str
    default: [default, fast]
  messages:
    description: Messages a throughput round produces, and reads.
    type: int
    default: 100000
  message_size:
    description: Size of each message in bytes; the messages are JSON events, as compressible as real ones.
    type: int
    default: 512
  latency_rate:
    description: Messages a second in the latency measurement.
    type: int
    default: 500
  latency_seconds:
    description: Duration of each latency measurement, in seconds.
    type: int
    default: 5
  rounds:
    description: How many times each measurement runs; the throughput figure is the best round.
    type: int
    default: 2
notes:
  - It runs where C(confluent-kafka) is installed, usually the controller, and the figures include the network
    between there and the brokers.
seealso:
  - module: ecommerce.kafka.kafka_topic
'''

EXAMPLES = r'''
- name: Measure every profile on the bench topic
  ecommerce.kafka.kafka_client_benchmark:
    bootstrap_servers: localhost:9092
    topic: client-profile-bench
  register: bench
'''

RETURN = r'''
producers:
  description: One entry per producer profile.
  returned: always
  type: list
  elements: dict
  sample:
    - {profile: durable, messages: 100000, seconds: 0.76, messages_per_second: 131057, mb_per_second: 67.1,
       produce_p50_ms: 7.41, produce_p99_ms: 12.28, end_to_end_p50_ms: 7.8, end_to_end_p99_ms: 12.69}
  contains:
    profile:
      description: The producer profile.
      type: str
    messages:
      description: Messages of the throughput round.
      type: int
    seconds:
      description: Duration of the best throughput round, until every message was acknowledged.
      type: float
    messages_per_second:
      description: Messages a second of the best throughput round.
      type: int
    mb_per_second:
      description: Megabytes (10^6 bytes) a second of the best throughput round.
      type: float
    produce_p50_ms:
      description: Median time from the produce call to the broker's acknowledgement, in milliseconds.
      type: float
    produce_p99_ms:
      description: 99th percentile of the same.
      type: float
    end_to_end_p50_ms:
      description: Median time from the produce call to a consumer receiving the message, in milliseconds.
      type: float
    end_to_end_p99_ms:
      description: 99th percentile of the same.
      type: float
consumers:
  description: One entry per consumer profile.
  returned: always
  type: list
  elements: dict
  sample:
    - {profile: default, messages: 100000, seconds: 0.63, messages_per_second: 159731, mb_per_second: 81.78}
  contains:
    profile:
      description: The consumer profile.
      type: str
    messages:
      description: Messages read in each round.
      type: int
    seconds:
      description: Duration of the best round.
      type: float
    messages_per_second:
      description: Messages a second of the best round.
      type: int
    mb_per_second:
      description: Megabytes (10^6 bytes) a second of the best round.
      type: float
table:
  description: The figures as lines of text, a header and one line per profile, for C(ansible.builtin.debug).
  returned: always
  type: list
  elements: str
verdicts:
  description: For each promise whose profiles were measured, C(profile), C(baseline), C(figure), C(value),
    C(baseline_value), C(beats), and C(text), the verdict in words.
  returned: always
  type: list
  elements: dict
  sample:
    - {kind: producer, profile: high_throughput, baseline: durable, figure: messages_per_second, value: 130000,
       baseline_value: 52083, beats: true,
       text: "producer high_throughput beats durable: 130000 msg/s against 52083 msg/s"}
'''

import time
import uuid

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ecommerce.kafka.plugins.module_utils.client_benchmark import (
    latency_figures, rate_figures, table, verdicts)
from ansible_collections.ecommerce.kafka.plugins.module_utils.client_profile import ProfileError, render
from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    HAS_CONFLUENT_KAFKA, KAFKA_REQUIRED_TOGETHER, KafkaModuleError, describe_kafka_error, get_client_config,
    kafka_common_argument_spec, require_confluent_kafka)

if HAS_CONFLUENT_KAFKA:
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient

# librdkafka logs to stderr; only what would be fatal is worth it here.
QUIET = {'log_level': 0}


def argument_spec():
    spec = kafka_common_argument_spec()
    spec.update(
        topic=dict(type='str', required=True),
        producer_profiles=dict(type='list', elements='str', default=['durable', 'high_throughput', 'low_latency']),
        consumer_profiles=dict(type='list', elements='str', default=['default', 'fast']),
        messages=dict(type='int', default=100000),
        message_size=dict(type='int', default=512),
        latency_rate=dict(type='int', default=500),
        latency_seconds=dict(type='int', default=5),
        rounds=dict(type='int', default=2),
    )
    return spec


def event(number, size):
    """A JSON event of `size` bytes, as compressible as the platform's (ids and names repeat, numbers vary)."""
    text = ('{"event_id":"%012d","type":"product_viewed","user_id":"user-%06d","product_id":"sku-%05d",'
            '"price":%d.%02d,"currency":"EUR","page":"/catalog/product","referrer":"search"'
            % (number, number % 100000, number % 50000, number % 500, number % 100))
    return (text + ',"pad":"' + 'x' * max(0, size - len(text) - 10) + '"}').encode()[:size]


class Bench(object):
    def __init__(self, params):
        self.params = params
        self.topic = params['topic']
        self.connection = dict((key, params[key]) for key in kafka_common_argument_spec())
        self.admin = AdminClient(dict(get_client_config(self.connection), **QUIET))
        self.groups = []
        self._partitions = None

    def config(self, kind, profile, settings=None):
        return dict(render(kind, profile, 'librdkafka', self.connection, settings), **QUIET)

    def partitions(self):
        """The topic's partition ids, read once; KafkaModuleError when it does not exist (a producer would wait)."""
        if self._partitions is not None:
            return self._partitions
        try:
            topic = self.admin.list_topics(self.topic, timeout=self.params['request_timeout']).topics.get(self.topic)
        except KafkaException as exc:
            raise KafkaModuleError('topic %s: %s' % (self.topic, describe_kafka_error(exc)))
        if topic is None or not topic.partitions or (
                topic.error is not None and topic.error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART):
            raise KafkaModuleError('topic %s does not exist; create it first' % self.topic)
        if topic.error is not None:
            raise KafkaModuleError('topic %s: %s' % (self.topic, topic.error.str()))
        self._partitions = sorted(topic.partitions)
        return self._partitions

    def throughput(self, profile):
        """Seconds to produce `messages` messages, every one acknowledged."""
        failures = []

        def delivered(error, _message):
            if error is not None:
                failures.append(error)

        producer = Producer(self.config('producer', profile))
        count, size = self.params['messages'], self.params['message_size']
        payloads = [event(number, size) for number in range(1000)]
        started = time.monotonic()
        for number in range(count):
            while True:
                try:
                    producer.produce(self.topic, payloads[number % 1000], on_delivery=delivered)
                    break
                except BufferError:
                    producer.poll(0.01)
            if number % 1000 == 0:
                producer.poll(0)
        left = producer.flush(self.params['request_timeout'])
        elapsed = time.monotonic() - started
        if left or failures:
            raise KafkaModuleError('topic %s, producer %s: %d messages not acknowledged%s' % (
                self.topic, profile, left + len(failures), ': %s' % failures[0] if failures else ''))
        return elapsed

    def end_consumer(self):
        """A consumer of the default profile assigned at the current end of every partition."""
        consumer = Consumer(self.config('consumer', 'default', self.group_settings('latency')))
        positions = []
        for partition in self.partitions():
            high = consumer.get_watermark_offsets(TopicPartition(self.topic, partition),
                                                  timeout=self.params['request_timeout'])[1]
            positions.append(TopicPartition(self.topic, partition, high))
        consumer.assign(positions)
        return consumer

    def latencies(self, profile):
        """(produce latencies, end-to-end latencies) in ms of messages sent at latency_rate."""
        acknowledged, received, sent_at = [], [], {}

        def delivered(error, message):
            if error is None:
                acknowledged.append((time.monotonic() - sent_at[message.key()]) * 1000)

        consumer = self.end_consumer()
        producer = Producer(self.config('producer', profile))
        self.warm_up(producer, consumer)
        rate, size = self.params['latency_rate'], self.params['message_size']
        count = rate * self.params['latency_seconds']
        started = time.monotonic()

        def receive(until):
            # Short polls of both clients, so an acknowledgement or an arrival is timed when it
            # happens, not at the end of a wait.
            while True:
                producer.poll(0)
                wait = until - time.monotonic()
                message = consumer.poll(min(max(wait, 0), 0.0005))
                if message is not None and message.error() is None and message.key() in sent_at:
                    received.append((time.monotonic() - sent_at[message.key()]) * 1000)
                if wait <= 0 and message is None:
                    return

        for number in range(count):
            key = b'%d' % number
            sent_at[key] = time.monotonic()
            producer.produce(self.topic, event(number, size), key=key, on_delivery=delivered)
            producer.poll(0)
            receive(started + (number + 1) / float(rate))
        producer.flush(self.params['request_timeout'])
        deadline = time.monotonic() + self.params['request_timeout']
        while len(received) < count and time.monotonic() < deadline:
            receive(time.monotonic() + 0.1)
        consumer.close()
        return acknowledged, received

    def warm_up(self, producer, consumer):
        """One message through both clients, untimed: the first one waits for their connections."""
        producer.produce(self.topic, b'warm-up', key=b'warm-up')
        producer.flush(self.params['request_timeout'])
        deadline = time.monotonic() + self.params['request_timeout']
        while time.monotonic() < deadline:
            message = consumer.poll(0.1)
            if message is not None and message.error() is None and message.key() == b'warm-up':
                return
        raise KafkaModuleError('topic %s: the warm-up message did not come back within %ss (request_timeout)' % (
            self.topic, self.params['request_timeout']))

    def group_settings(self, purpose):
        group = 'ecommerce.kafka.client-benchmark-%s-%s' % (purpose, uuid.uuid4().hex[:8])
        self.groups.append(group)
        return {'group.id': group}

    def consume(self, profile):
        """Seconds to read `messages` messages from the start of every partition."""
        consumer = Consumer(self.config('consumer', profile, self.group_settings(profile)))
        consumer.assign([TopicPartition(self.topic, partition, OFFSET_BEGINNING) for partition in self.partitions()])
        count, read = self.params['messages'], 0
        deadline = time.monotonic() + self.params['request_timeout']
        started = time.monotonic()
        while read < count and time.monotonic() < deadline:
            read += sum(1 for message in consumer.consume(1000, timeout=1) if message.error() is None)
        elapsed = time.monotonic() - started
        consumer.close()
        if read < count:
            raise KafkaModuleError('topic %s, consumer %s: read %d of %d messages within %ss (request_timeout)' % (
                self.topic, profile, read, count, self.params['request_timeout']))
        return elapsed

    def delete_groups(self):
        if not self.groups:
            return
        futures = self.admin.delete_consumer_groups(self.groups, request_timeout=self.params['request_timeout'])
        for future in futures.values():
            try:
                future.result()
            except KafkaException:
                pass  # a latency consumer that never committed leaves no group to delete


def alternating(names, rounds):
    """names in order, then reversed, and so on: a drift of the machine weighs on every profile alike."""
    return [name for index in range(rounds) for name in (names if index % 2 == 0 else list(reversed(names)))]


def run(bench, params):
    bench.partitions()
    size = params['message_size']
    best = {}
    for profile in alternating(params['producer_profiles'], params['rounds']):
        seconds = bench.throughput(profile)
        best[profile] = min(seconds, best.get(profile, seconds))
    producer_latencies = dict((profile, ([], [])) for profile in params['producer_profiles'])
    for profile in alternating(params['producer_profiles'], params['rounds']):
        acknowledged, received = bench.latencies(profile)
        producer_latencies[profile][0].extend(acknowledged)
        producer_latencies[profile][1].extend(received)
    producers = []
    for profile in params['producer_profiles']:
        row = dict(profile=profile, **rate_figures(params['messages'], size, best[profile]))
        row.update(latency_figures('produce', producer_latencies[profile][0]))
        row.update(latency_figures('end_to_end', producer_latencies[profile][1]))
        producers.append(row)
    consumed = {}
    for profile in alternating(params['consumer_profiles'], params['rounds']):
        seconds = bench.consume(profile)
        consumed[profile] = min(seconds, consumed.get(profile, seconds))
    consumers = [dict(profile=profile, **rate_figures(params['messages'], size, consumed[profile]))
                 for profile in params['consumer_profiles']]
    return producers, consumers


def main():
    module = AnsibleModule(argument_spec=argument_spec(), required_together=KAFKA_REQUIRED_TOGETHER,
                           supports_check_mode=False)
    params = module.params
    require_confluent_kafka(module)
    for option in ('messages', 'message_size', 'latency_rate', 'latency_seconds', 'rounds'):
        if params[option] < 1:
            module.fail_json(msg='topic %s: %s must be at least 1, got %d' % (params['topic'], option, params[option]))
    bench = None
    try:
        bench = Bench(params)
        for kind, names in (('producer', params['producer_profiles']), ('consumer', params['consumer_profiles'])):
            for name in names:
                bench.config(kind, name)
        producers, consumers = run(bench, params)
    except ProfileError as exc:
        module.fail_json(msg='topic %s: %s' % (params['topic'], exc))
    except (KafkaModuleError, KafkaException) as exc:
        module.fail_json(msg=str(exc) if isinstance(exc, KafkaModuleError) else 'topic %s: %s' % (
            params['topic'], exc))
    finally:
        if bench is not None:
            bench.delete_groups()
    module.exit_json(changed=True, producers=producers, consumers=consumers, table=table(producers, consumers),
                     verdicts=verdicts(producers, consumers))


if __name__ == '__main__':
    main()
