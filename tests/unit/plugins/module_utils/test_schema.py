"""kafka_schema's checks before the registry is asked: the subjects of a
task, a schema as text, and each refusal, one phrase naming the subject."""
import json

import pytest

from ansible_collections.ecommerce.kafka.plugins.module_utils.schema import (
    check_specs, pretty, schema_text, subject_specs)

ORDER = {"type": "record", "name": "Order", "fields": [{"name": "order_id", "type": "string"}]}
TOP_LEVEL = {"subjects": None, "subject": "orders-value", "schema": ORDER, "schema_type": "AVRO", "references": None,
             "compatibility": None, "state": "present", "permanent": False}


def test_one_subject_from_the_top_level_options():
    assert subject_specs(TOP_LEVEL) == [{
        "subject": "orders-value", "schema": ORDER, "schema_type": "AVRO", "references": None,
        "compatibility": None, "state": "present", "permanent": False}]


def test_entries_take_what_they_do_not_set_from_the_top_level():
    entries = [{"subject": "a-value", "schema": ORDER}, {"subject": "b-value", "state": "absent", "compatibility": None}]
    params = dict(TOP_LEVEL, subject=None, compatibility="BACKWARD", subjects=entries)
    specs = subject_specs(params)
    assert [(spec["subject"], spec["state"], spec["compatibility"]) for spec in specs] == [
        ("a-value", "present", "BACKWARD"), ("b-value", "absent", "BACKWARD")]


def test_a_mapping_becomes_json_with_sorted_keys_and_text_stays_as_given():
    assert schema_text(ORDER, "AVRO") == json.dumps(ORDER, sort_keys=True)
    text = json.dumps(ORDER, indent=2)
    assert schema_text(text, "AVRO") == text


@pytest.mark.parametrize("schema, schema_type, message", [
    ('{"type": "recrd", "name": "X"}', "AVRO", "invalid Avro schema: "),
    ("{not json", "JSON", "the JSON schema is not valid JSON: "),
    (ORDER, "PROTOBUF", "a PROTOBUF schema is text, not a mapping"),
])
def test_schema_refusals(schema, schema_type, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")):
        schema_text(schema, schema_type)


def test_an_avro_schema_with_references_is_left_to_the_registry():
    referring = {"type": "record", "name": "Basket", "fields": [{"name": "order", "type": "com.ecommerce.Order"}]}
    assert schema_text(referring, "AVRO", has_references=True) == json.dumps(referring, sort_keys=True)


def test_check_specs_reports_every_problem_at_once_naming_each_subject():
    specs = [dict(subject_specs(TOP_LEVEL)[0], subject=name, **changes) for name, changes in (
        ("a-value", {"schema_type": "xml"}), ("b-value", {"compatibility": "sometimes"}),
        ("c-value", {"schema": None}), ("d-value", {}), ("d-value", {}))]
    wanted, problems = check_specs(specs)
    assert problems == ["subject a-value: schema_type XML is not one of AVRO, JSON, PROTOBUF",
                        "subject b-value: compatibility sometimes is not one of BACKWARD, BACKWARD_TRANSITIVE, "
                        "FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE",
                        "subject c-value: state=present needs a schema",
                        "subject d-value is listed twice"]
    assert list(wanted) == ["d-value"]


def test_levels_are_compared_in_capitals():
    wanted, problems = check_specs([dict(subject_specs(TOP_LEVEL)[0], compatibility="backward")])
    assert problems == [] and wanted["orders-value"]["compatibility"] == "BACKWARD"


def test_pretty_indents_json_and_leaves_protobuf_text():
    assert pretty('{"b": 1, "a": 2}', "AVRO") == '{\n  "a": 2,\n  "b": 1\n}\n'
    assert pretty('syntax = "proto3";', "PROTOBUF") == 'syntax = "proto3";\n'
    assert pretty(None, "AVRO") == ""


def test_a_reference_without_a_version_number_is_refused():
    spec = dict(subject_specs(TOP_LEVEL)[0], references=[{"name": "com.ecommerce.Order", "subject": "order-value",
                                                          "version": "latest"}])
    assert check_specs([spec])[1] == [
        "subject orders-value: each reference needs a name, a subject and a version number, not "
        "{'name': 'com.ecommerce.Order', 'subject': 'order-value', 'version': 'latest'}"]
