#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: kafka_info
short_description: Read the state of a Kafka cluster, its topics and its consumer groups
version_added: 0.1.0
description:
  - Read-only facts for health checks and operators, in place of C(kafka-broker-api-versions),
    C(kafka-topics --describe) and C(kafka-consumer-groups --list --describe).
  - The cluster ID, the controller and the brokers; each topic with its partition count, replication factor,
    under-replicated and offline partitions, with totals; each consumer group with its state, members and lag.
  - With O(wait), it polls until the cluster is healthy (the brokers of O(wait_brokers) registered, no partition
    under-replicated or offline) or O(wait_timeout) seconds of wall-clock time have passed, for example between
    the restarts of a rolling restart. One module run and one client do the whole wait. Then it returns what
    O(gather) asks for, with RV(waited).
author:
  - ecommerce platform team (!UNKNOWN)
extends_documentation_fragment:
  - ecommerce.kafka.connection
  - ecommerce.kafka.wait
attributes:
  check_mode:
    support: full
    description: The module never changes anything, so it runs the same in check mode.
  diff_mode:
    support: N/A
    description: The module never changes anything.
options:
  gather:
    description:
      - What to read. V(brokers) is always cheap; V(topics) describes every topic; V(consumer_groups) reads the
        committed offsets of every group and the log end of their partitions.
      - RV(cluster_id) and RV(controller_id) are returned whatever is gathered.
    type: list
    elements: str
    choices: [brokers, topics, consumer_groups]
    default: [brokers, topics, consumer_groups]
  lag_per_partition:
    description:
      - Also return, for each consumer group, the committed offset, log end and lag of each partition in
        RV(consumer_groups[].partitions).
    type: bool
    default: false
  wait_brokers:
    description:
      - With O(wait), the broker IDs that must be registered.
    type: list
    elements: int
    default: []
notes:
  - The module runs where C(confluent-kafka) is installed, usually the controller (C(delegate_to) or
    C(connection=local)).
  - Counts come from the cluster metadata. A partition that has had no leader since it was created (all its
    replicas assigned to brokers that never came up) is not in the metadata, so it is not counted as offline.
seealso:
  - module: ecommerce.kafka.kafka_consumer_offsets
'''

EXAMPLES = r'''
- name: Read the brokers, the topics and the consumer groups
  ecommerce.kafka.kafka_info:
    bootstrap_servers: localhost:9092
  register: kafka

- name: Wait up to 5 minutes until brokers 1 to 3 are registered and no partition is under-replicated or offline
  ecommerce.kafka.kafka_info:
    bootstrap_servers: localhost:9092
    gather: [brokers]
    wait: true
    wait_brokers: [1, 2, 3]
    wait_timeout: 300

- name: Read the lag of every group, partition by partition
  ecommerce.kafka.kafka_info:
    bootstrap_servers: localhost:9092
    gather: [consumer_groups]
    lag_per_partition: true
  register: kafka_lag
'''

RETURN = r'''
cluster_id:
  description: ID of the cluster.
  returned: always
  type: str
  sample: iDjaiMMMSSi2woAYewo8cw
controller_id:
  description: Broker ID of the active controller; null if the cluster has none at the moment.
  returned: always
  type: int
  sample: 1
brokers:
  description: The brokers of the cluster, sorted by ID.
  returned: when O(gather) contains V(brokers)
  type: list
  elements: dict
  contains:
    id:
      description: Broker ID.
      type: int
      sample: 1
    host:
      description: Advertised host name.
      type: str
      sample: kafka1.example.com
    port:
      description: Advertised port.
      type: int
      sample: 9092
    rack:
      description: Rack (C(broker.rack)), or null.
      type: str
      sample: eu-west-1a
  sample:
    - {id: 1, host: kafka1.example.com, port: 9092, rack: null}
topics:
  description: Every topic, internal ones included, sorted by name.
  returned: when O(gather) contains V(topics)
  type: list
  elements: dict
  contains:
    name:
      description: Topic name.
      type: str
      sample: raw-events
    internal:
      description: Whether Kafka itself owns the topic, such as C(__consumer_offsets).
      type: bool
      sample: false
    partitions:
      description: Number of partitions.
      type: int
      sample: 3
    replication_factor:
      description: Number of replicas of the partitions (the largest, if they differ).
      type: int
      sample: 3
    under_replicated_partitions:
      description: Partitions with fewer in-sync replicas than replicas.
      type: int
      sample: 0
    offline_partitions:
      description: Partitions without a leader.
      type: int
      sample: 0
  sample:
    - {name: raw-events, internal: false, partitions: 3, replication_factor: 3, under_replicated_partitions: 0,
       offline_partitions: 0}
under_replicated_partitions:
  description: Total of RV(topics[].under_replicated_partitions) over every topic.
  returned: when O(gather) contains V(topics)
  type: int
  sample: 0
offline_partitions:
  description: Total of RV(topics[].offline_partitions) over every topic.
  returned: when O(gather) contains V(topics)
  type: int
  sample: 0
waited:
  description: With O(wait), seconds it took until the cluster was healthy (or until it gave up).
  returned: when O(wait=true)
  type: float
  sample: 4.2
consumer_groups:
  description: Every consumer group, sorted by name.
  returned: when O(gather) contains V(consumer_groups)
  type: list
  elements: dict
  contains:
    name:
      description: Group ID.
      type: str
      sample: ecommerce-consumer-group
    state:
      description: State as Kafka names it (C(Stable), C(Empty), C(PreparingRebalance), ...).
      type: str
      sample: Stable
    members:
      description: Number of members.
      type: int
      sample: 2
    total_lag:
      description:
        - Sum over the group's committed partitions of log end minus committed offset.
        - A partition whose log end cannot be read (no leader, or topic deleted) counts for nothing, with a
          warning.
      type: int
      sample: 120
    partitions:
      description: One entry per committed partition, sorted by topic and partition.
      returned: when O(lag_per_partition=true)
      type: list
      elements: dict
      sample:
        - {topic: raw-events, partition: 0, committed: 42, log_end: 50, lag: 8}
      contains:
        topic:
          description: Topic name.
          type: str
        partition:
          description: Partition number.
          type: int
        committed:
          description: Committed offset.
          type: int
        log_end:
          description: Offset of the next message to be written; null when it cannot be read.
          type: int
        lag:
          description: RV(consumer_groups[].partitions[].log_end) minus the committed offset; null when unknown.
          type: int
  sample:
    - {name: ecommerce-consumer-group, state: Stable, members: 2, total_lag: 120}
'''

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ecommerce.kafka.plugins.module_utils.cluster import (
    ClusterNotHealthy, read_consumer_groups, read_state, wait_until_healthy)
from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    KAFKA_REQUIRED_TOGETHER, KafkaConnection, KafkaModuleError, kafka_common_argument_spec,
    kafka_wait_argument_spec)

GATHER_CHOICES = ['brokers', 'topics', 'consumer_groups']
# What `gather: [topics]` returns; a wait reads it whatever is gathered.
TOPIC_TOTALS = ('topics', 'under_replicated_partitions', 'offline_partitions')


def main():
    argument_spec = kafka_common_argument_spec()
    argument_spec.update(kafka_wait_argument_spec())
    argument_spec.update(
        gather=dict(type='list', elements='str', choices=GATHER_CHOICES, default=GATHER_CHOICES),
        lag_per_partition=dict(type='bool', default=False),
        wait_brokers=dict(type='list', elements='int', default=[]),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_together=KAFKA_REQUIRED_TOGETHER,
    )
    gather = module.params['gather']
    started = time.monotonic()
    connection = KafkaConnection(module)
    try:
        if module.params['wait']:
            state = wait_until_healthy(connection, module.params['wait_brokers'], started,
                                       module.params['wait_timeout'], module.params['wait_sleep'])
        else:
            state = read_state(connection, with_topics='topics' in gather)
        if 'consumer_groups' in gather:
            state['consumer_groups'], warnings = read_consumer_groups(connection, module.params['lag_per_partition'])
            for warning in warnings:
                module.warn(warning)
    except ClusterNotHealthy as exc:
        module.fail_json(msg=str(exc), **exc.result)
    except KafkaModuleError as exc:
        module.fail_json(msg=str(exc))
    if 'brokers' not in gather:
        del state['brokers']
    if 'topics' not in gather:
        for key in TOPIC_TOTALS:
            state.pop(key, None)
    module.exit_json(changed=False, **state)


if __name__ == '__main__':
    main()
