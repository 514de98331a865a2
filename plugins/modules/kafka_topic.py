#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: kafka_topic
short_description: Create, alter and delete Kafka topics, one topic or a whole table per task
version_added: 0.1.0
description:
  - Declarative replacement for C(kafka-topics --create/--alter/--delete) and C(kafka-configs --alter --topic).
    Safe to re-run; a run that finds every topic as declared reports no change.
  - Manages one topic with O(name), or a whole table with O(topics). A table is read, planned and applied with
    one request per phase for all its topics, so a thousand topics cost about as much as one.
  - The current state is read once (C(DescribeTopics), C(DescribeConfigs), C(DescribeCluster)). Every problem
    found while planning (invalid name, partition decrease, replication factor change or larger than the live
    brokers) fails the task before any change is sent. The broker then validates the requests
    (C(validate_only)), and only if it accepts them all are they applied.
  - Only overrides set on the topic (config source C(DYNAMIC_TOPIC_CONFIG)) count as its configuration; broker
    and default values do not. Values are normalised before they are compared, so V(true) and V("true"),
    V(604800000) and V("604800000"), and V([compact, delete]) and V("compact,delete") are the same.
  - An update changes the configuration first (C(IncrementalAlterConfigs)), then adds partitions.
author:
  - ecommerce platform team (!UNKNOWN)
extends_documentation_fragment:
  - ecommerce.kafka.connection
attributes:
  check_mode:
    support: full
    description:
      - Returns the same plan and RV(ignore:changed) as a real run and changes nothing. Creations, configuration
        changes and partition increases are checked by the broker with C(validate_only), so a request the broker
        would refuse fails in check mode too. Deletion has no such check.
  diff_mode:
    support: full
    description:
      - Shows state, partitions, replication factor and configuration overrides of each topic that changes,
        before and after.
  action_group:
    support: full
    description: Connection options can be set once for every module of the collection.
    membership:
      - ecommerce.kafka.kafka
options:
  name:
    description:
      - Name of the topic. ASCII letters, digits, V(.), V(_) and V(-), at most 249 characters.
      - Exactly one of O(name) and O(topics) is required.
    type: str
  topics:
    description:
      - A table of topics, each a dictionary with the keys of the single-topic form.
      - In an entry, a key that is not set takes the value of the top-level option of the same name, and
        C(config) is merged over the top-level O(config).
      - Exactly one of O(name) and O(topics) is required.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the topic.
        type: str
        required: true
      state:
        description: As the top-level O(state).
        type: str
        choices: [present, absent]
      partitions:
        description: As the top-level O(partitions).
        type: int
      replication_factor:
        description: As the top-level O(replication_factor).
        type: int
      config:
        description: As the top-level O(config), merged over it.
        type: dict
      config_purge:
        description: As the top-level O(config_purge).
        type: bool
  state:
    description:
      - V(present) creates the topic or brings it to the declared state.
      - V(absent) deletes the topic and, with O(wait), waits until it is gone. A topic that does not exist is
        not an error.
    type: str
    choices: [present, absent]
    default: present
  partitions:
    description:
      - Number of partitions. Required to create a topic.
      - On an existing topic partitions can only be added; a lower number fails before anything is sent.
      - Omitted, an existing topic keeps its partitions.
    type: int
  replication_factor:
    description:
      - Replication factor of a new topic. Omitted, the broker's C(default.replication.factor) applies.
      - It must not exceed the number of live brokers.
      - It is not changed on an existing topic; a different value fails with a message, since that needs a
        partition reassignment.
    type: int
  config:
    description:
      - Topic configuration overrides, such as C(retention.ms) or C(cleanup.policy).
      - Values may be strings, integers, booleans or lists (joined with commas). V(null) removes the override, so
        the broker default applies again.
      - Overrides that are not listed are kept unless O(config_purge) is set.
      - An unknown key fails with the broker's message.
    type: dict
  config_purge:
    description:
      - Also remove the overrides that are not listed in O(config).
    type: bool
    default: false
  wait:
    description:
      - After a change, wait until the cluster metadata shows it (the topic exists with its partitions, the
        overrides read back, a deleted topic is gone).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait with O(wait) before failing.
    type: int
    default: 60
notes:
  - The module runs where confluent-kafka is installed, usually the controller (C(delegate_to) an admin host).
  - A replication factor change or a partition reassignment is out of scope; use C(kafka-reassign-partitions).
seealso:
  - name: Kafka topic configuration reference
    description: Every topic-level configuration key and its default.
    link: https://kafka.apache.org/documentation/#topicconfigs
'''

EXAMPLES = r'''
# The e-commerce topic table (kafka-configuration-guide.md): one task, one request per phase.
- name: Ensure the platform topics exist with their retention
  ecommerce.kafka.kafka_topic:
    bootstrap_servers: broker1:9092,broker2:9092,broker3:9092
    replication_factor: 3
    config:
      min.insync.replicas: 2
    topics:
      - name: raw-events
        partitions: 3
        config:
          retention.ms: 604800000      # 7 days
      - name: inventory-changes
        partitions: 2
        config:
          retention.ms: 2592000000     # 30 days
      - name: fraud-scores
        partitions: 2
        config:
          retention.ms: 604800000      # 7 days
      - name: recommendations
        partitions: 2
        config:
          retention.ms: 86400000       # 24 hours
      - name: business-metrics
        partitions: 1
        config:
          retention.ms: 2592000000     # 30 days

# kafka-topics --create --topic my-custom-topic --partitions 3 --replication-factor 1
#   --config retention.ms=604800000
- name: Create a single topic
  ecommerce.kafka.kafka_topic:
    bootstrap_servers: localhost:9092
    name: my-custom-topic
    partitions: 3
    replication_factor: 1
    config:
      retention.ms: 604800000

# kafka-topics --alter --topic raw-events --partitions 6
- name: Grow raw-events to 6 partitions
  ecommerce.kafka.kafka_topic:
    bootstrap_servers: localhost:9092
    name: raw-events
    partitions: 6

# kafka-configs --alter --topic raw-events --add-config retention.ms=1209600000
- name: Keep raw-events for 14 days
  ecommerce.kafka.kafka_topic:
    bootstrap_servers: localhost:9092
    name: raw-events
    config:
      retention.ms: 1209600000

# kafka-topics --delete --topic my-topic
- name: Delete my-topic and wait until it is gone
  ecommerce.kafka.kafka_topic:
    bootstrap_servers: localhost:9092
    name: my-topic
    state: absent

- name: Compact and delete, drop the segment.ms override, keep nothing else unlisted
  ecommerce.kafka.kafka_topic:
    bootstrap_servers: localhost:9092
    name: customer-profiles
    partitions: 6
    config:
      cleanup.policy: [compact, delete]
      unclean.leader.election.enable: false
      segment.ms: null
    config_purge: true

- name: Connection options once for every module of the collection, over SASL_SSL
  module_defaults:
    group/ecommerce.kafka.kafka:
      bootstrap_servers: broker1:9093
      security_protocol: SASL_SSL
      sasl_mechanism: SCRAM-SHA-512
      sasl_username: platform-admin
      sasl_password: "{{ vault_kafka_admin_password }}"
      ssl_ca_location: /etc/pki/kafka/ca.pem
  block:
    - name: Preview what the table would change
      ecommerce.kafka.kafka_topic:
        topics: "{{ kafka_topics }}"
      check_mode: true
      diff: true
      register: topic_plan
'''

RETURN = r'''
topics:
  description:
    - One entry per topic, in the order given, as it is after the run (in check mode, as it would be).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the topic.
      returned: always
      type: str
      sample: raw-events
    state:
      description: V(present) or V(absent) after the run.
      returned: always
      type: str
      sample: present
    partitions:
      description: Number of partitions; V(null) when the topic is absent.
      returned: always
      type: int
      sample: 3
    replication_factor:
      description: Replication factor; V(null) when the topic is absent.
      returned: always
      type: int
      sample: 3
    config:
      description: Configuration overrides set on the topic (source C(DYNAMIC_TOPIC_CONFIG)), as strings.
      returned: always
      type: dict
      sample: {"retention.ms": "604800000", "cleanup.policy": "compact,delete"}
    actions:
      description:
        - What was done, or would be done in check mode. Empty when the topic was already as declared.
        - V(create), V(delete), C(set KEY=VALUE), C(remove KEY) or C(add partitions OLD -> NEW).
      returned: always
      type: list
      elements: str
      sample: ["set retention.ms=1209600000", "add partitions 3 -> 6"]
diff:
  description: With C(--diff), each changing topic before and after, keyed by name.
  returned: when diff mode is on
  type: dict
  sample:
    before: {"raw-events": {"state": "present", "partitions": 3, "replication_factor": 1, "config": {}}}
    after: {"raw-events": {"state": "present", "partitions": 6, "replication_factor": 1, "config": {}}}
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    KAFKA_REQUIRED_TOGETHER, KafkaConnection, KafkaModuleError, kafka_common_argument_spec)
from ansible_collections.ecommerce.kafka.plugins.module_utils.topic import (
    TopicChanges, check_specs, join_errors, plan_diff, read_and_plan_topics, topic_specs, wait_for_metadata)


def argument_spec():
    spec = kafka_common_argument_spec()
    spec.update(
        name=dict(type='str'),
        topics=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True),
            state=dict(type='str', choices=['present', 'absent']),
            partitions=dict(type='int'),
            replication_factor=dict(type='int'),
            config=dict(type='dict'),
            config_purge=dict(type='bool'),
        )),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        partitions=dict(type='int'),
        replication_factor=dict(type='int'),
        config=dict(type='dict'),
        config_purge=dict(type='bool', default=False),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=60),
    )
    return spec


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        mutually_exclusive=[('name', 'topics')],
        required_one_of=[('name', 'topics')],
        required_together=KAFKA_REQUIRED_TOGETHER,
        supports_check_mode=True,
    )
    specs = topic_specs(module.params)
    problems = check_specs(specs)
    if problems:
        module.fail_json(msg=join_errors(problems))

    connection = KafkaConnection(module)
    plans, changes = [], None
    try:
        plans = read_and_plan_topics(connection, specs, diff=module._diff)
        changes = TopicChanges(connection, plans)
        changes.validate()
        if not module.check_mode:
            changes.apply()
            pending = [plan for plan in plans if plan.changed]
            if module.params['wait'] and pending:
                wait_for_metadata(connection, pending, module.params['wait_timeout'])
    except KafkaModuleError as exc:
        module.fail_json(msg=str(exc), changed=bool(changes and changes.applied))

    result = dict(changed=any(plan.changed for plan in plans), topics=[plan.result() for plan in plans])
    if module._diff:
        result['diff'] = plan_diff(plans)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
