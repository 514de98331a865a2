# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  registry_url:
    description:
      - The registry's Confluent-compatible API, for Apicurio Registry C(http(s)://HOST:PORT/apis/ccompat/v7), as
        the filter C(ecommerce.kafka.schema_registry_urls) computes it from the inventory.
    type: str
    required: true
  registry_ca_location:
    description:
      - CA certificate file that verifies the registry's HTTPS certificate; omitted, the system's CAs.
    type: path
  registry_certificate_location:
    description:
      - Client certificate file, for a registry that asks for one; with O(registry_key_location).
    type: path
  registry_key_location:
    description:
      - Private key of the client certificate (unencrypted).
    type: path
  registry_username:
    description:
      - User for HTTP basic authentication, where the registry uses it; with O(registry_password).
    type: str
  registry_password:
    description:
      - Password for HTTP basic authentication. It never appears in the module's output.
    type: str
  registry_timeout:
    description:
      - Seconds to wait for each answer of the registry.
    type: int
    default: 30
'''
