# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The cluster as kafka_info reports it: brokers, topic health, consumer group lag.

The facts helpers turn confluent-kafka's descriptions into plain dicts and
are unit tested without a broker; the readers take a KafkaConnection and
raise KafkaModuleError with a one-line message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ecommerce.kafka.plugins.module_utils.consumer_group import (
    collect_log_offsets, committed_offsets_of_groups, describe_groups, describe_unreadable, lag, request_log_offsets,
    total_lag)
from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    HAS_CONFLUENT_KAFKA, KafkaModuleError, describe_kafka_error)

if HAS_CONFLUENT_KAFKA:
    from confluent_kafka import KafkaException, TopicCollection
    from confluent_kafka.admin import OffsetSpec


class ClusterNotHealthy(KafkaModuleError):
    """The wait ran out; `result` is what was last read, with `waited`."""

    def __init__(self, message, result):
        super(ClusterNotHealthy, self).__init__(message)
        self.result = result


def node_id(node):
    """A Node's ID; None for a missing node (no leader, no controller)."""
    return None if node is None or node.id < 0 else node.id


def broker_facts(nodes):
    return sorted((dict(id=node.id, host=node.host, port=node.port, rack=node.rack) for node in nodes),
                  key=lambda broker: broker['id'])


def topic_facts(description):
    """Counts for one TopicDescription: its partitions are (leader, replicas, isr)."""
    partitions = description.partitions
    return dict(
        name=description.name,
        internal=bool(description.is_internal),
        partitions=len(partitions),
        replication_factor=max([len(partition.replicas) for partition in partitions] or [0]),
        under_replicated_partitions=sum(1 for partition in partitions if len(partition.isr) < len(partition.replicas)),
        offline_partitions=sum(1 for partition in partitions if node_id(partition.leader) is None),
    )


def metadata_topic_facts(name, metadata):
    """Health counts for one topic of a Metadata response (TopicMetadata)."""
    partitions = list(metadata.partitions.values())
    return dict(
        name=name,
        under_replicated_partitions=sum(1 for partition in partitions if len(partition.isrs) < len(partition.replicas)),
        offline_partitions=sum(1 for partition in partitions if partition.leader < 0),
    )


def group_facts(name, state, members, committed, log_ends, lag_per_partition):
    """One group's state and lag from its committed offsets and the log ends."""
    partitions = [dict(topic=topic, partition=partition, committed=offset, log_end=log_ends[(topic, partition)],
                       lag=lag(offset, log_ends[(topic, partition)]))
                  for (topic, partition), offset in sorted(committed.items())]
    facts = dict(name=name, state=state, members=members, total_lag=total_lag(partitions))
    if lag_per_partition:
        facts['partitions'] = partitions
    return facts


def health_problems(brokers, topics, expected_brokers):
    """What keeps the cluster from being healthy, one phrase each; empty when it is."""
    registered = set(broker['id'] for broker in brokers)
    missing = sorted(set(expected_brokers) - registered)
    problems = []
    if missing:
        problems.append('broker%s %s not registered' % (
            's' if len(missing) > 1 else '', ', '.join(str(broker_id) for broker_id in missing)))
    for key, label in (('under_replicated_partitions', 'under-replicated'), ('offline_partitions', 'offline')):
        affected = ['%s: %d' % (topic['name'], topic[key]) for topic in topics if topic[key]]
        if affected:
            shown = affected[:5] + (['and %d more topics' % (len(affected) - 5)] if len(affected) > 5 else [])
            problems.append('%d %s partitions (%s)' % (
                sum(topic[key] for topic in topics), label, ', '.join(shown)))
    return problems


def read_topics(connection):
    try:
        names = list(connection.admin.list_topics(timeout=connection.timeout).topics)
    except KafkaException as exc:
        raise KafkaModuleError('topics: %s' % describe_kafka_error(exc, connection))
    if not names:
        return []
    futures = connection.admin.describe_topics(TopicCollection(names), request_timeout=connection.timeout)
    return sorted((topic_facts(connection.result(future, 'topic %s' % name)) for name, future in futures.items()),
                  key=lambda topic: topic['name'])


def read_consumer_groups(connection, lag_per_partition):
    """([facts of every group, sorted by name], [warnings])."""
    listing = connection.result(connection.admin.list_consumer_groups(request_timeout=connection.timeout),
                                'consumer groups')
    if listing.errors:
        raise KafkaModuleError('consumer groups: %s' % '; '.join(str(error) for error in listing.errors))
    names = sorted(group.group_id for group in listing.valid)
    described = describe_groups(connection, names)
    committed = committed_offsets_of_groups(connection, names)
    keys = sorted(set(key for offsets in committed.values() for key in offsets))
    log_ends, unreadable = collect_log_offsets(connection, request_log_offsets(connection, keys, OffsetSpec.latest()))
    warnings = []
    if unreadable:
        warnings.append('lag left out of the totals: %s' % describe_unreadable(unreadable, 'log end unreadable'))
    groups = [group_facts(name, described[name][0], described[name][1], committed[name], log_ends, lag_per_partition)
              for name in names]
    return groups, warnings


def read_health(connection):
    """The cluster as one Metadata request shows it: brokers without their
    racks, and per topic only its health counts.

    A wait polls with Metadata rather than DescribeCluster: a broker that has
    just started and knows no broker yet answers with empty metadata, which
    librdkafka 2.16 reports as an error for Metadata but turns into an
    assertion that aborts the whole process for DescribeCluster."""
    try:
        metadata = connection.admin.list_topics(timeout=connection.timeout)
    except KafkaException as exc:
        raise KafkaModuleError('cluster at %s: %s' % (connection.bootstrap_servers, describe_kafka_error(exc, connection)))
    brokers = sorted((dict(id=broker.id, host=broker.host, port=broker.port) for broker in metadata.brokers.values()),
                     key=lambda broker: broker['id'])
    topics = sorted((metadata_topic_facts(name, topic) for name, topic in metadata.topics.items()),
                    key=lambda topic: topic['name'])
    return with_topic_totals(dict(cluster_id=metadata.cluster_id, brokers=brokers,
                                  controller_id=metadata.controller_id if metadata.controller_id >= 0 else None),
                             topics)


def with_topic_totals(state, topics):
    return dict(state, topics=topics,
                under_replicated_partitions=sum(topic['under_replicated_partitions'] for topic in topics),
                offline_partitions=sum(topic['offline_partitions'] for topic in topics))


def read_state(connection, with_topics):
    cluster = connection.describe_cluster()
    state = dict(cluster_id=cluster.cluster_id, controller_id=node_id(cluster.controller),
                 brokers=broker_facts(cluster.nodes))
    return with_topic_totals(state, read_topics(connection)) if with_topics else state


def wait_until_healthy(connection, expected_brokers, started, wait_timeout, wait_sleep):
    """Read the cluster until it is healthy, within a wall-clock deadline that
    also bounds each request; the state read, with `waited`.

    Raises ClusterNotHealthy with what is still wrong when the deadline comes.
    """
    deadline = started + wait_timeout
    request_timeout = connection.timeout
    state = {}
    while True:
        connection.timeout = max(1, min(request_timeout, int(deadline - time.monotonic())))
        try:
            state = read_health(connection)
            problems = health_problems(state['brokers'], state['topics'], expected_brokers)
            if not problems:
                state = read_state(connection, with_topics=True)
                problems = health_problems(state['brokers'], state['topics'], expected_brokers)
        except KafkaModuleError as exc:
            problems = [str(exc)]
        waited = round(time.monotonic() - started, 1)
        if not problems:
            return dict(state, waited=waited)
        if time.monotonic() + wait_sleep >= deadline:
            raise ClusterNotHealthy('cluster at %s not healthy after %ss (wait_timeout): %s' % (
                connection.bootstrap_servers, wait_timeout, '; '.join(problems)), dict(state, waited=waited))
        time.sleep(wait_sleep)
