# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Client addresses of the platform's components, computed from the inventory.

The roles, the operational playbooks and the molecule scenarios all ask here,
so an address is computed one way. A host's own variables (inventory, facts,
extra vars) win; what a host does not set comes from the component role's
defaults/main.yml, read from the collection, so each default stays defined once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import os

import yaml

from ansible.errors import AnsibleFilterError

ROLES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'roles')

# The roles' advertised-host defaults are the host's FQDN fact (`{{ ansible_fqdn }}`),
# which the defaults file cannot give here: it is read from the host's facts instead.
FQDN_DEFAULT = '{{ ansible_fqdn }}'


@functools.lru_cache(maxsize=None)
def role_defaults(role):
    with open(os.path.join(ROLES_DIR, role, 'defaults', 'main.yml')) as defaults_file:
        return yaml.safe_load(defaults_file)


class HostSettings:
    """One host's value of a role variable: its own, else the role default."""

    def __init__(self, role, host, hostvars):
        self.role, self.host = role, host
        try:
            self.variables = hostvars[host]
        except KeyError:
            raise AnsibleFilterError('%s: host %s is not in the inventory' % (role, host))

    def __getitem__(self, name):
        if name in self.variables:
            return self.variables[name]
        return role_defaults(self.role)[name]

    def advertised_host(self, name):
        value = self[name]
        if value != FQDN_DEFAULT:
            return value
        fqdn = (self.variables.get('ansible_facts') or {}).get('fqdn')
        if not fqdn:
            raise AnsibleFilterError(
                '%s host %s: its address is its FQDN fact, and its facts have not been gathered; gather them '
                '(ansible.builtin.setup) or set %s' % (self.role, self.host, name))
        return fqdn


def bootstrap_servers(brokers, hostvars):
    """`host:port,...` of the brokers' client listeners, as the brokers advertise them."""
    addresses = []
    for broker in brokers:
        settings = HostSettings('kafka_broker', broker, hostvars)
        listeners, client_listener = settings['kafka_broker_listeners'], settings['kafka_broker_client_listener']
        if client_listener not in listeners:
            raise AnsibleFilterError('kafka_broker host %s: its client listener %s is not one of its listeners (%s)' % (
                broker, client_listener, ', '.join(sorted(listeners))))
        listener = listeners[client_listener]
        host = listener.get('advertised_host') or settings.advertised_host('kafka_broker_advertised_host')
        addresses.append('%s:%s' % (host, listener['port']))
    return ','.join(addresses)


def zookeeper_connect(members, hostvars):
    """`host:port,...` of the ensemble's client port, by the members' inventory names."""
    return ','.join('%s:%s' % (member, HostSettings('zookeeper', member, hostvars)['zookeeper_client_port'])
                    for member in members)


def schema_registry_urls(registries, hostvars):
    """The Confluent-compatible API URL of each registry, for clients and health checks."""
    urls = []
    for registry in registries:
        settings = HostSettings('schema_registry', registry, hostvars)
        urls.append('http://%s:%s/apis/ccompat/v7' % (
            settings.advertised_host('schema_registry_advertised_host'), settings['schema_registry_port']))
    return urls


class FilterModule(object):
    def filters(self):
        return {
            'bootstrap_servers': bootstrap_servers,
            'zookeeper_connect': zookeeper_connect,
            'schema_registry_urls': schema_registry_urls,
        }
