# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Registry connection options and the SchemaRegistryClient calls shared by the registry modules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import KafkaModuleError

try:
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.error import SchemaRegistryError
except ImportError:
    HAS_SCHEMA_REGISTRY = False
    SCHEMA_REGISTRY_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_SCHEMA_REGISTRY = True
    SCHEMA_REGISTRY_IMPORT_ERROR = None

# Confluent's error codes, which Apicurio's compatible API answers too.
SUBJECT_NOT_FOUND = 40401
SCHEMA_NOT_FOUND = 40403
SUBJECT_COMPATIBILITY_NOT_FOUND = 40408


def registry_argument_spec():
    """The options of the ecommerce.kafka.registry doc fragment."""
    return dict(
        registry_url=dict(type='str', required=True),
        registry_ca_location=dict(type='path'),
        registry_certificate_location=dict(type='path'),
        registry_key_location=dict(type='path'),
        registry_username=dict(type='str'),
        registry_password=dict(type='str', no_log=True),
        registry_timeout=dict(type='int', default=30),
    )


REGISTRY_REQUIRED_TOGETHER = [('registry_username', 'registry_password'),
                              ('registry_certificate_location', 'registry_key_location')]


class RegistryConnection:
    """One SchemaRegistryClient per module run, with errors turned into one-line messages."""

    def __init__(self, module):
        if not HAS_SCHEMA_REGISTRY:
            module.fail_json(msg=missing_required_lib('confluent-kafka'), exception=SCHEMA_REGISTRY_IMPORT_ERROR)
        params = module.params
        self.url = params['registry_url']
        config = {'url': self.url, 'timeout': params['registry_timeout'], 'max.retries': 1}
        for option, key in (('registry_ca_location', 'ssl.ca.location'),
                            ('registry_certificate_location', 'ssl.certificate.location'),
                            ('registry_key_location', 'ssl.key.location')):
            if params[option]:
                config[key] = params[option]
        if params['registry_username']:
            config['basic.auth.user.info'] = '%s:%s' % (params['registry_username'], params['registry_password'])
        try:
            self.client = SchemaRegistryClient(config)
        except (ValueError, TypeError) as exc:
            module.fail_json(msg='registry %s: the client cannot be set up: %s' % (self.url, exc))

    def call(self, what, function, *args, **kwargs):
        """function(*args, **kwargs); `what` names the subject for the error."""
        try:
            return function(*args, **kwargs)
        except SchemaRegistryError as exc:
            raise RegistryError(what, exc)
        except Exception as exc:  # the HTTP client raises its own errors for an unreachable registry
            raise KafkaModuleError('%s: %s' % (what, describe_connection_error(self.url, str(exc) or type(exc).__name__)))

    def read(self, what, function, *args, **kwargs):
        """As call(), but None when the registry answers that the subject, schema or setting is not there."""
        try:
            return self.call(what, function, *args, **kwargs)
        except RegistryError as exc:
            if exc.code in (SUBJECT_NOT_FOUND, SCHEMA_NOT_FOUND, SUBJECT_COMPATIBILITY_NOT_FOUND):
                return None
            raise


def describe_connection_error(url, error):
    """Why the HTTP client got no answer from the registry, in one line.

    OpenSSL's text names the alert ("certificate required", "unknown ca") or
    the failed check ("certificate verify failed"); its [SSL: ...] code and
    source line say nothing more. An HTTPS port closes a plain HTTP
    connection without a word, which the client reports as a disconnection."""
    if '[SSL' in error:
        reason = re.sub(r'^.*\[SSL(: [A-Z0-9_]+)?\] ', '', error)
        return 'the TLS handshake with registry %s failed: %s' % (url, re.sub(r' \(_ssl\.c:\d+\)$', '', reason))
    if url.startswith('http://') and 'disconnected' in error.lower():
        return ('registry %s closed the connection without an answer, as an HTTPS port does to plain HTTP: '
                'is the URL https://?' % url)
    return 'registry %s could not be reached: %s' % (url, error)


class RegistryError(KafkaModuleError):
    """The registry's refusal, with its HTTP status and error code."""

    def __init__(self, what, exc):
        self.code = exc.error_code
        self.message = exc.error_message
        super(RegistryError, self).__init__('%s: %s (HTTP %s, error %s)' % (
            what, exc.error_message, exc.http_status_code, exc.error_code))
