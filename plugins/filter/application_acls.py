# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The platform's applications as ecommerce.kafka.kafka_user users and the least
ecommerce.kafka.kafka_acl bindings."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

_KEYS = frozenset(['name', 'reads', 'writes', 'groups', 'idempotent', 'state'])


def checked(applications, what):
    """The applications, each with a name, only known keys, and a name of its own."""
    names = []
    for application in applications:
        if not isinstance(application, dict) or not application.get('name'):
            raise AnsibleFilterError('%s: every application needs a name, got %r' % (what, application))
        unknown = sorted(set(application) - _KEYS)
        if unknown:
            raise AnsibleFilterError('%s: application %s has unknown keys %s (known: %s)' % (
                what, application['name'], ', '.join(unknown), ', '.join(sorted(_KEYS))))
        if application.get('state', 'present') not in ('present', 'absent'):
            raise AnsibleFilterError('%s: application %s has state %r, not present or absent' % (
                what, application['name'], application['state']))
        names.append(application['name'])
    twice = sorted(set(name for name in names if names.count(name) > 1))
    if twice:
        raise AnsibleFilterError('%s: applications listed twice: %s' % (what, ', '.join(twice)))
    return applications


def application_users(applications, passwords, mechanisms):
    """One kafka_user entry per application; a present one needs its password."""
    missing = [application['name'] for application in checked(applications, 'application_users')
               if application.get('state', 'present') == 'present' and not (passwords or {}).get(application['name'])]
    if missing:
        raise AnsibleFilterError('application_users: no password for %s; set each in kafka_principals_passwords '
                                 '(from ansible-vault)' % ', '.join(missing))
    users = []
    for application in applications:
        user = dict(name=application['name'], state=application.get('state', 'present'), mechanisms=list(mechanisms))
        if user['state'] == 'present':
            user['password'] = passwords[application['name']]
        users.append(user)
    return users


def application_acls(applications):
    bindings = []
    for application in checked(applications, 'application_acls'):
        principal = 'User:%s' % application['name']
        state = application.get('state', 'present')

        def allow(resource_type, resource_name, operation):
            bindings.append(dict(principal=principal, resource_type=resource_type, resource_name=resource_name,
                                 operation=operation, state=state))
        for topic in application.get('writes') or []:
            allow('TOPIC', topic, 'WRITE')
            allow('TOPIC', topic, 'DESCRIBE')
        for topic in application.get('reads') or []:
            allow('TOPIC', topic, 'READ')
            allow('TOPIC', topic, 'DESCRIBE')
        for group in application.get('groups') or []:
            allow('GROUP', group, 'READ')
        if application.get('writes') and application.get('idempotent', True):
            allow('CLUSTER', 'kafka-cluster', 'IDEMPOTENT_WRITE')
    # A topic both read and written gets its Describe once.
    unique = []
    for binding in bindings:
        if binding not in unique:
            unique.append(binding)
    return unique


class FilterModule(object):
    def filters(self):
        return {'application_acls': application_acls, 'application_users': application_users}
