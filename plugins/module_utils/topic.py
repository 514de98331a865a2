# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Topics for kafka_topic: what is wanted, what the cluster has, and the requests between.

The rules (name checks, value normalisation, the config diff, the plan) are
pure functions, unit tested without a broker. A topic's state is a dict with
`partitions`, `replication_factor` and `config` (the overrides set on the
topic, name -> string), or None when the topic does not exist. The readers
and the writer at the end take a KafkaConnection and raise KafkaModuleError
with one line naming each topic at fault.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    HAS_CONFLUENT_KAFKA, KafkaModuleError, describe_kafka_error, wait_until)

if HAS_CONFLUENT_KAFKA:
    from confluent_kafka import KafkaError, KafkaException, TopicCollection
    from confluent_kafka.admin import (
        AlterConfigOpType, ConfigEntry, ConfigResource, ConfigSource, NewPartitions, NewTopic, ResourceType)

TOPIC_NAME_MAX_LENGTH = 249
_LEGAL_NAME_CHARACTER = re.compile(r'[a-zA-Z0-9._-]')
_INTEGER = re.compile(r'^[+-]?\d+$')
_DECIMAL = re.compile(r'^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$')
# Keys a `topics` entry may set; unset ones fall back to the top-level option.
TOPIC_KEYS = ('state', 'partitions', 'replication_factor', 'config', 'config_purge')
# Past this many, an error message names the first few topics and counts the rest.
ERRORS_SHOWN = 5


class TopicError(Exception):
    """One line for the operator, naming the topic and the cause."""

    def __init__(self, name, cause):
        super(TopicError, self).__init__('topic %s: %s' % (name, cause))


def name_problem(name):
    """Why Kafka would refuse `name` as a topic name, or None."""
    if not name:
        return 'the name is empty'
    if name in ('.', '..'):
        return "'.' and '..' are not topic names"
    if len(name) > TOPIC_NAME_MAX_LENGTH:
        return 'the name is %d characters long; Kafka allows %d' % (len(name), TOPIC_NAME_MAX_LENGTH)
    illegal = sorted(set(char for char in name if not _LEGAL_NAME_CHARACTER.match(char)))
    if illegal:
        return ("the name contains %s; only ASCII letters, digits, '.', '_' and '-' are allowed"
                % ', '.join(repr(char) for char in illegal))
    return None


def name_collisions(names):
    """Pairs of names Kafka treats as one: '.' and '_' collide in its metric names."""
    first_seen = {}
    collisions = []
    for name in names:
        key = name.replace('.', '_')
        if key in first_seen and first_seen[key] != name:
            collisions.append((first_seen[key], name))
        first_seen.setdefault(key, name)
    return collisions


def normalize_config_value(value):
    """The string Kafka is sent for a config value; None stays None (remove the override).

    YAML booleans become true/false, numbers their digits, lists a
    comma-separated string. Strings are only stripped, and true/false lowercased
    because a templated boolean arrives as 'True'.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        items = [normalize_config_value(item) for item in value]
        if None in items:
            raise ValueError('a list item is null')
        return ','.join(items)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        raise ValueError('a mapping is not a config value')
    text = str(value).strip()
    return text.lower() if text.lower() in ('true', 'false') else text


def _comparable_item(item):
    item = item.strip()
    if _INTEGER.match(item):
        return int(item)
    if _DECIMAL.match(item):
        return float(item)
    return item.lower() if item.lower() in ('true', 'false') else item


def comparable_config_value(text):
    """A key under which values Kafka stores alike compare equal.

    The broker re-serialises what it is sent ('0.50' is kept as '0.5',
    ' delete , compact' as 'delete,compact'), so lists are compared item by
    item, in order, and numbers as numbers.
    """
    return tuple(_comparable_item(item) for item in text.split(','))


def same_config_value(wanted, current):
    return current is not None and comparable_config_value(wanted) == comparable_config_value(current)


def topic_specs(params):
    """One spec per topic, from `name` or from each `topics` entry.

    In an entry, unset keys take the top-level option and `config` is merged
    over the top-level `config`.
    """
    defaults = dict((key, params.get(key)) for key in TOPIC_KEYS)
    if params.get('name') is not None:
        entries = [{'name': params['name']}]
    else:
        entries = params.get('topics') or []
    specs = []
    for entry in entries:
        spec = dict(defaults, name=entry['name'])
        spec.update((key, entry[key]) for key in TOPIC_KEYS if key != 'config' and entry.get(key) is not None)
        if entry.get('config') is not None:
            spec['config'] = dict(defaults['config'] or {})
            spec['config'].update(entry['config'])
        specs.append(spec)
    return specs


def check_specs(specs):
    """Every problem that can be found without asking the cluster, one line each.

    Also replaces each spec's `config` by its normalised form.
    """
    problems = []
    seen = set()
    for spec in specs:
        name = spec['name']
        problem = name_problem(name)
        if problem:
            problems.append('topic %r: %s' % (name, problem))
            continue
        if name in seen:
            problems.append('topic %s: listed more than once' % name)
        seen.add(name)
        for option in ('partitions', 'replication_factor'):
            if spec.get(option) is not None and spec[option] < 1:
                problems.append('topic %s: %s must be at least 1, got %d' % (name, option, spec[option]))
        try:
            spec['config'] = normalize_config(spec.get('config'))
        except ValueError as exc:
            problems.append('topic %s: %s' % (name, exc))
    present = [spec['name'] for spec in specs if spec['state'] == 'present']
    for first, second in name_collisions(present):
        problems.append("topic %s: collides with topic %s ('.' and '_' are the same to Kafka's metrics)"
                        % (second, first))
    return problems


def normalize_config(config):
    """{key: normalised string or None}; ValueError names the key with a bad value."""
    normalized = {}
    for key, value in (config or {}).items():
        try:
            normalized[str(key)] = normalize_config_value(value)
        except ValueError as exc:
            raise ValueError('config %s: %s; use a string, number, boolean, list or null' % (key, exc))
    return normalized


class TopicPlan(object):
    """What one topic looks like before and after, and the requests that get it there."""

    def __init__(self, name, before, after, create=None, config_changes=None, total_partitions=None):
        self.name = name
        self.before = before
        self.after = after
        self.create = create
        self.config_changes = config_changes or {}
        self.total_partitions = total_partitions

    @property
    def delete(self):
        return self.before is not None and self.after is None

    @property
    def actions(self):
        if self.create:
            return ['create']
        if self.delete:
            return ['delete']
        actions = []
        for key in sorted(self.config_changes):
            value = self.config_changes[key]
            actions.append('remove %s' % key if value is None else 'set %s=%s' % (key, value))
        if self.total_partitions is not None:
            actions.append('add partitions %d -> %d' % (self.before['partitions'], self.total_partitions))
        return actions

    @property
    def changed(self):
        return bool(self.actions)

    def result(self):
        """The topic as it is after the run (or would be, in check mode)."""
        state = self.after or {}
        return dict(name=self.name, state='present' if self.after else 'absent',
                    partitions=state.get('partitions'), replication_factor=state.get('replication_factor'),
                    config=dict(state.get('config') or {}), actions=self.actions)


def describe_state(state):
    if state is None:
        return dict(state='absent')
    return dict(state='present', partitions=state['partitions'],
                replication_factor=state['replication_factor'], config=dict(state['config']))


def plan_topic(spec, current, live_brokers, default_replication_factor=None):
    """The plan for one topic, or TopicError when the request cannot be honoured.

    `spec['config']` is already normalised (check_specs). The replication
    factor the broker would pick is only needed to create without one.
    """
    name = spec['name']
    if spec['state'] == 'absent':
        return TopicPlan(name, current, None)
    wanted_config = spec.get('config') or {}
    replication_factor = spec.get('replication_factor')
    if current is None:
        if spec.get('partitions') is None:
            raise TopicError(name, 'does not exist and partitions is not set; give partitions to create it')
        effective = replication_factor or default_replication_factor
        if effective > live_brokers:
            raise TopicError(name, 'replication_factor %d%s is larger than the %d live broker%s' % (
                effective, '' if replication_factor else ' (the broker default)',
                live_brokers, '' if live_brokers == 1 else 's'))
        config = dict((key, value) for key, value in wanted_config.items() if value is not None)
        after = dict(partitions=spec['partitions'], replication_factor=effective, config=config)
        create = dict(partitions=spec['partitions'], replication_factor=replication_factor or -1, config=config)
        return TopicPlan(name, None, after, create=create)

    if replication_factor is not None and replication_factor != current['replication_factor']:
        raise TopicError(name, 'replication_factor is %d and cannot be changed to %d here; '
                               'reassign its partitions with kafka-reassign-partitions'
                         % (current['replication_factor'], replication_factor))
    partitions = spec.get('partitions')
    if partitions is not None and partitions < current['partitions']:
        raise TopicError(name, 'has %d partitions and Kafka cannot remove partitions (asked for %d)'
                         % (current['partitions'], partitions))
    config_changes = config_diff(wanted_config, current['config'], spec.get('config_purge'))
    config = dict(current['config'])
    for key, value in config_changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    total_partitions = partitions if partitions is not None and partitions > current['partitions'] else None
    after = dict(partitions=total_partitions or current['partitions'],
                 replication_factor=current['replication_factor'], config=config)
    return TopicPlan(name, current, after, config_changes=config_changes, total_partitions=total_partitions)


def config_diff(wanted, current, purge=False):
    """{key: new value, or None to remove the override} turning `current` overrides into `wanted`."""
    changes = {}
    for key, value in wanted.items():
        if value is None:
            if key in current:
                changes[key] = None
        elif not same_config_value(value, current.get(key)):
            changes[key] = value
    if purge:
        changes.update((key, None) for key in current if key not in wanted)
    return changes


def state_matches(wanted, seen):
    """True when metadata `seen` shows the state `wanted` (both may be None).

    A `seen` config of None was not read, and is not compared.
    """
    if wanted is None or seen is None:
        return wanted is None and seen is None
    if (wanted['partitions'], wanted['replication_factor']) != (seen['partitions'], seen['replication_factor']):
        return False
    return seen['config'] is None or (
        set(wanted['config']) == set(seen['config'])
        and all(same_config_value(value, seen['config'][key]) for key, value in wanted['config'].items()))


def plan_diff(plans):
    """Before and after of the topics that change, keyed by name, for --diff."""
    changing = [plan for plan in plans if plan.changed]
    return dict(before=dict((plan.name, describe_state(plan.before)) for plan in changing),
                after=dict((plan.name, describe_state(plan.after)) for plan in changing))


def join_errors(messages):
    """One line out of many per-topic messages."""
    shown = list(messages[:ERRORS_SHOWN])
    if len(messages) > ERRORS_SHOWN:
        shown.append('and %d more' % (len(messages) - ERRORS_SHOWN))
    return '; '.join(shown)


def objects_subject(kind, names):
    """'topic a', 'topics a, b' or 'topics a, b, c, d, e and 995 more' for an error that concerns them all."""
    if len(names) == 1:
        return '%s %s' % (kind, names[0])
    shown = ', '.join(names[:ERRORS_SHOWN])
    if len(names) > ERRORS_SHOWN:
        shown += ' and %d more' % (len(names) - ERRORS_SHOWN)
    return '%ss %s' % (kind, shown)


def topics_subject(names):
    return objects_subject('topic', names)


# Readers and the writer: each takes a KafkaConnection.

def settle(connection, futures):
    """Wait for per-object futures: ({key: result}, {key: KafkaError or one-line message})."""
    results, errors = {}, {}
    for key, future in futures.items():
        try:
            results[key] = future.result(timeout=connection.timeout + 10)
        except KafkaException as exc:
            error = exc.args[0] if exc.args else None
            errors[key] = error if isinstance(error, KafkaError) else str(exc)
        except Exception as exc:  # timeouts and bad input surface as plain exceptions
            errors[key] = str(exc) or type(exc).__name__
    return results, errors


def error_line(connection, name, error):
    if isinstance(error, KafkaError):
        return 'topic %s: %s' % (name, describe_kafka_error(KafkaException(error), connection))
    return 'topic %s: %s' % (name, error)


class TopicReader(object):
    """Describes topics, and the configs of `config_names` (default: all), in one concurrent round trip.

    A topic whose config is not read has `config` None in its state.
    """

    def __init__(self, connection, names, config_names=None):
        self.connection = connection
        self.names = names
        config_names = names if config_names is None else config_names
        timeout = connection.timeout
        self.topic_futures = connection.fan_out(
            lambda admin, share: admin.describe_topics(TopicCollection(share), request_timeout=timeout), names)
        self.config_futures = connection.fan_out(
            lambda admin, share: admin.describe_configs(share, request_timeout=timeout),
            [ConfigResource(ResourceType.TOPIC, name) for name in config_names])

    def collect(self):
        """{name: state or None}; KafkaModuleError on anything but 'unknown topic'."""
        descriptions, errors = settle(self.connection, self.topic_futures)
        configs, config_errors = settle(self.connection, self.config_futures)
        configs = dict((resource.name, entries) for resource, entries in configs.items())
        config_errors = dict((resource.name, error) for resource, error in config_errors.items())
        states, problems = {}, []
        for name in self.names:
            # A topic being created or deleted can be missing from one answer and not the other.
            error = errors.get(name) or config_errors.get(name)
            if is_unknown_topic(error):
                states[name] = None
            elif error is not None:
                problems.append(error_line(self.connection, name, error))
            else:
                states[name] = topic_state(descriptions[name], configs.get(name))
        if problems:
            raise KafkaModuleError(join_errors(problems))
        return states


def is_unknown_topic(error):
    return isinstance(error, KafkaError) and error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART


def topic_state(description, entries):
    replicas = [len(partition.replicas) for partition in description.partitions]
    overrides = None if entries is None else dict((name, entry.value) for name, entry in entries.items()
                                                  if entry.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value)
    return dict(partitions=len(replicas), replication_factor=max(replicas) if replicas else 0, config=overrides)


def broker_default_replication_factor(connection, cluster, subject):
    """default.replication.factor of a live broker: the RF of a topic created without one."""
    broker = ConfigResource(ResourceType.BROKER, str(cluster.nodes[0].id))
    future = connection.admin.describe_configs([broker], request_timeout=connection.timeout)[broker]
    entries = connection.result(future, '%s: replication_factor is not set and the broker default could not be '
                                        'read (set replication_factor)' % subject)
    return int(entries['default.replication.factor'].value)


def read_and_plan_topics(connection, specs, diff=False):
    """Read the cluster and every topic once, then plan each topic.

    `specs` have passed check_specs. Every topic that cannot be planned is
    named in one KafkaModuleError, before any change is sent. The configs of
    topics to delete are only read to show them in a diff.
    """
    names = [spec['name'] for spec in specs]
    subject = topics_subject(names) if names else 'topics'
    cluster_future = connection.admin.describe_cluster(request_timeout=connection.timeout)
    reader = TopicReader(connection, names, [spec['name'] for spec in specs if diff or spec['state'] == 'present'])
    cluster = connection.result(cluster_future, subject)
    current = reader.collect()

    default_replication_factor = None
    if any(spec['state'] == 'present' and spec['replication_factor'] is None and current[spec['name']] is None
           for spec in specs):
        default_replication_factor = broker_default_replication_factor(connection, cluster, subject)
    plans, problems = [], []
    for spec in specs:
        try:
            plans.append(plan_topic(spec, current[spec['name']], len(cluster.nodes), default_replication_factor))
        except TopicError as exc:
            problems.append(str(exc))
    if problems:
        raise KafkaModuleError(join_errors(problems))
    return plans


def alter_config_resource(plan):
    entries = [ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET) if value is not None
               else ConfigEntry(key, None, incremental_operation=AlterConfigOpType.DELETE)
               for key, value in sorted(plan.config_changes.items())]
    return ConfigResource(ResourceType.TOPIC, plan.name, incremental_configs=entries)


class TopicChanges(object):
    """Sends the plans' requests, one batch per kind for all topics (split over connections when large)."""

    def __init__(self, connection, plans):
        self.connection = connection
        self.creates = [plan for plan in plans if plan.create]
        self.alters = [plan for plan in plans if plan.config_changes]
        self.grows = [plan for plan in plans if plan.total_partitions is not None]
        self.deletes = [plan for plan in plans if plan.delete]
        self.applied = False

    def _options(self, validate_only, operation=True):
        timeout = self.connection.timeout
        options = dict(request_timeout=timeout + 5, operation_timeout=timeout) if operation else dict(
            request_timeout=timeout)
        if validate_only:
            options['validate_only'] = True
        return options

    def _create(self, validate_only):
        options = self._options(validate_only)
        return self.connection.fan_out(lambda admin, share: admin.create_topics(share, **options), [
            NewTopic(plan.name, plan.create['partitions'], plan.create['replication_factor'],
                     config=plan.create['config']) for plan in self.creates])

    def _alter(self, validate_only):
        options = self._options(validate_only, operation=False)
        futures = self.connection.fan_out(lambda admin, share: admin.incremental_alter_configs(share, **options),
                                          [alter_config_resource(plan) for plan in self.alters])
        return dict((resource.name, future) for resource, future in futures.items())

    def _grow(self, validate_only):
        options = self._options(validate_only)
        return self.connection.fan_out(lambda admin, share: admin.create_partitions(share, **options), [
            NewPartitions(plan.name, plan.total_partitions) for plan in self.grows])

    def _delete(self):
        options = self._options(validate_only=False)
        return self.connection.fan_out(lambda admin, share: admin.delete_topics(share, **options),
                                       [plan.name for plan in self.deletes])

    def _check(self, *batches):
        problems = []
        for futures in batches:
            errors = settle(self.connection, futures)[1]
            problems.extend(error_line(self.connection, name, error) for name, error in sorted(errors.items()))
        if problems:
            raise KafkaModuleError(join_errors(problems))

    def validate(self):
        """The broker's verdict on every request, with nothing changed."""
        self._check(self._create(True), self._alter(True), self._grow(True))

    def apply(self):
        """Configs (and creations, deletions) first, then partitions."""
        self.applied = True
        self._check(self._create(False), self._alter(False), self._delete())
        self._check(self._grow(False))


def wait_for_metadata(connection, plans, timeout):
    """Poll until every plan's topic shows its `after` state; the configs only of topics whose config was sent."""
    names = [plan.name for plan in plans]
    wanted = dict((plan.name, plan.after) for plan in plans)
    config_names = [plan.name for plan in plans if plan.create or plan.config_changes]
    lagging = []

    def shown():
        seen = TopicReader(connection, names, config_names).collect()
        lagging[:] = [name for name in names if not state_matches(wanted[name], seen[name])]
        return not lagging

    if not wait_until(shown, timeout):
        raise KafkaModuleError('%s: changed, but the metadata does not show it after %ss (wait_timeout)'
                               % (topics_subject(lagging), timeout))
