# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Each consumer group's total lag against its threshold, as a table."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

COLUMNS = ('group', 'state', 'lag', 'threshold', 'verdict', 'worst partition')


def verdict(group, result, threshold):
    """One group's line: over its threshold, without committed offsets, or within."""
    offsets = result.get('offsets') or []
    committed = [entry for entry in offsets if entry.get('committed') is not None]
    lag = result.get('total_lag') or 0
    lagging = [entry for entry in committed if entry.get('lag')]
    worst = max(lagging, key=lambda entry: entry['lag'], default=None)
    if not committed:
        outcome = 'NO OFFSETS'
    elif lag > threshold:
        outcome = 'OVER'
    else:
        outcome = 'ok'
    return {
        'group': group, 'state': result.get('group_state', ''), 'lag': lag, 'threshold': threshold,
        'passed': outcome == 'ok', 'verdict': outcome,
        'worst': '%s/%d lag %d' % (worst['topic'], worst['partition'], worst['lag']) if worst else '-',
    }


def table(rows):
    cells = [COLUMNS] + [(row['group'], row['state'], str(row['lag']), str(row['threshold']), row['verdict'], row['worst'])
                         for row in rows]
    widths = [max(len(line[column]) for line in cells) for column in range(len(COLUMNS))]
    return ['  '.join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in cells]


def lag_verdicts(results, thresholds):
    """results: the registered loop of kafka_consumer_offsets over `thresholds | dict2items`."""
    if not isinstance(thresholds, dict):
        raise AnsibleFilterError('lag_verdicts: thresholds must map each group to its lag limit, got %s'
                                 % type(thresholds).__name__)
    rows = []
    for result in results:
        group = result['item']['key']
        rows.append(verdict(group, result, int(thresholds[group])))
    lines = table(rows)
    return {'header': lines[0], 'groups': [dict(row, line=line) for row, line in zip(rows, lines[1:])]}


class FilterModule(object):
    def filters(self):
        return {'lag_verdicts': lag_verdicts}
