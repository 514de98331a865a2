#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: kafka_consumer_offsets
short_description: Describe a consumer group's offsets and lag, or reset them
version_added: 0.1.0
description:
  - Reads the committed offsets of a consumer group, the log start and log end of each partition, and the lag,
    as C(kafka-consumer-groups --describe) does.
  - With O(reset), moves the committed offsets to the earliest or latest offset, to a date and time, to an offset,
    by a number of messages, or back by a duration, as C(kafka-consumer-groups --reset-offsets --execute) does.
  - A reset only runs when the group has no members (state C(Empty), C(Dead) or C(Unknown)); otherwise the module
    fails and writes nothing. In check mode it returns the planned targets and writes nothing, like the CLI without
    C(--execute).
  - The current state is read once, the targets are planned, and only the partitions whose target differs from the
    committed offset are written.
author:
  - ecommerce platform team (!UNKNOWN)
extends_documentation_fragment:
  - ecommerce.kafka.connection
attributes:
  check_mode:
    support: full
    description: Returns the planned targets and writes nothing.
  diff_mode:
    support: full
    description: Shows the committed offset of each partition before and after the reset.
options:
  group:
    description:
      - Consumer group ID.
      - A group that does not exist is reported with RV(group_state=Dead); a reset creates its offsets.
    type: str
    required: true
  topics:
    description:
      - Topics to describe or reset. Each item is a topic name (every partition of the topic), or a dictionary
        with C(name) and C(partitions), a list of partition numbers.
      - By default, every topic the group has committed offsets for, with all its partitions.
      - An unknown topic or partition is an error.
    type: list
    elements: raw
  reset:
    description:
      - Where to move the committed offsets. Omitted, the module only describes them.
      - V(earliest) and V(latest) are the log start and the log end of each partition.
      - V(datetime) is the first offset whose timestamp is at or after O(datetime); V(duration) the first offset
        whose timestamp is at or after now minus O(duration). When every record is older, the target is the log end,
        as with the CLI.
      - V(offset) is O(offset) on every selected partition; V(shift_by) moves the committed offset by O(shift_by).
        Both are clamped to the range from log start to log end, with a warning. V(shift_by) fails on a partition
        that has no committed offset.
    type: str
    choices: [earliest, latest, datetime, offset, shift_by, duration]
  datetime:
    description:
      - With O(reset=datetime), an ISO 8601 date and time such as C(2024-01-01T00:00:00.000) or
        C(2024-01-01T00:00:00+02:00). Without a zone it is UTC.
    type: str
  offset:
    description:
      - With O(reset=offset), the offset to commit on each selected partition.
    type: int
  shift_by:
    description:
      - With O(reset=shift_by), how many messages to move each committed offset; negative goes back.
    type: int
  duration:
    description:
      - With O(reset=duration), an ISO 8601 duration back from now, such as C(PT1H) or C(P1DT12H).
      - Weeks, days, hours, minutes and seconds only, as the CLI's C(--by-duration).
    type: str
notes:
  - Stop the group's consumers first; a consumer that joins between the read and the write makes the module fail with
    the same message as an active group.
  - The module runs where C(confluent-kafka) is installed, usually the controller (C(delegate_to) or
    C(connection=local)).
seealso:
  - module: ecommerce.kafka.kafka_info
'''

EXAMPLES = r'''
- name: Show the lag of the ecommerce consumers
  ecommerce.kafka.kafka_consumer_offsets:
    bootstrap_servers: localhost:9092
    group: ecommerce-consumer-group
  register: lag

- name: Replay raw-events from the first of January (kafka-consumer-groups --to-datetime)
  ecommerce.kafka.kafka_consumer_offsets:
    bootstrap_servers: localhost:9092
    group: ecommerce-consumer-group
    topics: [raw-events]
    reset: datetime
    datetime: "2024-01-01T00:00:00.000"

- name: Replay the last hour of partitions 0 and 2
  ecommerce.kafka.kafka_consumer_offsets:
    bootstrap_servers: localhost:9092
    group: ecommerce-consumer-group
    topics:
      - name: raw-events
        partitions: [0, 2]
    reset: duration
    duration: PT1H

- name: Plan a rewind of 100 messages without writing it
  ecommerce.kafka.kafka_consumer_offsets:
    bootstrap_servers: localhost:9092
    group: ecommerce-consumer-group
    topics: [raw-events]
    reset: shift_by
    shift_by: -100
  check_mode: true
  diff: true
'''

RETURN = r'''
group_state:
  description:
    - State of the group as the broker reports it, before any reset.
    - C(Dead) also means that the group does not exist.
  returned: always
  type: str
  sample: Empty
offsets:
  description:
    - One entry per selected partition, sorted by topic and partition.
    - O(reset) does not change what is reported in RV(offsets[].committed) and RV(offsets[].lag), which are read
      before the reset; RV(offsets[].target) is what the reset commits.
  returned: always
  type: list
  elements: dict
  contains:
    topic:
      description: Topic name.
      type: str
      sample: raw-events
    partition:
      description: Partition number.
      type: int
      sample: 0
    committed:
      description: Committed offset, or null when the group has none on this partition.
      type: int
      sample: 42
    log_start:
      description:
        - First offset still in the log.
        - Null when it could not be read (the partition has no leader); the module then warns, and a reset fails.
      type: int
      sample: 0
    log_end:
      description:
        - Offset of the next message to be written (the high watermark).
        - Null when it could not be read, as RV(offsets[].log_start).
      type: int
      sample: 50
    lag:
      description:
        - RV(offsets[].log_end) minus RV(offsets[].committed); null when nothing is committed or the log end is
          unknown.
      type: int
      sample: 8
    target:
      description: Offset the reset commits (or would commit, in check mode); null without O(reset).
      type: int
      sample: 0
  sample:
    - {topic: raw-events, partition: 0, committed: 42, log_start: 0, log_end: 50, lag: 8, target: 0}
total_lag:
  description: Sum of the lag of every partition that has a committed offset.
  returned: always
  type: int
  sample: 8
'''

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ecommerce.kafka.plugins.module_utils.consumer_group import (
    RESET_STRATEGIES, RESET_VALUE_OPTIONS, ResetPlanError, apply_reset, normalize_topics, offsets_by_partition,
    partitions_to_write, read_and_plan_reset, reset_timestamp, reset_value, total_lag)
from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    KAFKA_REQUIRED_TOGETHER, KafkaConnection, KafkaModuleError, kafka_common_argument_spec)


def main():
    argument_spec = kafka_common_argument_spec()
    argument_spec.update(
        group=dict(type='str', required=True),
        topics=dict(type='list', elements='raw'),
        reset=dict(type='str', choices=list(RESET_STRATEGIES)),
        datetime=dict(type='str'),
        offset=dict(type='int'),
        shift_by=dict(type='int'),
        duration=dict(type='str'),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_together=KAFKA_REQUIRED_TOGETHER,
        required_if=[('reset', option, [option]) for option in RESET_VALUE_OPTIONS],
    )
    group, reset = module.params['group'], module.params['reset']
    try:
        selection = normalize_topics(module.params['topics'])
        value = reset_value(module.params)
        timestamp = None
        if reset in ('datetime', 'duration'):
            timestamp = reset_timestamp(reset, value, int(time.time() * 1000))
    except ValueError as exc:
        module.fail_json(msg='group %s: %s' % (group, exc))

    connection = KafkaConnection(module)
    try:
        state, partitions, warnings = read_and_plan_reset(connection, group, selection, reset, value, timestamp)
        for warning in warnings:
            module.warn(warning)
        writes = partitions_to_write(partitions)
        if writes and not module.check_mode:
            apply_reset(connection, group, writes)
    except KafkaModuleError as exc:
        module.fail_json(msg=str(exc))
    except (ResetPlanError, ValueError) as exc:
        module.fail_json(msg='group %s: %s' % (group, exc))

    result = dict(changed=bool(writes), group_state=state, offsets=partitions, total_lag=total_lag(partitions))
    if module._diff and reset is not None:
        result['diff'] = dict(
            before=dict(group=group, offsets=offsets_by_partition(partitions, 'committed')),
            after=dict(group=group, offsets=offsets_by_partition(partitions, 'target')))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
