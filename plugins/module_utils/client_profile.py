# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The guide's producer and consumer settings, defined once, rendered for
librdkafka (confluent-kafka) and for the Java client with a connection's
security settings. docs/client-profiles.md says where they differ from the
guide and why."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ecommerce.kafka.plugins.module_utils.java_config import jaas_quote
from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import get_client_config

_DURABLE_PRODUCER = {
    'acks': 'all',
    'enable.idempotence': True,
    # Idempotence keeps the order with up to 5 requests in flight; the guide's 1 only slows the producer.
    'max.in.flight.requests.per.connection': 5,
    'compression.type': 'snappy',
    'linger.ms': 10,
    'batch.size': 16384,
}
_DEFAULT_CONSUMER = {
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': True,
    'auto.commit.interval.ms': 5000,
    'session.timeout.ms': 30000,
}

# In the Java client's names; LIBRDKAFKA_NAMES and JAVA_ONLY say how librdkafka differs.
PROFILES = {
    'producer': {
        'durable': _DURABLE_PRODUCER,
        'high_throughput': dict(_DURABLE_PRODUCER, **{
            'linger.ms': 100, 'batch.size': 131072, 'compression.type': 'lz4', 'buffer.memory': 67108864}),
        # The guide's batch.size 1 would send each message in a request of its own;
        # linger.ms 0 already sends at once, batching only what waits for a request in flight.
        'low_latency': dict(_DURABLE_PRODUCER, **{'linger.ms': 0, 'compression.type': 'none'}),
    },
    'consumer': {
        'default': _DEFAULT_CONSUMER,
        'fast': dict(_DEFAULT_CONSUMER, **{
            'fetch.min.bytes': 50000, 'fetch.max.wait.ms': 500, 'max.poll.records': 1000,
            'enable.auto.commit': False}),
    },
}

LIBRDKAFKA_NAMES = {'fetch.max.wait.ms': 'fetch.wait.max.ms'}
# librdkafka has no such setting: its producer queue (queue.buffering.max.kbytes)
# already holds 1 GiB by default, and the application caps a batch with consume(num_messages).
JAVA_ONLY = frozenset(['buffer.memory', 'max.poll.records'])

FAMILIES = ('librdkafka', 'java')

_LOGIN_MODULES = {
    'PLAIN': 'org.apache.kafka.common.security.plain.PlainLoginModule',
    'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
    'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
}


class ProfileError(ValueError):
    """A request for a profile that does not exist or cannot be rendered, worded for the operator."""


def profile_settings(kind, name):
    """The profile's settings, in the Java client's names."""
    if kind not in PROFILES:
        raise ProfileError('client kind %r is not one of %s' % (kind, ', '.join(sorted(PROFILES))))
    if name not in PROFILES[kind]:
        raise ProfileError('%s profile %r is not one of %s' % (kind, name, ', '.join(sorted(PROFILES[kind]))))
    return dict(PROFILES[kind][name])


def render(kind, name, family, connection=None, settings=None):
    """The profile as one client family's configuration, with the connection's
    keys (module options, as ecommerce.kafka.admin_connection returns them) and
    then `settings` (that family's names, for group.id or client.id) on top."""
    if family not in FAMILIES:
        raise ProfileError('client family %r is not one of %s' % (family, ', '.join(FAMILIES)))
    profile = profile_settings(kind, name)
    if family == 'librdkafka':
        config = dict((LIBRDKAFKA_NAMES.get(key, key), value) for key, value in profile.items() if key not in JAVA_ONLY)
    else:
        config = profile
    config.update(connection_config(connection or {}, family))
    config.update(settings or {})
    return config


def connection_config(connection, family):
    """A connection given as module options, in one client family's keys."""
    if family not in FAMILIES:
        raise ProfileError('client family %r is not one of %s' % (family, ', '.join(FAMILIES)))
    return get_client_config(connection) if family == 'librdkafka' else java_security(connection)


def java_security(connection):
    """The Java client's keys for a connection given as module options."""
    protocol = connection.get('security_protocol', 'PLAINTEXT')
    config = {'security.protocol': protocol}
    if connection.get('bootstrap_servers'):
        config['bootstrap.servers'] = connection['bootstrap_servers']
    if protocol.startswith('SASL_'):
        mechanism = connection.get('sasl_mechanism')
        if mechanism not in _LOGIN_MODULES or not connection.get('sasl_username') \
                or connection.get('sasl_password') is None:
            raise ProfileError('%s needs sasl_mechanism (one of %s), sasl_username and sasl_password' % (
                protocol, ', '.join(sorted(_LOGIN_MODULES))))
        config['sasl.mechanism'] = mechanism
        config['sasl.jaas.config'] = '%s required username=%s password=%s;' % (
            _LOGIN_MODULES[mechanism], jaas_quote(connection['sasl_username']),
            jaas_quote(connection['sasl_password']))
    if protocol.endswith('SSL'):
        if connection.get('ssl_certificate_location') or connection.get('ssl_key_location'):
            # Kafka's PEM key store reads the key and its chain from one file, or inline.
            raise ProfileError('a Java client with a client certificate needs a key store of its own: give '
                               'ssl.keystore.* in settings instead of ssl_certificate_location/ssl_key_location')
        if connection.get('ssl_ca_location'):
            config['ssl.truststore.type'] = 'PEM'
            config['ssl.truststore.location'] = connection['ssl_ca_location']
        config['ssl.endpoint.identification.algorithm'] = (
            'https' if connection.get('ssl_check_hostname', True) else '')
    config.update((str(key), value) for key, value in (connection.get('client_config') or {}).items())
    return config
