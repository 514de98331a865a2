# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The --diff of a file that holds secrets, with the secret values masked.

The new content's secrets are known; the old content's are not, so each old
line is read against the new lines as templates: a line that differs from a
new line only where the new one holds a secret is that line with an older
secret, shown masked, and the new line marked as changed where the secrets
differ. An old line that matches no new line (a user removed, or a changed
line that may hold an old secret) is masked after its first `=` or `:`."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

MASK = '********'
CHANGED_MASK = '******** (changed)'


def _secret_spans(line, secrets):
    """(start, end) of every secret in the line, longest secrets first, without overlaps."""
    spans = []
    for secret in sorted(set(s for s in secrets if s), key=len, reverse=True):
        for match in re.finditer(re.escape(secret), line):
            if not any(start < match.end() and match.start() < end for start, end in spans):
                spans.append((match.start(), match.end()))
    return sorted(spans)


def _split(line, spans):
    """The line's fixed parts between its secrets, and the secrets themselves."""
    fixed, values, position = [], [], 0
    for start, end in spans:
        fixed.append(line[position:start])
        values.append(line[start:end])
        position = end
    fixed.append(line[position:])
    return fixed, values


def _join(fixed, masks):
    return ''.join(part + mask for part, mask in zip(fixed, masks)) + fixed[-1]


def masked_diff(before, after, secrets):
    """{'before': ..., 'after': ...}: both texts with every secret value masked."""
    templates = []
    after_lines = []
    for line in after.splitlines(True):
        fixed, values = _split(line, _secret_spans(line, secrets))
        templates.append((fixed, values, re.compile(
            '^' + '(.*?)'.join(re.escape(part) for part in fixed) + '$', re.DOTALL)))
        after_lines.append(None)

    before_lines = []
    for line in before.splitlines(True):
        for index, (fixed, values, pattern) in enumerate(templates):
            match = pattern.match(line)
            if match is None:
                continue
            old_values = list(match.groups())
            before_lines.append(_join(fixed, [MASK] * len(values)))
            if after_lines[index] is None:
                after_lines[index] = _join(fixed, [MASK if old == new else CHANGED_MASK
                                                   for old, new in zip(old_values, values)])
            break
        else:
            before_lines.append(_mask_unknown(line, secrets))

    for index, (fixed, values, pattern) in enumerate(templates):
        if after_lines[index] is None:
            after_lines[index] = _join(fixed, [MASK] * len(values))
    return {'before': ''.join(before_lines), 'after': ''.join(after_lines)}


def _mask_unknown(line, secrets):
    """An old line with no new counterpart: whatever follows its first separator may be a secret."""
    fixed, values = _split(line, _secret_spans(line, secrets))
    line = _join(fixed, [MASK] * len(values))
    match = re.match(r'^(\s*[^=:]*[=:]\s*)(\S.*?)(\s*)$', line, re.DOTALL)
    if match is None:
        return line
    return match.group(1) + MASK + match.group(3)
