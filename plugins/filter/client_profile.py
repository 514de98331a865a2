# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The guide's client profiles, a connection as client settings, and Java .properties text."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.ecommerce.kafka.plugins.module_utils import client_profile as profiles
from ansible_collections.ecommerce.kafka.plugins.module_utils.java_config import java_properties as properties_text


def client_profile(connection, kind, name, family='librdkafka', settings=None):
    try:
        return profiles.render(kind, name, family, connection, settings)
    except profiles.ProfileError as exc:
        raise AnsibleFilterError('client_profile: %s' % exc)


def client_config(connection, family='librdkafka'):
    try:
        return profiles.connection_config(connection, family)
    except profiles.ProfileError as exc:
        raise AnsibleFilterError('client_config: %s' % exc)


def java_properties(config):
    if not isinstance(config, dict):
        raise AnsibleFilterError('java_properties: expects a dict, got %s' % type(config).__name__)
    return properties_text(config)


class FilterModule(object):
    def filters(self):
        return {'client_config': client_config, 'client_profile': client_profile, 'java_properties': java_properties}
