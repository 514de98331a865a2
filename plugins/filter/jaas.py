# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""A value quoted for a JAAS configuration file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.ecommerce.kafka.plugins.module_utils import java_config


def jaas_quote(value):
    try:
        return java_config.jaas_quote(value)
    except ValueError as exc:
        raise AnsibleFilterError('jaas_quote: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {'jaas_quote': jaas_quote}
