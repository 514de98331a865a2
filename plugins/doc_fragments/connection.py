# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  bootstrap_servers:
    description:
      - Comma-separated C(host:port) list of brokers to bootstrap from.
    type: str
    required: true
  security_protocol:
    description:
      - Protocol used to talk to the brokers.
    type: str
    default: PLAINTEXT
    choices: [PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL]
  sasl_mechanism:
    description:
      - SASL mechanism, with O(security_protocol=SASL_PLAINTEXT) or O(security_protocol=SASL_SSL).
    type: str
    choices: [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512]
  sasl_username:
    description:
      - SASL user name.
    type: str
  sasl_password:
    description:
      - SASL password. It never appears in the module's output.
    type: str
  ssl_ca_location:
    description:
      - CA certificate file used to verify the brokers.
    type: path
  ssl_certificate_location:
    description:
      - Client certificate file, for mutual TLS.
    type: path
  ssl_key_location:
    description:
      - Client private key file, for mutual TLS.
    type: path
  ssl_key_password:
    description:
      - Password of the client private key.
    type: str
  ssl_check_hostname:
    description:
      - Verify that the broker certificate matches its host name.
    type: bool
    default: true
  client_config:
    description:
      - Extra librdkafka configuration keys, applied last.
    type: dict
    default: {}
  request_timeout:
    description:
      - Seconds to wait for each request to the cluster.
    type: int
    default: 30
requirements:
  - confluent-kafka >= 2.0 on the host that runs the module
'''
