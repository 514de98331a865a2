import pytest

from ansible_collections.ecommerce.kafka.plugins.module_utils.client_benchmark import (
    latency_figures, percentile, rate_figures, table, verdicts)


@pytest.mark.parametrize("values, fraction, expected", [
    ([], 0.5, None),
    ([7], 0.99, 7),
    ([3, 1, 2], 0.5, 2),
    (list(range(1, 101)), 0.99, 99),
    (list(range(1, 101)), 0.5, 50),
    ([5, 1], 0.0, 1),
])
def test_nearest_rank_percentile(values, fraction, expected):
    assert percentile(values, fraction) == expected


def test_rates_in_messages_and_megabytes():
    assert rate_figures(100000, 500, 2.0) == dict(messages=100000, seconds=2.0, messages_per_second=50000,
                                                  mb_per_second=25.0)


def test_latency_figures_are_none_without_samples():
    assert latency_figures("end_to_end", []) == {"end_to_end_p50_ms": None, "end_to_end_p99_ms": None}


def producer(profile, rate, p50, p99, e2e):
    return dict(profile=profile, messages_per_second=rate, mb_per_second=1.0, produce_p50_ms=p50,
                produce_p99_ms=p99, end_to_end_p50_ms=e2e, end_to_end_p99_ms=e2e)


def test_each_promise_is_judged_on_its_own_figure():
    producers = [producer("durable", 50000, 12.0, 30.0, 14.0), producer("high_throughput", 90000, 105.0, 140.0, 110.0),
                 producer("low_latency", 40000, 1.5, 31.0, 3.0)]
    consumers = [dict(profile="default", messages_per_second=100000), dict(profile="fast", messages_per_second=90000)]
    judged = {(verdict["profile"], verdict["baseline"], verdict["figure"]): verdict["beats"]
              for verdict in verdicts(producers, consumers)}
    assert judged == {
        ("high_throughput", "durable", "messages_per_second"): True,
        ("low_latency", "durable", "produce_p50_ms"): True,
        ("low_latency", "durable", "produce_p99_ms"): False,
        ("low_latency", "durable", "end_to_end_p50_ms"): True,
        ("low_latency", "high_throughput", "produce_p50_ms"): True,
    }


def test_a_verdict_says_why_in_words():
    [verdict] = verdicts([producer("durable", 50000, 12.0, 30.0, 14.0), producer("high_throughput", 40000, 1, 1, 1)],
                         [])
    assert verdict["text"] == "producer high_throughput does not beat durable: 40000 msg/s against 50000 msg/s"


def test_a_missing_figure_never_beats():
    [verdict] = verdicts([producer("durable", 50000, 12.0, 30.0, None), producer("low_latency", 1, 1.0, 2.0, None)],
                         [])[2:3]
    assert verdict["figure"] == "end_to_end_p50_ms" and verdict["beats"] is False
    assert verdict["text"].endswith("end-to-end p50 - ms against end-to-end p50 - ms")


def test_only_measured_profiles_are_judged():
    assert verdicts([producer("durable", 1, 1, 1, 1)], [dict(profile="fast", messages_per_second=1)]) == []


def test_table_has_a_line_per_profile_under_each_header():
    consumers = [dict(profile="fast", messages_per_second=9, mb_per_second=0.1)]
    lines = table([producer("durable", 50000, 12.0, 30.0, None)], consumers)
    assert lines[0].split()[:3] == ["producer", "msg/s", "MB/s"]
    assert lines[1].split() == ["durable", "50000", "1.0", "12.0", "/", "30.0", "-", "/", "-"]
    assert lines[2].split() == ["consumer", "msg/s", "MB/s"] and lines[3].split() == ["fast", "9", "0.1"]
