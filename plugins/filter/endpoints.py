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

    def required(self, name, because):
        """A variable that has no default (a secret) or an empty one, needed here."""
        value = self.variables.get(name) or role_defaults(self.role).get(name)
        if not value:
            raise AnsibleFilterError('%s host %s: set %s, because %s' % (self.role, self.host, name, because))
        return value

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


def client_listener(settings):
    listeners, name = settings['kafka_broker_listeners'], settings['kafka_broker_client_listener']
    if name not in listeners:
        raise AnsibleFilterError('kafka_broker host %s: its client listener %s is not one of its listeners (%s)' % (
            settings.host, name, ', '.join(sorted(listeners))))
    return listeners[name]


def bootstrap_servers(brokers, hostvars):
    """`host:port,...` of the brokers' client listeners, as the brokers advertise them."""
    addresses = []
    for broker in brokers:
        settings = HostSettings('kafka_broker', broker, hostvars)
        listener = client_listener(settings)
        host = listener.get('advertised_host') or settings.advertised_host('kafka_broker_advertised_host')
        addresses.append('%s:%s' % (host, listener['port']))
    return ','.join(addresses)


def admin_connection(brokers, hostvars):
    """The connection options of the collection's modules for the admin principal:
    the bootstrap servers, and the protocol, SASL credentials and CA that the
    brokers' client listener asks for."""
    if not brokers:
        return {}
    settings = [HostSettings('kafka_broker', broker, hostvars) for broker in brokers]
    protocols = dict((each.host, client_listener(each)['protocol']) for each in settings)
    if len(set(protocols.values())) > 1:
        raise AnsibleFilterError('kafka_broker: the brokers\' client listeners differ in protocol (%s); clients need '
                                 'one way in' % ', '.join('%s %s' % item for item in sorted(protocols.items())))
    first = settings[0]
    protocol = protocols[first.host]
    connection = {'bootstrap_servers': bootstrap_servers(brokers, hostvars), 'security_protocol': protocol}
    if protocol.startswith('SASL_'):
        connection.update(sasl_mechanism=first['kafka_broker_sasl_mechanism'],
                          sasl_username=first['kafka_broker_admin_user'],
                          sasl_password=first.required('kafka_broker_admin_password', 'the client listener uses ' + protocol))
    if protocol.endswith('SSL'):
        # The CA that the kafka_broker role keeps on the controller, unless another is named.
        connection['ssl_ca_location'] = first['kafka_broker_admin_ca_file'] or os.path.join(
            os.path.expanduser(first['kafka_broker_tls_ca_dir']), 'ca.pem')
        if first['kafka_broker_admin_certificate_file']:
            connection.update(ssl_certificate_location=first['kafka_broker_admin_certificate_file'],
                              ssl_key_location=first.required('kafka_broker_admin_key_file', 'a client certificate is set'))
    return connection


def zookeeper_connect(members, hostvars):
    """`host:port,...` of the ensemble's client port, by the members' inventory names."""
    return ','.join('%s:%s' % (member, HostSettings('zookeeper', member, hostvars)['zookeeper_client_port'])
                    for member in members)


def schema_registry_urls(registries, hostvars):
    """The Confluent-compatible API URL of each registry, for clients and health checks."""
    urls = []
    for registry in registries:
        settings = HostSettings('schema_registry', registry, hostvars)
        urls.append('%s://%s:%s/apis/ccompat/v7' % (
            'https' if settings['schema_registry_tls'] else 'http',
            settings.advertised_host('schema_registry_advertised_host'), settings['schema_registry_port']))
    return urls


def schema_registry_connection(registries, hostvars):
    """The registry options of the collection's modules for the admin host: every
    registry's URL, and on HTTPS the platform's CA and the admin's client
    certificate, which the schema_registry role issues on the controller unless
    another is named."""
    if not registries:
        return {}
    connection = {'registry_url': ','.join(schema_registry_urls(registries, hostvars))}
    first = HostSettings('schema_registry', registries[0], hostvars)
    if first['schema_registry_tls']:
        ca_dir = os.path.expanduser(first['schema_registry_tls_ca_dir'])
        connection.update(
            registry_ca_location=os.path.join(ca_dir, 'ca.pem'),
            registry_certificate_location=first['schema_registry_admin_certificate_file'] or os.path.join(
                ca_dir, 'schema-registry-admin.pem'),
            registry_key_location=first['schema_registry_admin_key_file'] or os.path.join(
                ca_dir, 'schema-registry-admin.key'))
    return connection


# Where each component serves its metrics, as its role's variables name them:
# the host's address variable, the bind address of the endpoint, and its port.
METRICS_ENDPOINTS = {
    'zookeeper': (None, 'zookeeper_metrics_address', 'zookeeper_metrics_port'),
    'kafka_broker': ('kafka_broker_advertised_host', 'kafka_broker_metrics_address', 'kafka_broker_metrics_port'),
    'schema_registry': ('schema_registry_advertised_host', 'schema_registry_bind_address',
                        'schema_registry_management_port'),
}
ANY_ADDRESS = ('', '0.0.0.0', '::')


def metrics_targets(hosts, component, hostvars, port=None):
    """`host:port` of each host's metrics endpoint, for a Prometheus scrape:
    the address the endpoint binds when it binds one, else the address that
    clients reach the component at (a ZooKeeper member's inventory name). With
    `port`, the client address at that port: an exporter beside the component,
    such as the host's node exporter."""
    if component not in METRICS_ENDPOINTS:
        raise AnsibleFilterError('metrics_targets: no metrics endpoint is known for %s (one of %s)' % (
            component, ', '.join(sorted(METRICS_ENDPOINTS))))
    host_variable, bind_variable, port_variable = METRICS_ENDPOINTS[component]
    targets = []
    for host in hosts:
        settings = HostSettings(component, host, hostvars)
        if not settings.variables.get(component + '_metrics_enabled', True):
            continue
        address = '' if port else settings[bind_variable]
        if address in ANY_ADDRESS:
            address = settings.advertised_host(host_variable) if host_variable else host
        if ':' in address:
            address = '[%s]' % address
        targets.append('%s:%s' % (address, port or settings[port_variable]))
    return targets


class FilterModule(object):
    def filters(self):
        return {
            'bootstrap_servers': bootstrap_servers,
            'admin_connection': admin_connection,
            'zookeeper_connect': zookeeper_connect,
            'schema_registry_urls': schema_registry_urls,
            'schema_registry_connection': schema_registry_connection,
            'metrics_targets': metrics_targets,
        }
