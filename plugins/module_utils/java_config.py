# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Values and files as the Java side of Kafka reads them: JAAS and .properties."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def jaas_quote(value):
    """The value between double quotes, as Java's JAAS parser reads it back:
    backslashes and quotes escaped; a line break cannot be held, so refused."""
    text = str(value)
    if '\n' in text or '\r' in text:
        raise ValueError('a JAAS value cannot hold a line break')
    return '"%s"' % text.replace('\\', '\\\\').replace('"', '\\"')


def java_properties(config):
    """Text that java.util.Properties.load() reads back as `config`, one key per line, sorted."""
    return ''.join('%s=%s\n' % (_escape(key, is_key=True), _escape(_java_value(value), is_key=False))
                   for key, value in sorted(config.items()))


def _java_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def _escape(text, is_key):
    escaped = []
    for position, char in enumerate(text):
        if char == '\\':
            escaped.append('\\\\')
        elif char in '\n\r\t\f':
            escaped.append({'\n': '\\n', '\r': '\\r', '\t': '\\t', '\f': '\\f'}[char])
        elif char in '=:#!' or (char == ' ' and (is_key or position == 0)):
            escaped.append('\\' + char)
        elif ord(char) < 0x20 or ord(char) > 0x7e:
            # load() reads ISO 8859-1; every other character goes as a Unicode escape.
            escaped.append(''.join('\\u%04x' % unit for unit in _utf16_units(char)))
        else:
            escaped.append(char)
    return ''.join(escaped)


def _utf16_units(char):
    code = ord(char)
    if code < 0x10000:
        return [code]
    code -= 0x10000
    return [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]
