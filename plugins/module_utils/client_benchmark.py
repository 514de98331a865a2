# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The client profiles measured on a cluster: kafka_client_benchmark's figures and verdicts.

The figures are taken by real producers and consumers; the arithmetic
(percentiles, rates, which profile must beat which on what) is pure and
unit tested.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

# What each producer profile exists for, in the guide's words: the figure it
# must beat its baseline on, and whether lower is better. The consumer profile
# `fast` is measured but promises nothing here: with librdkafka it reads a
# backlog no faster than `default` (its fetch settings save fetch requests on a
# live stream, and max.poll.records is the Java client's).
PROMISES = (
    ('producer', 'high_throughput', 'durable', 'messages_per_second', False),
    ('producer', 'low_latency', 'durable', 'produce_p50_ms', True),
    ('producer', 'low_latency', 'durable', 'produce_p99_ms', True),
    ('producer', 'low_latency', 'durable', 'end_to_end_p50_ms', True),
    ('producer', 'low_latency', 'high_throughput', 'produce_p50_ms', True),
)


def percentile(values, fraction):
    """The nearest-rank percentile of `values` (fraction 0.5 for the median); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def rate_figures(messages, size, seconds):
    """messages/s and MB/s (10^6 bytes) of `messages` of `size` bytes in `seconds`."""
    seconds = max(seconds, 1e-9)
    return dict(messages=messages, seconds=round(seconds, 3), messages_per_second=round(messages / seconds),
                mb_per_second=round(messages * size / seconds / 1e6, 2))


def latency_figures(prefix, latencies_ms):
    """{prefix_p50_ms, prefix_p99_ms} of a list of latencies in milliseconds."""
    figures = {}
    for name, fraction in (('p50', 0.5), ('p99', 0.99)):
        value = percentile(latencies_ms, fraction)
        figures['%s_%s_ms' % (prefix, name)] = None if value is None else round(value, 2)
    return figures


def verdicts(producers, consumers):
    """One entry per promise whose two profiles were measured: does the profile beat its baseline?"""
    measured = {'producer': dict((row['profile'], row) for row in producers),
                'consumer': dict((row['profile'], row) for row in consumers)}
    results = []
    for kind, profile, baseline, figure, lower_is_better in PROMISES:
        rows = measured[kind]
        if profile not in rows or baseline not in rows:
            continue
        value, against = rows[profile].get(figure), rows[baseline].get(figure)
        beats = value is not None and against is not None and (
            value < against if lower_is_better else value > against)
        results.append(dict(kind=kind, profile=profile, baseline=baseline, figure=figure, value=value,
                            baseline_value=against, beats=beats, text='%s %s %s %s: %s against %s' % (
                                kind, profile, 'beats' if beats else 'does not beat', baseline,
                                _figure_text(figure, value), _figure_text(figure, against))))
    return results


def _figure_text(figure, value):
    """'130000 msg/s' or 'produce p50 1.2 ms'."""
    if figure == 'messages_per_second':
        return '%s msg/s' % ('-' if value is None else value)
    return '%s %s ms' % (figure[:-len('_ms')].replace('end_to_end', 'end-to-end').replace('_', ' '),
                         '-' if value is None else value)


def _cell(value, width):
    return '%*s' % (width, '-' if value is None else value)


def _pair(first, second):
    return '%s / %s' % tuple('-' if value is None else value for value in (first, second))


def table(producers, consumers):
    """The figures as lines of text, one per profile, under a header per kind."""
    lines = ['%-16s %9s %8s %20s %22s' % ('producer', 'msg/s', 'MB/s', 'produce p50/p99 ms', 'end-to-end p50/p99 ms')]
    for row in producers:
        lines.append('%-16s %s %s %s %s' % (
            row['profile'], _cell(row['messages_per_second'], 9), _cell(row['mb_per_second'], 8),
            _cell(_pair(row['produce_p50_ms'], row['produce_p99_ms']), 20),
            _cell(_pair(row['end_to_end_p50_ms'], row['end_to_end_p99_ms']), 22)))
    lines.append('%-16s %9s %8s' % ('consumer', 'msg/s', 'MB/s'))
    for row in consumers:
        lines.append('%-16s %s %s' % (row['profile'], _cell(row['messages_per_second'], 9),
                                      _cell(row['mb_per_second'], 8)))
    return lines
