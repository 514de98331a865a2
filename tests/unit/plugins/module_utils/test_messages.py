"""module_utils/messages: where kafka_messages starts reading, and how a record is shown."""
import base64
import datetime
import decimal

import pytest

from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import KafkaModuleError
from ansible_collections.ecommerce.kafka.plugins.module_utils.messages import (
    Decoder, jsonable, plain, schema_id, start_offsets)

WATERMARKS = {0: (0, 10), 1: (5, 12), 2: (7, 7)}


@pytest.mark.parametrize("start, offset, found, expected", [
    ("beginning", None, None, {0: 0, 1: 5, 2: 7}),
    ("end", None, None, {0: 10, 1: 12, 2: 7}),
    ("offset", 6, None, {0: 6, 1: 6, 2: 7}),
    ("offset", 2, None, {0: 2, 1: 5, 2: 7}),
    ("offset", 11, None, {0: 10, 1: 11, 2: 7}),
    ("timestamp", None, {0: 3, 1: -1, 2: -1}, {0: 3, 1: 12, 2: 7}),
    ("timestamp", None, {0: 0, 1: 2, 2: 7}, {0: 0, 1: 5, 2: 7}),
], ids=["beginning", "end", "offset", "offset-before-log-start", "offset-past-log-end", "timestamp",
        "timestamp-before-log-start"])
def test_start_offsets(start, offset, found, expected):
    assert start_offsets(start, WATERMARKS, offset, found) == expected


@pytest.mark.parametrize("data, expected", [
    (b"\x00\x00\x00\x00\x2a{avro}", 42), (b"\x00\x00\x00\x01", None), (b"plain text", None), (None, None)])
def test_schema_id_of_the_wire_format(data, expected):
    assert schema_id(data) == expected


@pytest.mark.parametrize("data, wanted, expected", [
    (b"order-1", "auto", ("text", "order-1")),
    (b"\xff\x00", "auto", ("base64", "/wA=")),
    (b"order-1", "base64", ("base64", base64.b64encode(b"order-1").decode())),
])
def test_plain_shows_text_else_base64(data, wanted, expected):
    assert plain(data, wanted) == expected


def test_plain_text_refuses_bytes_that_are_not_utf8():
    with pytest.raises(ValueError, match="not UTF-8"):
        plain(b"\xff", "text")


def test_jsonable_turns_avro_logical_types_and_bytes_into_text():
    datum = {"at": datetime.datetime(2024, 6, 1, 8, 0, tzinfo=datetime.timezone.utc), "day": datetime.date(2024, 6, 1),
             "price": decimal.Decimal("12.50"), "blob": b"\x01", "tags": [b"\x02", "x"]}
    assert jsonable(datum) == {"at": "2024-06-01T08:00:00+00:00", "day": "2024-06-01", "price": "12.50",
                               "blob": "AQ==", "tags": ["Ag==", "x"]}


class Record:
    """The part of confluent_kafka.Message that Decoder reads."""

    def __init__(self, key, value):
        self._key, self._value = key, value

    def key(self):
        return self._key

    def value(self):
        return self._value

    @staticmethod
    def topic():
        return "raw-events"

    @staticmethod
    def partition():
        return 1

    @staticmethod
    def offset():
        return 7


AVRO = b"\x00\x00\x00\x00\x03payload"


def test_decoder_takes_avro_through_the_registry_only_for_framed_bytes():
    decoder = Decoder("auto", "auto", {"key": None, "value": lambda data, topic: {"decoded": data[5:].decode()}})
    assert decoder.field(Record(b"k", AVRO), "value") == {
        "value": {"decoded": "payload"}, "value_format": "avro", "value_schema_id": 3}
    assert decoder.field(Record(b"k", AVRO), "key") == {"key": "k", "key_format": "text", "key_schema_id": None}


def test_decoder_without_a_registry_shows_avro_as_base64_with_its_schema_id():
    assert Decoder("auto", "auto").field(Record(None, AVRO), "value") == {
        "value": base64.b64encode(AVRO).decode(), "value_format": "base64", "value_schema_id": 3}


def test_decoder_names_the_record_it_cannot_decode():
    def broken(data, topic):
        raise ValueError("Schema 3 not found")

    with pytest.raises(KafkaModuleError, match="^topic raw-events partition 1 offset 7: the value with schema id 3 "
                                               "could not be decoded: Schema 3 not found$"):
        Decoder("auto", "avro", {"key": None, "value": broken}).field(Record(None, AVRO), "value")


def test_decoder_avro_refuses_unframed_bytes():
    with pytest.raises(KafkaModuleError, match="the value is not Avro in the registry's wire format"):
        Decoder("auto", "avro", {"key": None, "value": None}).field(Record(None, b"text"), "value")


@pytest.mark.parametrize("wanted", ["auto", "avro", "text", "base64"])
def test_decoder_shows_a_tombstone_as_null_whatever_the_format(wanted):
    assert Decoder("auto", wanted, {"key": None, "value": None}).field(Record(b"k", None), "value") == {
        "value": None, "value_format": None, "value_schema_id": None}
