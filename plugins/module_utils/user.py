# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""SCRAM credentials for kafka_user: what is wanted, what the cluster has, and the requests between.

A credential is a (user, mechanism) pair with its iterations; the brokers
never give a password back. Parsing the options, the checks and the plan are
pure functions, unit tested without a broker. The reader and the writer at the
end take a KafkaConnection: one DescribeUserScramCredentials and one
AlterUserScramCredentials for the whole list. Errors name each user at fault.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    HAS_CONFLUENT_KAFKA, KafkaModuleError, describe_kafka_error, get_client_config)
from ansible_collections.ecommerce.kafka.plugins.module_utils.topic import join_errors, objects_subject, settle

if HAS_CONFLUENT_KAFKA:
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import (
        AdminClient, ScramCredentialInfo, ScramMechanism, UserScramCredentialDeletion, UserScramCredentialUpsertion)

MECHANISMS = ('SCRAM-SHA-256', 'SCRAM-SHA-512')
# Kafka's bounds (ScramMechanism.minIterations, and the 16384 its alter request accepts at most).
MIN_ITERATIONS, MAX_ITERATIONS = 4096, 16384
USER_KEYS = ('name', 'password', 'mechanisms', 'iterations', 'state', 'update_password')


def user_specs(params):
    """One spec per user, from the top-level options or from each `users` entry; unset keys take the top level."""
    defaults = dict((key, params.get(key)) for key in USER_KEYS)
    specs = []
    for entry in [{}] if params.get('users') is None else params['users']:
        spec = dict(defaults)
        spec.update((key, entry[key]) for key in USER_KEYS if entry.get(key) is not None)
        specs.append(spec)
    for spec in specs:
        spec['mechanisms'] = [str(mechanism).upper().replace('_', '-') for mechanism in spec.get('mechanisms') or []]
    return specs


def spec_problems(spec):
    """Why a spec cannot be applied, one cause each, before the cluster is asked."""
    name = spec.get('name')
    causes = []
    if not name:
        return ['a user has no name']
    if name != name.strip() or any(char in name for char in ',='):
        # The brokers keep SCRAM users as ZooKeeper entity names and in SASL's saslname syntax.
        causes.append("the name has a comma, an equals sign or white space at an end")
    for mechanism in spec.get('mechanisms') or []:
        if mechanism not in MECHANISMS:
            causes.append('unknown mechanism %r (the mechanisms are %s)' % (mechanism, ', '.join(MECHANISMS)))
    if not spec.get('mechanisms') and spec.get('state') == 'present':
        causes.append('mechanisms is empty')
    iterations = spec.get('iterations')
    if iterations is not None and not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        causes.append('iterations is %s; Kafka takes %d to %d' % (iterations, MIN_ITERATIONS, MAX_ITERATIONS))
    if spec.get('state') == 'present' and not spec.get('password'):
        causes.append('password is not set')
    return ['user %s: %s' % (name, cause) for cause in causes]


def check_specs(specs):
    """({name: spec}, problems): a user listed twice is a problem, as any spec_problems()."""
    wanted, problems = {}, []
    for spec in specs:
        problems.extend(spec_problems(spec))
        if spec.get('name') in wanted:
            problems.append('user %s: listed twice' % spec['name'])
        wanted[spec.get('name')] = spec
    if not specs:
        problems.append('no user to manage: give name or users')
    return wanted, problems


def credential_text(name, mechanism, iterations):
    return '%s %s (%d iterations)' % (name, mechanism, iterations)


class UserPlan(object):
    """The credentials of the task's users before and after, and the changes between.

    `current` and `after` map a user to {mechanism: iterations}; `upserts` are
    (name, mechanism, reason) with reason 'create', 'password' or 'iterations';
    `deletions` are (name, mechanism).
    """

    def __init__(self, current, after, upserts, deletions, warnings):
        self.current = current
        self.after = after
        self.upserts = upserts
        self.deletions = deletions
        self.warnings = warnings

    @property
    def changed(self):
        return bool(self.upserts or self.deletions)

    def _lines(self, credentials, changed_passwords=()):
        lines = []
        for name in sorted(credentials):
            for mechanism, iterations in sorted(credentials[name].items()):
                line = credential_text(name, mechanism, iterations)
                lines.append(line + ', new password' if (name, mechanism) in changed_passwords else line)
        return lines

    def result(self):
        """The module's return values, the same in check mode and in a real run; never a password."""
        return dict(
            users=[dict(name=name, credentials=[dict(mechanism=mechanism, iterations=iterations)
                                                for mechanism, iterations in sorted(self.after[name].items())])
                   for name in sorted(self.after)],
            created=[credential_text(name, mechanism, self.after[name][mechanism])
                     for name, mechanism, reason in self.upserts if reason == 'create'],
            updated=['%s: %s' % (credential_text(name, mechanism, self.after[name][mechanism]),
                                 'new password' if reason == 'password' else 'new iterations, password set again')
                     for name, mechanism, reason in self.upserts if reason != 'create'],
            deleted=[credential_text(name, mechanism, self.current[name][mechanism])
                     for name, mechanism in self.deletions])

    def diff(self):
        rewritten = set((name, mechanism) for name, mechanism, reason in self.upserts if reason != 'create')
        return dict(before='\n'.join(self._lines(self.current)) + '\n' if self.current else '',
                    after='\n'.join(self._lines(self.after, rewritten)) + '\n' if self.after else '')


def plan_users(wanted, current, logins_ok=None):
    """The plan turning `current` ({name: {mechanism: iterations}}) into `wanted` ({name: spec}).

    `logins_ok` maps (name, mechanism) to whether the wanted password logs in,
    for users with update_password=always; a pair that is missing there could
    not be tried, and is rewritten.
    """
    logins_ok = logins_ok or {}
    before, after = {}, {}
    upserts, deletions, warnings = [], [], []
    for name in sorted(wanted):
        spec = wanted[name]
        has = dict(current.get(name) or {})
        if has:
            before[name] = dict(has)
        if spec['state'] == 'absent':
            deletions.extend((name, mechanism) for mechanism in sorted(has))
            continue
        credentials = dict(has)
        for mechanism in sorted(spec['mechanisms']):
            iterations = spec['iterations']
            if mechanism not in has:
                upserts.append((name, mechanism, 'create'))
            elif spec['update_password'] == 'always' and not logins_ok.get((name, mechanism), False):
                upserts.append((name, mechanism, 'password'))
                if (name, mechanism) not in logins_ok:
                    warnings.append('user %s: its %s password cannot be tried over this connection (a SASL listener '
                                    'that enables %s), so it is set again at every run' % (name, mechanism, mechanism))
            elif has[mechanism] != iterations:
                if spec['update_password'] == 'always':
                    upserts.append((name, mechanism, 'iterations'))
                else:
                    warnings.append('user %s: %s has %d iterations, not %d; with update_password=on_create the '
                                    'credential is left as it is' % (name, mechanism, has[mechanism], iterations))
                    iterations = has[mechanism]
            credentials[mechanism] = iterations
        after[name] = credentials
    return UserPlan(before, after, upserts, deletions, warnings)


def users_subject(names):
    return objects_subject('user', sorted(names))


# Readers and the writer: each takes a KafkaConnection.

def mechanism_name(mechanism):
    return mechanism.name.replace('_', '-')


def read_cluster_rights(connection, names):
    """The operations this connection's principal may do on the cluster.

    confluent-kafka 2.16.1 aborts the process (munmap_chunk: invalid pointer)
    when the brokers refuse DescribeUserScramCredentials, so a principal
    without DESCRIBE on the cluster is told so before that request is sent.
    """
    cluster = connection.result(connection.admin.describe_cluster(
        include_authorized_operations=True, request_timeout=connection.timeout), users_subject(names))
    rights = set(operation.name for operation in cluster.authorized_operations or [])
    if 'DESCRIBE' not in rights:
        raise KafkaModuleError('%s: the connecting principal may not read SCRAM credentials (DescribeUserScram'
                               'Credentials needs DESCRIBE on the cluster)' % users_subject(names))
    return rights


def check_may_alter(rights, plan):
    if plan.changed and 'ALTER' not in rights:
        changed = set(name for name, _mechanism, _reason in plan.upserts).union(
            name for name, _mechanism in plan.deletions)
        raise KafkaModuleError('%s: the connecting principal may not change SCRAM credentials (AlterUserScram'
                               'Credentials needs ALTER on the cluster)' % users_subject(changed))


def read_credentials(connection, names):
    """{name: {mechanism: iterations}} for the users that have credentials, in one request."""
    futures = connection.admin.describe_user_scram_credentials(sorted(names), request_timeout=connection.timeout)
    current, problems = {}, []
    for name, future in sorted(futures.items()):
        try:
            description = future.result(timeout=connection.timeout + 5)
        except KafkaException as exc:
            error = exc.args[0] if exc.args else None
            if isinstance(error, KafkaError) and error.code() == KafkaError.RESOURCE_NOT_FOUND:
                continue
            problems.append('user %s: %s' % (name, describe_kafka_error(exc, connection)))
            continue
        except Exception as exc:  # the futures raise plain exceptions on timeouts
            problems.append('user %s: %s' % (name, exc))
            continue
        current[name] = dict((mechanism_name(info.mechanism), info.iterations)
                             for info in description.scram_credential_infos
                             if info.mechanism != ScramMechanism.UNKNOWN)
    if problems:
        raise KafkaModuleError(join_errors(problems))
    return current


def login_works(module_params, name, mechanism, password):
    """Whether `name` logs in with `password` over the module's own SASL connection;
    None when the listener does not enable `mechanism`, so it cannot be tried.

    A refused login is known as soon as librdkafka reports it to error_cb,
    so the client is asked in short rounds until then or the request timeout.
    A broker that cannot be reached raises KafkaModuleError: it proves nothing.
    """
    config = get_client_config(dict(module_params, sasl_mechanism=mechanism, sasl_username=name,
                                    sasl_password=password))
    failures = []
    config['error_cb'] = failures.append
    client = AdminClient(config)
    deadline = time.monotonic() + module_params['request_timeout']
    while True:
        try:
            client.list_topics(timeout=1)
            return True
        except KafkaException as exc:
            client.poll(0)
            refusals = [error.str() for error in failures if error.code() == KafkaError._AUTHENTICATION]
            if any('Unsupported SASL mechanism' in refusal for refusal in refusals):
                return None
            if refusals:
                return False
            if time.monotonic() >= deadline:
                raise KafkaModuleError('user %s: cannot try its password: %s' % (name, describe_kafka_error(exc)))


def try_logins(module_params, wanted, current):
    """{(name, mechanism): bool} for the existing credentials of users with update_password=always.

    Only a SASL connection can try a password; on another one, nothing is
    tried and the plan rewrites those passwords.
    """
    if not module_params['security_protocol'].startswith('SASL_'):
        return {}
    results = {}
    for name, spec in sorted(wanted.items()):
        if spec['state'] != 'present' or spec['update_password'] != 'always':
            continue
        for mechanism in sorted(set(spec['mechanisms']) & set(current.get(name) or {})):
            works = login_works(module_params, name, mechanism, spec['password'])
            if works is not None:
                results[(name, mechanism)] = works
    return results


def apply_plan(connection, plan, wanted):
    """One AlterUserScramCredentials for every upsertion and deletion of the plan.

    Returns the users changed; on a failure, KafkaModuleError names the users
    at fault and those the brokers changed all the same.
    """
    alterations = [UserScramCredentialUpsertion(
        name, ScramCredentialInfo(ScramMechanism[mechanism.replace('-', '_')], wanted[name]['iterations']),
        wanted[name]['password'].encode('utf-8')) for name, mechanism, reason in plan.upserts]
    alterations += [UserScramCredentialDeletion(name, ScramMechanism[mechanism.replace('-', '_')])
                    for name, mechanism in plan.deletions]
    if not alterations:
        return []
    futures = connection.admin.alter_user_scram_credentials(alterations, request_timeout=connection.timeout)
    results, errors = settle(connection, futures)
    if errors:
        message = join_errors(['user %s: %s' % (name, error_text(connection, error))
                               for name, error in sorted(errors.items())])
        if results:
            message += ' (changed all the same: %s)' % ', '.join(sorted(results))
        error = KafkaModuleError(message)
        error.changed = bool(results)
        raise error
    return sorted(results)


def error_text(connection, error):
    if isinstance(error, KafkaError):
        return describe_kafka_error(KafkaException(error), connection)
    return str(error)
