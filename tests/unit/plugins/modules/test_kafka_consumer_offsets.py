"""kafka_consumer_offsets: which value option goes with which reset strategy."""
import pytest

from ansible_collections.ecommerce.kafka.plugins.modules.kafka_consumer_offsets import reset_value


def params(reset=None, **values):
    options = dict(datetime=None, offset=None, shift_by=None, duration=None)
    options.update(values)
    return dict(reset=reset, **options)


@pytest.mark.parametrize("reset, values, expected", [
    (None, {}, None),
    ("earliest", {}, None),
    ("latest", {}, None),
    ("datetime", {"datetime": "2024-01-01T00:00:00.000"}, "2024-01-01T00:00:00.000"),
    ("offset", {"offset": 0}, 0),
    ("shift_by", {"shift_by": -100}, -100),
    ("duration", {"duration": "PT1H"}, "PT1H"),
])
def test_reset_value_is_the_option_named_like_the_strategy(reset, values, expected):
    assert reset_value(params(reset, **values)) == expected


@pytest.mark.parametrize("reset, values, message", [
    (None, {"offset": 3}, "offset is only used with reset=offset (reset is not set)"),
    ("earliest", {"datetime": "2024-01-01"}, "datetime is only used with reset=datetime (reset is earliest)"),
    ("offset", {"offset": 1, "shift_by": 1}, "shift_by is only used with reset=shift_by (reset is offset)"),
    ("duration", {"duration": "PT1H", "datetime": "2024-01-01"}, "datetime is only used with reset=datetime"),
])
def test_reset_value_refuses_an_option_of_another_strategy(reset, values, message):
    with pytest.raises(ValueError) as failure:
        reset_value(params(reset, **values))
    assert str(failure.value).startswith(message)
