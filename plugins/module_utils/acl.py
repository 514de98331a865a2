# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""ACL bindings for kafka_acl: what is wanted, what the cluster has, and the requests between.

A binding is a Binding tuple of Kafka's canonical names (operation WRITE,
permission ALLOW, resource type TOPIC, pattern type LITERAL). Parsing the
options, the checks and the plan are pure functions, unit tested without a
broker. The reader and the writer at the end take a KafkaConnection, send one
DescribeAcls, one CreateAcls and one DeleteAcls for the whole list, and raise
KafkaModuleError with one line naming each binding at fault.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re
from collections import namedtuple

from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    HAS_CONFLUENT_KAFKA, KafkaModuleError, describe_kafka_error)
from ansible_collections.ecommerce.kafka.plugins.module_utils.topic import ERRORS_SHOWN, join_errors, settle

if HAS_CONFLUENT_KAFKA:
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import (
        AclBinding, AclBindingFilter, AclOperation, AclPermissionType, ConfigResource, ResourcePatternType,
        ResourceType)

BINDING_FIELDS = ('principal', 'host', 'operation', 'permission', 'resource_type', 'resource_name', 'pattern_type')
Binding = namedtuple('Binding', BINDING_FIELDS)

# Keys a `bindings` entry may set; unset ones fall back to the top-level option.
BINDING_KEYS = BINDING_FIELDS + ('state',)
# The operations each resource type takes, as kafka-acls accepts them (Kafka's AclEntry.supportedOperations).
RESOURCE_OPERATIONS = {
    'TOPIC': ('ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'),
    'GROUP': ('ALL', 'READ', 'DESCRIBE', 'DELETE'),
    'CLUSTER': ('ALL', 'CREATE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS',
                'IDEMPOTENT_WRITE'),
    'TRANSACTIONAL_ID': ('ALL', 'DESCRIBE', 'WRITE'),
}
RESOURCE_TYPES = ('TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID')
OPERATIONS = ('ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS',
              'ALTER_CONFIGS', 'IDEMPOTENT_WRITE')
PERMISSIONS = ('ALLOW', 'DENY')
PATTERN_TYPES = ('LITERAL', 'PREFIXED')
# The one name of the CLUSTER resource.
CLUSTER_NAME = 'kafka-cluster'
# librdkafka calls Kafka's CLUSTER resource type BROKER (both are 4 on the wire).
LIBRDKAFKA_RESOURCE_TYPES = {'CLUSTER': 'BROKER'}
KAFKA_RESOURCE_TYPES = {'BROKER': 'CLUSTER'}
# Principal types Kafka spells with a capital; the authorizer compares them case-sensitively.
PRINCIPAL_TYPES = ('User', 'Group')
NO_AUTHORIZER = 'the brokers have no authorizer (authorizer.class.name)'
_PRINCIPAL = re.compile(r'^(?P<type>[^:\s]+):(?P<name>\S(.*\S)?)$')


def canonical_name(value, names):
    """The name of `names` that `value` spells, ignoring case, '_', '-' and spaces, or None.

    'IdempotentWrite', 'idempotent_write' and 'IDEMPOTENT-WRITE' are all IDEMPOTENT_WRITE.
    """
    key = re.sub(r'[\s_-]', '', str(value)).lower()
    for name in names:
        if name.replace('_', '').lower() == key:
            return name
    return None


def principal_problem(principal):
    """Why `principal` is not a Kafka principal the authorizer can match, or None."""
    match = _PRINCIPAL.match(principal)
    if not match:
        return 'principal %r is not TYPE:NAME (for example User:alice)' % principal
    kind = match.group('type')
    for known in PRINCIPAL_TYPES:
        if kind != known and kind.lower() == known.lower():
            return 'principal %r: the type is %s (Kafka compares it case-sensitively)' % (principal, known)
    return None


def host_problem(host):
    """Why `host` cannot match a client, or None: Kafka compares it with the client's IP address."""
    if host == '*':
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "host %r is not * or an IP address (Kafka matches it against the client's address)" % host
    return None


def binding_specs(params):
    """One spec per binding, from the top-level options or from each `bindings` entry.

    In an entry, unset keys take the top-level option.
    """
    defaults = dict((key, params.get(key)) for key in BINDING_KEYS)
    if params.get('bindings') is None:
        return [defaults]
    specs = []
    for entry in params['bindings']:
        spec = dict(defaults)
        spec.update((key, entry[key]) for key in BINDING_KEYS if entry.get(key) is not None)
        specs.append(spec)
    return specs


def binding_text(binding):
    """One readable line: 'User:app ALLOW WRITE on TOPIC raw-events (LITERAL) from host *'."""
    return '%s %s %s on %s %s (%s) from host %s' % (
        binding.principal, binding.permission, binding.operation, binding.resource_type, binding.resource_name,
        binding.pattern_type, binding.host)


def spec_text(spec):
    """The same line for a spec as written, before its values are checked."""
    values = dict((key, '?' if spec.get(key) is None else str(spec[key])) for key in BINDING_FIELDS)
    return binding_text(Binding(**values))


def binding_dict(binding):
    """A binding as the module returns it, with the keys of a `bindings` entry."""
    return dict(zip(BINDING_FIELDS, binding))


def sort_key(binding):
    return (binding.principal, binding.resource_type, binding.resource_name, binding.pattern_type,
            binding.operation, binding.permission, binding.host)


def sorted_bindings(bindings):
    return sorted(set(bindings), key=sort_key)


def parse_spec(spec):
    """(Binding, []) for a valid spec, or (None, [causes]) naming each bad value."""
    causes = []
    names = {}
    for key, choices, what in (('resource_type', RESOURCE_TYPES, 'resource types'),
                               ('operation', OPERATIONS, 'operations'),
                               ('permission', PERMISSIONS, 'permissions'),
                               ('pattern_type', PATTERN_TYPES, 'pattern types')):
        if spec.get(key) is None:
            causes.append('%s is not set' % key)
            continue
        names[key] = canonical_name(spec[key], choices)
        if names[key] is None:
            causes.append('unknown %s %r (the %s are %s)' % (key.replace('_', ' '), spec[key], what, ', '.join(choices)))
    principal, host, resource_name = spec.get('principal'), spec.get('host'), spec.get('resource_name')
    if principal is None:
        causes.append('principal is not set (TYPE:NAME, for example User:alice)')
    elif principal_problem(principal):
        causes.append(principal_problem(principal))
    if host is None:
        causes.append('host is not set (* is any host)')
    elif host_problem(host):
        causes.append(host_problem(host))
    resource_type, operation = names.get('resource_type'), names.get('operation')
    if resource_type == 'CLUSTER':
        if resource_name is None:
            resource_name = CLUSTER_NAME
        elif resource_name != CLUSTER_NAME:
            causes.append('the CLUSTER resource is named %s, not %r' % (CLUSTER_NAME, resource_name))
    if not resource_name:
        causes.append('resource_name is not set')
    elif '/' in resource_name:
        causes.append("resource_name %r contains '/', which the brokers refuse (ACLs are kept in ZooKeeper paths)"
                      % resource_name)
    if resource_type and operation and operation not in RESOURCE_OPERATIONS[resource_type]:
        causes.append('operation %s does not apply to a %s (it takes %s)'
                      % (operation, resource_type, ', '.join(RESOURCE_OPERATIONS[resource_type])))
    if causes:
        return None, causes
    return Binding(principal, host, operation, names['permission'], resource_type, resource_name,
                   names['pattern_type']), []


def wanted_bindings(params):
    """check_specs() of the module's options: with `bindings`, the top-level principal is also one to purge."""
    principal = params.get('principal') if params.get('bindings') is not None else None
    return check_specs(binding_specs(params), principal)


def check_specs(specs, principal=None):
    """({Binding: state}, principals, problems): every problem found without asking the cluster, one line each.

    The same binding listed twice with one state is taken once; with both
    states it is a problem. The principals are those of the bindings and
    `principal`: the ones a purge works on.
    """
    wanted, problems = {}, []
    for spec in specs:
        binding, causes = parse_spec(spec)
        if causes:
            problems.append('binding %s: %s' % (spec_text(spec), ' and '.join(causes)))
            continue
        state = spec.get('state') or 'present'
        if wanted.get(binding, state) != state:
            problems.append('binding %s: listed as present and as absent' % binding_text(binding))
        wanted[binding] = state
    principals = set(binding.principal for binding in wanted)
    if principal is not None:
        problem = principal_problem(principal)
        if problem:
            problems.append(problem)
        principals.add(principal)
    if not specs and principal is None:
        problems.append('no binding to manage: give bindings, or principal with purge')
    return wanted, sorted(principals), problems


def bindings_subject(bindings, principals=()):
    """'binding X', or '8 bindings of User:a, User:b', for an error that concerns them all."""
    bindings = sorted_bindings(bindings)
    if len(bindings) == 1:
        return 'binding %s' % binding_text(bindings[0])
    names = sorted(set(binding.principal for binding in bindings).union(principals))
    shown = ', '.join(names[:ERRORS_SHOWN])
    if len(names) > ERRORS_SHOWN:
        shown += ' and %d more' % (len(names) - ERRORS_SHOWN)
    if not bindings:
        return 'ACLs of %s' % shown
    return '%d bindings of %s' % (len(bindings), shown)


class AclPlan(object):
    """The bindings of the task's principals before and after, and the changes between."""

    def __init__(self, before, create, delete):
        self.before = sorted_bindings(before)
        self.create = sorted_bindings(create)
        self.delete = sorted_bindings(delete)
        self.after = sorted_bindings(set(before).difference(delete).union(create))
        self.warnings = []

    @property
    def changed(self):
        return bool(self.create or self.delete)

    def result(self):
        """The module's return values, the same in check mode and in a real run."""
        return dict(bindings=[binding_dict(binding) for binding in self.after],
                    created=[binding_text(binding) for binding in self.create],
                    deleted=[binding_text(binding) for binding in self.delete])

    def diff(self):
        return dict(before=[binding_text(binding) for binding in self.before],
                    after=[binding_text(binding) for binding in self.after])


def plan_acls(wanted, current, principals, purge=False):
    """The plan turning `current` into `wanted` ({Binding: state}).

    Only bindings of `principals` are considered. With `purge`, those of
    their bindings that are not wanted present are deleted too.
    """
    current = set(binding for binding in current if binding.principal in principals)
    present = set(binding for binding, state in wanted.items() if state == 'present')
    absent = set(binding for binding, state in wanted.items() if state == 'absent')
    delete = current & absent
    if purge:
        delete |= current - present
    return AclPlan(current, present - current, delete)


# Readers and the writer: each takes a KafkaConnection.

def acl_binding(binding, kind=None):
    """The confluent-kafka AclBinding (or AclBindingFilter, for an exact delete) of a Binding."""
    kind = kind or AclBinding
    resource_type = LIBRDKAFKA_RESOURCE_TYPES.get(binding.resource_type, binding.resource_type)
    return kind(ResourceType[resource_type], binding.resource_name, ResourcePatternType[binding.pattern_type],
                binding.principal, binding.host, AclOperation[binding.operation],
                AclPermissionType[binding.permission])


def binding_of(acl):
    """The Binding of an AclBinding the broker returned, or None for kinds librdkafka does not know."""
    names = (acl.restype.name, acl.resource_pattern_type.name, acl.operation.name, acl.permission_type.name)
    if 'UNKNOWN' in names:
        return None
    return Binding(acl.principal, acl.host, acl.operation.name, acl.permission_type.name,
                   KAFKA_RESOURCE_TYPES.get(acl.restype.name, acl.restype.name), acl.name,
                   acl.resource_pattern_type.name)


def kafka_cause(connection, error):
    """The cause in a one-line error, from a KafkaError or a message."""
    if not isinstance(error, KafkaError):
        return str(error)
    if error.code() == KafkaError.SECURITY_DISABLED:
        return NO_AUTHORIZER
    return describe_kafka_error(KafkaException(error), connection)


def result_of(connection, future, subject):
    """connection.result(), with the authorizer's absence worded as such."""
    try:
        return future.result(timeout=connection.timeout + 5)
    except KafkaException as exc:
        raise KafkaModuleError('%s: %s' % (subject, kafka_cause(connection, exc.args[0] if exc.args else exc)))
    except Exception as exc:  # the futures raise plain exceptions on timeouts and bad input
        raise KafkaModuleError('%s: %s' % (subject, exc))


def read_cluster_rights(connection, subject):
    """The operations this connection's principal may do on the cluster; KafkaModuleError without an authorizer.

    librdkafka reports a refused or unsupported DescribeAcls as an empty
    list, so the rights and the authorizer are read before the ACLs are trusted.
    """
    admin, timeout = connection.admin, connection.timeout
    cluster = result_of(connection, admin.describe_cluster(include_authorized_operations=True,
                                                           request_timeout=timeout), subject)
    rights = set(operation.name for operation in cluster.authorized_operations or [])
    # Without an authorizer every operation is allowed, so a principal that lacks one proves there is an authorizer.
    if 'DESCRIBE_CONFIGS' in rights:
        broker = ConfigResource(ResourceType.BROKER, str(cluster.nodes[0].id))
        entries = result_of(connection, admin.describe_configs([broker], request_timeout=timeout)[broker], subject)
        entry = entries.get('authorizer.class.name')
        if entry is None or not entry.value:
            raise KafkaModuleError('%s: %s' % (subject, NO_AUTHORIZER))
    if 'DESCRIBE' not in rights:
        raise KafkaModuleError('%s: the connecting principal may not read ACLs (DescribeAcls needs DESCRIBE on the '
                               'cluster, and librdkafka reports a refusal as no ACLs)' % subject)
    return rights


def read_and_plan_acls(connection, wanted, principals, purge=False):
    """Read the cluster's ACLs once (one DescribeAcls for every principal), then plan.

    `wanted` and `principals` come from check_specs. Raises KafkaModuleError,
    before any change is sent, when the brokers have no authorizer or the
    principal may not read or change ACLs.
    """
    subject = bindings_subject(wanted, principals)
    admin, timeout = connection.admin, connection.timeout
    only = principals[0] if len(principals) == 1 else None
    listing = admin.describe_acls(AclBindingFilter(
        ResourceType.ANY, None, ResourcePatternType.ANY, only, None, AclOperation.ANY, AclPermissionType.ANY),
        request_timeout=timeout)
    rights = read_cluster_rights(connection, subject)
    acls = [acl for acl in result_of(connection, listing, subject) if acl.principal in principals]
    current = [binding_of(acl) for acl in acls]
    plan = plan_acls(wanted, [binding for binding in current if binding], principals, purge)
    unknown = sorted(set(acl.principal for acl, binding in zip(acls, current) if binding is None))
    if unknown:
        plan.warnings.append('%s: bindings of a resource type or operation librdkafka does not know (delegation '
                             'tokens, users) are left as they are' % ', '.join(unknown))
    if plan.changed and 'ALTER' not in rights:
        raise KafkaModuleError('%s: the connecting principal may not change ACLs (CreateAcls and DeleteAcls need '
                               'ALTER on the cluster)' % bindings_subject(plan.create + plan.delete))
    return plan


class AclChanges(object):
    """Sends the plan: one CreateAcls for every binding to create, then one DeleteAcls for every one to delete.

    Creating first means a binding that moves (another host, say) is never
    missing in between.
    """

    def __init__(self, connection, plan):
        self.connection = connection
        self.plan = plan
        self.applied = False

    def _check(self, futures):
        errors = settle(self.connection, futures)[1]
        problems = ['binding %s: %s' % (binding_text(binding_of(acl)), kafka_cause(self.connection, error))
                    for acl, error in sorted(errors.items(), key=lambda item: sort_key(binding_of(item[0])))]
        if problems:
            raise KafkaModuleError(join_errors(problems))

    def apply(self):
        timeout = self.connection.timeout
        if self.plan.create:
            self.applied = True
            self._check(self.connection.admin.create_acls(
                [acl_binding(binding) for binding in self.plan.create], request_timeout=timeout))
        if self.plan.delete:
            self.applied = True
            self._check(self.connection.admin.delete_acls(
                [acl_binding(binding, AclBindingFilter) for binding in self.plan.delete], request_timeout=timeout))
