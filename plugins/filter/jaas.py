# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""A value quoted for a JAAS configuration file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError


def jaas_quote(value):
    """The value between double quotes, as Java's ConfigFile parser reads it back.

    The parser takes a backslash as an escape, so backslashes and quotes are
    escaped; it cannot hold a line break in a value, so one is refused."""
    text = str(value)
    if '\n' in text or '\r' in text:
        raise AnsibleFilterError('jaas_quote: a JAAS value cannot hold a line break')
    return '"%s"' % text.replace('\\', '\\\\').replace('"', '\\"')


class FilterModule(object):
    def filters(self):
        return {'jaas_quote': jaas_quote}
