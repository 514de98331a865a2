# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Consumer group offsets: reading them from the cluster and planning a reset.

Shared by kafka_consumer_offsets and kafka_info. The parsing and planning
helpers are pure so they can be tested without a broker; the readers take a
KafkaConnection and raise KafkaModuleError with a one-line message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import datetime
import re
import time

from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    HAS_CONFLUENT_KAFKA, KafkaModuleError, describe_kafka_error)

if HAS_CONFLUENT_KAFKA:
    from confluent_kafka import (ConsumerGroupTopicPartitions, KafkaError, KafkaException,
                                 TopicCollection, TopicPartition)
    from confluent_kafka.admin import OffsetSpec

    # Errors of an offset commit that mean a member joined the group meanwhile.
    GROUP_BECAME_ACTIVE_ERROR_CODES = (
        KafkaError.UNKNOWN_MEMBER_ID, KafkaError.REBALANCE_IN_PROGRESS, KafkaError.ILLEGAL_GENERATION)

RESET_STRATEGIES = ('earliest', 'latest', 'datetime', 'offset', 'shift_by', 'duration')
# The strategies that take a value, each from the option of the same name.
RESET_VALUE_OPTIONS = ('datetime', 'offset', 'shift_by', 'duration')

# Kafka's own spelling of the states, as kafka-consumer-groups prints them.
GROUP_STATE_NAMES = {
    'UNKNOWN': 'Unknown',
    'PREPARING_REBALANCING': 'PreparingRebalance',
    'COMPLETING_REBALANCING': 'CompletingRebalance',
    'STABLE': 'Stable',
    'DEAD': 'Dead',
    'EMPTY': 'Empty',
}

# Only a group without members can have its offsets rewritten; Dead is also
# what the broker answers for a group that does not exist.
RESETTABLE_GROUP_STATES = ('Empty', 'Dead', 'Unknown')


_DATETIME = re.compile(
    r'^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})'
    r'(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?)?'
    r'(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$')

_DURATION = re.compile(
    r'^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?'
    r'(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$')


class ResetPlanError(Exception):
    """A reset that cannot be planned, worded for the operator."""


def group_state_name(state):
    """`ConsumerGroupState.STABLE` -> 'Stable'."""
    name = getattr(state, 'name', str(state))
    return GROUP_STATE_NAMES.get(name, name.replace('_', ' ').title().replace(' ', ''))


def active_group_message(group, state, members):
    return 'group %s is active (state %s, %d members): stop its consumers first' % (group, state, members)


def parse_datetime(text):
    """ISO 8601 date and time -> milliseconds since the epoch; no zone means UTC."""
    match = _DATETIME.match(text.strip())
    if not match:
        raise ValueError('datetime %r is not ISO 8601 (for example 2024-01-01T00:00:00.000 or '
                         '2024-01-01T00:00:00+02:00)' % text)
    parts = match.groupdict()
    fraction = (parts['fraction'] or '0').ljust(6, '0')[:6]
    try:
        moment = datetime.datetime(
            int(parts['year']), int(parts['month']), int(parts['day']),
            int(parts['hour'] or 0), int(parts['minute'] or 0), int(parts['second'] or 0), int(fraction))
    except ValueError as exc:
        raise ValueError('datetime %r is not a valid date: %s' % (text, exc))
    seconds = calendar.timegm(moment.timetuple()) - _zone_offset_seconds(parts['zone'])
    return seconds * 1000 + moment.microsecond // 1000


def _zone_offset_seconds(zone):
    if not zone or zone == 'Z':
        return 0
    digits = zone[1:].replace(':', '')
    seconds = int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60
    return -seconds if zone[0] == '-' else seconds


def parse_duration(text):
    """ISO 8601 duration (weeks, days, hours, minutes, seconds) -> milliseconds.

    Years and months are refused: their length depends on the calendar, and
    the CLI's --by-duration (java.time.Duration) refuses them too.
    """
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ('P', 'PT') or text.strip().endswith('T'):
        raise ValueError('duration %r is not an ISO 8601 duration of weeks, days, hours, minutes and '
                         'seconds (for example PT1H, PT30M or P1DT12H)' % text)
    parts = dict((key, float((value or '0').replace(',', '.'))) for key, value in match.groupdict().items())
    seconds = (((parts['weeks'] * 7 + parts['days']) * 24 + parts['hours']) * 60 + parts['minutes']) * 60
    return int(round((seconds + parts['seconds']) * 1000))


def reset_value(params):
    """The value option that goes with `reset`; one given for another strategy is an error."""
    reset = params['reset']
    for option in RESET_VALUE_OPTIONS:
        if params[option] is not None and option != reset:
            raise ValueError('%s is only used with reset=%s (reset is %s)' % (option, option, reset or 'not set'))
    return params[reset] if reset in RESET_VALUE_OPTIONS else None


def reset_timestamp(reset, value, now_ms):
    """The timestamp (ms) that reset=datetime or reset=duration looks up."""
    if reset == 'datetime':
        return parse_datetime(value)
    return now_ms - parse_duration(value)


def normalize_topics(items):
    """Module `topics` items (a name, or {name, partitions}) -> [(name, [partitions] or None)]."""
    selection = []
    for item in items or []:
        if isinstance(item, str):
            name, partitions = item, None
        elif isinstance(item, dict) and set(item) <= set(['name', 'partitions']) and item.get('name'):
            name, partitions = item['name'], item.get('partitions')
        else:
            raise ValueError('topics item %r must be a topic name or a dict with name and '
                             'optional partitions' % (item,))
        if partitions is not None:
            try:
                partitions = sorted(set(int(partition) for partition in partitions))
            except (TypeError, ValueError):
                raise ValueError('partitions of topic %s must be a list of integers, got %r' % (name, partitions))
        selection.append((str(name), partitions))
    return selection


def topics_to_read(selection, committed):
    """Topic names to describe: those selected, else every topic the group committed on."""
    if selection:
        return sorted(set(name for name, partitions in selection))
    return sorted(set(topic for topic, partition in committed))


def selected_partitions(selection, partition_ids):
    """Sorted (topic, partition) keys of the selection; every partition when none are named."""
    keys = set()
    for name, wanted in selection or [(topic, None) for topic in partition_ids]:
        existing = partition_ids[name]
        missing = [partition for partition in (wanted or []) if partition not in existing]
        if missing:
            raise ValueError('topic %s has no partition %s (it has %d partitions)' % (
                name, ', '.join(str(partition) for partition in missing), len(existing)))
        keys.update((name, partition) for partition in (existing if wanted is None else wanted))
    return sorted(keys)


def partition_rows(keys, committed, log_starts, log_ends):
    """One result entry per partition, target not planned yet."""
    rows = []
    for key in keys:
        offset = committed.get(key)
        rows.append(dict(topic=key[0], partition=key[1], committed=offset, log_start=log_starts[key],
                         log_end=log_ends[key], lag=lag(offset, log_ends[key]), target=None))
    return rows


def lag(committed, log_end):
    """Messages not yet consumed; None when nothing is committed (the CLI
    prints '-') or when the log end could not be read."""
    return None if committed is None or log_end is None else log_end - committed


def total_lag(partitions):
    return sum(partition['lag'] for partition in partitions if partition['lag'] is not None)


def plan_target(reset, partition, value=None, found_offset=None):
    """The offset a reset commits on one partition, and a warning when it was clamped.

    `partition` holds committed, log_start and log_end; `found_offset` is what
    list_offsets answered for a timestamp (-1 when every record is older, and
    then the target is the log end, as the CLI does).
    """
    where = 'topic %s partition %d' % (partition['topic'], partition['partition'])
    log_start, log_end = partition['log_start'], partition['log_end']
    if reset == 'earliest':
        return log_start, None
    if reset == 'latest':
        return log_end, None
    if reset in ('datetime', 'duration'):
        return (log_end if found_offset is None or found_offset < 0 else found_offset), None
    if reset == 'offset':
        wanted = value
    elif partition['committed'] is None:
        raise ResetPlanError('%s has no committed offset to shift by %d' % (where, value))
    else:
        wanted = partition['committed'] + value
    target = min(max(wanted, log_start), log_end)
    if target == wanted:
        return target, None
    bound = 'log start' if target == log_start and wanted < log_start else 'log end'
    return target, '%s: offset %d is outside [%d, %d], using the %s %d' % (
        where, wanted, log_start, log_end, bound, target)


def plan_reset(partitions, reset, value=None, found_offsets=None):
    """Targets for every partition -> (warnings); fills `target` in place.

    Raises ResetPlanError naming every partition that cannot be planned.
    """
    warnings, problems = [], []
    for partition in partitions:
        key = (partition['topic'], partition['partition'])
        try:
            partition['target'], warning = plan_target(reset, partition, value, (found_offsets or {}).get(key))
        except ResetPlanError as exc:
            problems.append(str(exc))
            continue
        if warning:
            warnings.append(warning)
    if problems:
        raise ResetPlanError('; '.join(problems))
    return warnings


def partitions_to_write(partitions):
    """The partitions whose target differs from what is committed."""
    return [partition for partition in partitions
            if partition['target'] is not None and partition['target'] != partition['committed']]


def offsets_by_partition(partitions, field):
    """{'topic/partition': value} for a diff; readable and stable in YAML and JSON."""
    return dict(('%s/%d' % (partition['topic'], partition['partition']), partition[field])
                for partition in partitions)


# Readers and the writer: each takes a KafkaConnection.

def _error_code(exc):
    """The KafkaError code a KafkaException carries, or None."""
    error = exc.args[0] if exc.args else None
    return error.code() if isinstance(error, KafkaError) else None


def describe_group(connection, group):
    """(state name, member count). Dead for a group that does not exist.

    On a new cluster the first group request triggers the creation of
    __consumer_offsets and librdkafka does not retry the coordinator lookup
    within one request, so it is sent again with growing timeouts until
    request_timeout is spent.
    """
    deadline = time.monotonic() + connection.timeout
    attempt_timeout = 1.0
    while True:
        attempt_timeout = min(attempt_timeout, max(deadline - time.monotonic(), 0.1))
        future = connection.admin.describe_consumer_groups([group], request_timeout=attempt_timeout)[group]
        try:
            description = future.result(timeout=attempt_timeout + 5)
        except KafkaException as exc:
            if _error_code(exc) == KafkaError._TIMED_OUT and time.monotonic() < deadline:
                attempt_timeout *= 2
                continue
            raise KafkaModuleError('group %s: %s' % (group, describe_kafka_error(exc, connection)))
        except Exception as exc:  # the futures raise plain exceptions on timeouts and bad input
            raise KafkaModuleError('group %s: %s' % (group, exc))
        return group_state_name(description.state), len(description.members)


def describe_groups(connection, groups):
    """{group: (state name, member count)} for several groups in one request."""
    if not groups:
        return {}
    futures = connection.admin.describe_consumer_groups(list(groups), request_timeout=connection.timeout)
    described = {}
    for group, future in futures.items():
        description = connection.result(future, 'group %s' % group)
        described[group] = (group_state_name(description.state), len(description.members))
    return described


def committed_offsets(connection, group):
    """{(topic, partition): offset} of every partition the group has committed."""
    return committed_offsets_of_groups(connection, [group])[group]


def committed_offsets_of_groups(connection, groups):
    """{group: {(topic, partition): offset}}. The API takes one group per
    request, so the requests are all sent before any answer is awaited."""
    futures = dict((group, connection.admin.list_consumer_group_offsets(
        [ConsumerGroupTopicPartitions(group)], request_timeout=connection.timeout)[group]) for group in groups)
    committed = {}
    for group, future in futures.items():
        answer = connection.result(future, 'group %s' % group)
        committed[group] = {}
        for topic_partition in answer.topic_partitions:
            if topic_partition.error:
                raise KafkaModuleError('group %s, topic %s partition %d: %s' % (
                    group, topic_partition.topic, topic_partition.partition, topic_partition.error.str()))
            if topic_partition.offset >= 0:
                committed[group][(topic_partition.topic, topic_partition.partition)] = topic_partition.offset
    return committed


def topic_partition_ids(connection, topics):
    """({topic: [partition ids]}, [topics that do not exist])."""
    if not topics:
        return {}, []
    futures = connection.admin.describe_topics(TopicCollection(list(topics)), request_timeout=connection.timeout)
    partition_ids, missing = {}, []
    for topic, future in sorted(futures.items()):
        try:
            description = future.result(timeout=connection.timeout + 5)
        except KafkaException as exc:
            if _error_code(exc) == KafkaError.UNKNOWN_TOPIC_OR_PART:
                missing.append(topic)
                continue
            raise KafkaModuleError('topic %s: %s' % (topic, describe_kafka_error(exc, connection)))
        except Exception as exc:  # the futures raise plain exceptions on timeouts and bad input
            raise KafkaModuleError('topic %s: %s' % (topic, exc))
        partition_ids[topic] = sorted(partition.id for partition in description.partitions)
    return partition_ids, missing


def request_log_offsets(connection, keys, spec):
    """Send a list_offsets of `spec` for (topic, partition) keys; read the answer with collect_log_offsets."""
    if not keys:
        return {}
    request = dict((TopicPartition(topic, partition), spec) for topic, partition in keys)
    return connection.admin.list_offsets(request, request_timeout=connection.timeout)


def collect_log_offsets(connection, futures):
    """({(topic, partition): offset or None}, {key: why it could not be read}).

    The answer is per partition: one without a leader (offline) or of a
    deleted topic does not hide the others.
    """
    offsets, unreadable = {}, {}
    for topic_partition, future in futures.items():
        key = (topic_partition.topic, topic_partition.partition)
        offsets[key] = None
        try:
            offsets[key] = future.result(timeout=connection.timeout + 5).offset
        except KafkaException as exc:
            unreadable[key] = describe_kafka_error(exc, connection)
        except Exception as exc:  # the futures raise plain exceptions on timeouts and bad input
            raise KafkaModuleError('topic %s partition %d: %s' % (key[0], key[1], exc))
    return offsets, unreadable


def log_bounds(connection, keys, timestamp_ms=None):
    """({key: log start}, {key: log end}, {key: why unreadable}, offsets at timestamp_ms).

    The offsets at timestamp_ms (the first whose timestamp is at or after it,
    -1 after the last record) are None without a timestamp, else the pair
    collect_log_offsets returns. Every request is sent before any answer is awaited.
    """
    requests = [request_log_offsets(connection, keys, OffsetSpec.earliest()),
                request_log_offsets(connection, keys, OffsetSpec.latest())]
    if timestamp_ms is not None:
        requests.append(request_log_offsets(connection, keys, OffsetSpec.for_timestamp(timestamp_ms)))
    answers = [collect_log_offsets(connection, futures) for futures in requests]
    (log_starts, unreadable), (log_ends, unreadable_ends) = answers[:2]
    unreadable.update(unreadable_ends)
    for key in unreadable:
        log_starts[key] = log_ends[key] = None
    return log_starts, log_ends, unreadable, answers[2] if timestamp_ms is not None else None


def describe_unreadable(unreadable, what):
    """One line naming each partition that could not be read, and why."""
    return '%s: %s' % (what, '; '.join('topic %s partition %d (%s)' % (topic, partition, reason)
                                       for (topic, partition), reason in sorted(unreadable.items())))


def alter_offsets(connection, group, targets):
    """Commit {(topic, partition): offset} for the group.

    Returns (partition errors by key, whether the group became active): the
    broker answers per partition, so each answer is checked on its own.
    """
    request = [ConsumerGroupTopicPartitions(group, [
        TopicPartition(topic, partition, offset) for (topic, partition), offset in sorted(targets.items())])]
    future = connection.admin.alter_consumer_group_offsets(request, request_timeout=connection.timeout)[group]
    try:
        answer = future.result(timeout=connection.timeout + 5)
    except KafkaException as exc:
        if _error_code(exc) in GROUP_BECAME_ACTIVE_ERROR_CODES:
            return {}, True
        raise KafkaModuleError('group %s: %s' % (group, describe_kafka_error(exc, connection)))
    except Exception as exc:  # the futures raise plain exceptions on timeouts and bad input
        raise KafkaModuleError('group %s: %s' % (group, exc))
    errors, became_active = {}, False
    for topic_partition in answer.topic_partitions:
        if topic_partition.error:
            became_active = became_active or topic_partition.error.code() in GROUP_BECAME_ACTIVE_ERROR_CODES
            errors[(topic_partition.topic, topic_partition.partition)] = topic_partition.error.str()
    return errors, became_active


def read_and_plan_reset(connection, group, selection, reset, value, timestamp):
    """Read the group and its partitions once, then plan the targets of the reset.

    Returns (group state, partition rows, warnings); the rows' `target` is
    filled when `reset` is set.
    """
    connection.describe_cluster()
    state, members = describe_group(connection, group)
    committed = committed_offsets(connection, group)
    partition_ids, missing = topic_partition_ids(connection, topics_to_read(selection, committed))
    if missing:
        raise KafkaModuleError('topic %s does not exist' % ', '.join(missing) if len(missing) == 1
                               else 'topics %s do not exist' % ', '.join(missing))
    keys = selected_partitions(selection, partition_ids)
    log_starts, log_ends, unreadable, at_timestamp = log_bounds(connection, keys, timestamp if reset else None)
    partitions = partition_rows(keys, committed, log_starts, log_ends)
    if reset is None:
        warnings = []
        if unreadable:
            warnings.append('group %s: %s' % (group, describe_unreadable(unreadable, 'log start or end unreadable')))
        return state, partitions, warnings
    if state not in RESETTABLE_GROUP_STATES:
        raise KafkaModuleError(active_group_message(group, state, members))
    if not partitions:
        raise ResetPlanError('nothing is committed yet, so there is no topic to reset: name them in topics')
    if unreadable:
        raise ResetPlanError(describe_unreadable(unreadable, 'cannot plan a reset without the log start and end'))
    found_offsets = None
    if at_timestamp is not None:
        found_offsets, unreadable = at_timestamp
        if unreadable:
            raise KafkaModuleError(describe_unreadable(unreadable, 'no offset for the timestamp'))
    return state, partitions, plan_reset(partitions, reset, value, found_offsets)


def apply_reset(connection, group, writes):
    """Commit the `target` of each partition row in `writes`; KafkaModuleError if any is refused."""
    errors, became_active = alter_offsets(connection, group, dict(
        ((partition['topic'], partition['partition']), partition['target']) for partition in writes))
    if became_active:
        state, members = describe_group(connection, group)
        raise KafkaModuleError(active_group_message(group, state, members))
    if errors:
        raise KafkaModuleError('group %s: offsets not written for %s' % (group, '; '.join(
            'topic %s partition %d (%s)' % (topic, partition, error)
            for (topic, partition), error in sorted(errors.items()))))
