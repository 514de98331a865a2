# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Connection options, driver guard and AdminClient helpers shared by every module."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import logging
import time
import traceback

from ansible.module_utils.basic import missing_required_lib

try:
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import AdminClient
except ImportError:
    HAS_CONFLUENT_KAFKA = False
    CONFLUENT_KAFKA_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_CONFLUENT_KAFKA = True
    CONFLUENT_KAFKA_IMPORT_ERROR = None


def kafka_common_argument_spec():
    """The connection options every module of the collection accepts."""
    return dict(
        bootstrap_servers=dict(type='str', required=True),
        security_protocol=dict(type='str', default='PLAINTEXT',
                               choices=['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']),
        sasl_mechanism=dict(type='str', choices=['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']),
        sasl_username=dict(type='str'),
        sasl_password=dict(type='str', no_log=True),
        ssl_ca_location=dict(type='path'),
        ssl_certificate_location=dict(type='path'),
        ssl_key_location=dict(type='path'),
        ssl_key_password=dict(type='str', no_log=True),
        ssl_check_hostname=dict(type='bool', default=True),
        client_config=dict(type='dict', default={}),
        request_timeout=dict(type='int', default=30),
    )


def kafka_wait_argument_spec():
    """The options of the ecommerce.kafka.wait doc fragment, for a module that polls until a condition holds."""
    return dict(
        wait=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=300),
        wait_sleep=dict(type='int', default=2),
    )


KAFKA_REQUIRED_TOGETHER = [('sasl_username', 'sasl_password')]

# A broker serves one request per connection at a time, and a topic's config or
# creation is a few ZooKeeper writes: a large batch split over a few connections
# is handled by several request threads at once (about twice as fast on 1,000
# topics). A smaller share is not worth another connection's handshake.
MAX_CONNECTIONS = 4
MIN_OBJECTS_PER_CONNECTION = 100

_OPTION_TO_LIBRDKAFKA = {
    'bootstrap_servers': 'bootstrap.servers',
    'security_protocol': 'security.protocol',
    'sasl_mechanism': 'sasl.mechanism',
    'sasl_username': 'sasl.username',
    'sasl_password': 'sasl.password',
    'ssl_ca_location': 'ssl.ca.location',
    'ssl_certificate_location': 'ssl.certificate.location',
    'ssl_key_location': 'ssl.key.location',
    'ssl_key_password': 'ssl.key.password',
}


def get_client_config(params):
    """Turn module options into librdkafka keys; `client_config` wins."""
    config = dict((key, params[option]) for option, key in _OPTION_TO_LIBRDKAFKA.items()
                  if params.get(option) is not None)
    if params.get('security_protocol') in ('SSL', 'SASL_SSL'):
        config['ssl.endpoint.identification.algorithm'] = 'https' if params.get('ssl_check_hostname', True) else 'none'
    config.update((str(key), value) for key, value in (params.get('client_config') or {}).items())
    return config


class KafkaModuleError(Exception):
    """A failure already worded for the operator: it names the object and the cause."""


def require_confluent_kafka(module):
    """Fail the module the one way every module does when confluent-kafka is not installed."""
    if not HAS_CONFLUENT_KAFKA:
        module.fail_json(msg=missing_required_lib('confluent-kafka'), exception=CONFLUENT_KAFKA_IMPORT_ERROR)


class KafkaConnection:
    """The module run's AdminClients (one, or a few for a large batch), with errors turned into one-line messages."""

    def __init__(self, module):
        require_confluent_kafka(module)
        self.timeout = module.params['request_timeout']
        self.bootstrap_servers = module.params['bootstrap_servers']
        self.client_log = _ClientLog()
        self.config = get_client_config(module.params)
        self.config['logger'] = self.client_log.logger
        try:
            self.admin = AdminClient(self.config)
        except KafkaException as exc:
            # librdkafka reads the CA, certificate and key files and picks the SASL
            # mechanism here: a wrong path or key password is the operator's to fix.
            module.fail_json(msg='brokers %s: the client cannot be set up: %s' % (
                self.bootstrap_servers, describe_kafka_error(exc)))
        self._admins = [self.admin]

    def fan_out(self, request, objects):
        """Send `request(admin, share)` for shares of `objects` over up to MAX_CONNECTIONS connections.

        Returns the merged {key: future} of every share, as one call would.
        """
        count = max(1, min(MAX_CONNECTIONS, len(objects) // MIN_OBJECTS_PER_CONNECTION))
        while len(self._admins) < count:
            self._admins.append(AdminClient(self.config))
        futures = {}
        for index in range(count):
            share = objects[index::count]
            if share:
                futures.update(request(self._admins[index], share))
        return futures

    def why_unreachable(self):
        """The last complaint librdkafka logged, to explain a timeout."""
        self.admin.poll(0)
        return self.client_log.last or 'no answer'

    def result(self, future, what):
        """Wait for one AdminClient future; `what` names the object for the error."""
        try:
            return future.result(timeout=self.timeout + 5)
        except KafkaException as exc:
            raise KafkaModuleError('%s: %s' % (what, describe_kafka_error(exc, self)))
        except Exception as exc:  # the futures raise plain exceptions on timeouts and bad input
            raise KafkaModuleError('%s: %s' % (what, exc))

    def describe_cluster(self):
        """Brokers and controller; the first call, so it also proves the brokers answer."""
        future = self.admin.describe_cluster(request_timeout=self.timeout)
        return self.result(future, 'cluster at %s' % self.bootstrap_servers)


class _ClientLog(logging.Handler):
    """Keeps librdkafka's log off stderr (it would corrupt module JSON) and
    remembers the last warning, which says why a broker could not be reached."""

    def __init__(self):
        super(_ClientLog, self).__init__(logging.WARNING)
        self.last = None
        self.logger = logging.getLogger('ecommerce.kafka.librdkafka.%d' % id(self))
        self.logger.propagate = False
        self.logger.addHandler(self)

    def emit(self, record):
        message = record.getMessage()
        # librdkafka prefixes each line with the client and thread names.
        self.last = message.split(': ', 2)[-1] if message.count(': ') >= 2 else message


def describe_kafka_error(exc, connection=None):
    """One line for a KafkaException: the broker's error name and message."""
    error = exc.args[0] if exc.args else None
    if not isinstance(error, KafkaError):
        return str(exc)
    if error.code() in (KafkaError._TIMED_OUT, KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN) and connection:
        return 'brokers %s could not be reached within %ss (%s)' % (
            connection.bootstrap_servers, connection.timeout, connection.why_unreachable())
    message = error.str()
    if error.name() and error.name() not in message:
        message = '%s: %s' % (error.name(), message)
    return message


def wait_until(predicate, timeout, interval=0.5):
    """Poll `predicate` until true or `timeout` seconds pass (monotonic clock)."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
