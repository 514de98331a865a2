"""kafka_schema against the session's Apicurio Registry, through its
Confluent-compatible API: what the registry holds is read back with
confluent-kafka's SchemaRegistryClient. Every test works on subjects of its
own and deletes them afterwards.

Registering, evolving and deleting a subject run both on plain HTTP and
through the role's HTTPS proxy with the admin's client certificate: each call
of the module's reaches the registry that way at least once. The rest run on
plain HTTP only, since the proxy changes how the module reaches the registry,
not what the registry answers; test_secure_registry_connection.py has the
clients that the proxy refuses."""
import copy
import json
import uuid

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from tests.bench.services import free_port
from tests.real_cluster.conftest import ModuleRunner
from tests.real_cluster.module_results import assert_failed, succeeded

ORDER = {"type": "record", "name": "Order", "namespace": "com.ecommerce.events", "doc": "An order event.",
         "fields": [{"name": "order_id", "type": "string"}, {"name": "amount", "type": "double"}]}
WITH_CHANNEL = copy.deepcopy(ORDER)
WITH_CHANNEL["fields"].append({"name": "channel", "type": ["null", "string"], "default": None})
AMOUNT_AS_TEXT = copy.deepcopy(ORDER)
AMOUNT_AS_TEXT["fields"][1]["type"] = "string"


@pytest.fixture
def registry(schema_registry):
    """The registry read back on plain HTTP, whichever way the module reached it."""
    return SchemaRegistryClient(schema_registry.client_config())


@pytest.fixture
def run_module(registry_server, tmp_path):
    return ModuleRunner(tmp_path, registry_server.module_params())


@pytest.fixture
def subject(registry):
    """subject() -> a new subject name; the subjects are deleted for good after the test."""
    made = []

    def make():
        made.append(f"orders-{uuid.uuid4().hex[:8]}-value")
        return made[-1]
    yield make
    for name in made:
        for permanent in (False, True):
            try:
                registry.delete_subject(name, permanent=permanent)
            except SchemaRegistryError:
                pass  # not there, or already soft-deleted


def versions(registry, name, **kwargs):
    try:
        return registry.get_versions(name, **kwargs)
    except SchemaRegistryError:
        return []


@pytest.mark.on_both_registries
def test_register_then_rerun_unchanged_also_reformatted_or_with_other_docs(run_module, registry, subject):
    name = subject()
    first = succeeded(run_module("kafka_schema", subject=name, schema=json.dumps(ORDER), compatibility="BACKWARD"))
    assert first["changed"] and first["subjects"] == [
        {"subject": name, "state": "present", "version": 1, "versions": 1, "compatibility": "BACKWARD",
         "compatible": None}]
    assert first["changes"] == [f"subject {name}: compatibility the registry default -> BACKWARD",
                                f"subject {name}: register version 1"]
    assert versions(registry, name) == [1]
    other_docs = dict(ORDER, doc="Another description.")
    for schema in (ORDER, json.dumps(ORDER, indent=4, sort_keys=True), other_docs):
        again = succeeded(run_module("kafka_schema", subject=name, schema=schema, compatibility="BACKWARD"))
        assert not again["changed"] and again["changes"] == [], schema
        assert again["subjects"] == [dict(first["subjects"][0], version=1)]
    assert versions(registry, name) == [1]


@pytest.mark.on_both_registries
def test_a_compatible_evolution_is_checked_then_registered_as_version_2(run_module, registry, subject):
    name = subject()
    succeeded(run_module("kafka_schema", subject=name, schema=ORDER, compatibility="BACKWARD"))
    planned = succeeded(run_module("kafka_schema", check=True, diff=True, subject=name, schema=WITH_CHANNEL))
    assert versions(registry, name) == [1]
    applied = succeeded(run_module("kafka_schema", diff=True, subject=name, schema=WITH_CHANNEL))
    for result in (planned, applied):
        assert result["changed"] and result["changes"] == [f"subject {name}: register version 2"]
        assert result["subjects"] == [{"subject": name, "state": "present", "version": 2, "versions": 2,
                                       "compatibility": "BACKWARD", "compatible": True}]
        diff = result["diff"][0]
        assert '"channel"' not in diff["before"] and '"name": "channel"' in diff["after"]
    assert versions(registry, name) == [1, 2]


@pytest.mark.on_both_registries
@pytest.mark.parametrize("check", [False, True], ids=["applied", "check_mode"])
def test_an_incompatible_change_is_refused_with_the_reasons_and_nothing_registered(run_module, registry, subject,
                                                                                   check):
    name = subject()
    succeeded(run_module("kafka_schema", subject=name, schema=ORDER, compatibility="BACKWARD"))
    message = assert_failed(run_module("kafka_schema", check=check, subject=name, schema=AMOUNT_AS_TEXT),
                            f"subject {name}: the schema is not compatible with version 1 under BACKWARD",
                            "nothing registered")
    if not check:
        assert "not compatible with writer type: DOUBLE" in message, message
    assert versions(registry, name) == [1]


def test_one_incompatible_subject_stops_the_whole_list_before_any_change(run_module, registry, subject):
    kept, other = subject(), subject()
    succeeded(run_module("kafka_schema", subject=kept, schema=ORDER, compatibility="BACKWARD"))
    assert_failed(run_module("kafka_schema", subjects=[{"subject": other, "schema": ORDER},
                                                       {"subject": kept, "schema": AMOUNT_AS_TEXT}]),
                  f"subject {kept}: the schema is not compatible")
    assert versions(registry, other) == [] and versions(registry, kept) == [1]


def test_a_new_compatibility_level_applies_before_the_schema_is_judged(run_module, registry, subject):
    name = subject()
    succeeded(run_module("kafka_schema", subject=name, schema=ORDER, compatibility="BACKWARD"))
    result = succeeded(run_module("kafka_schema", subject=name, schema=AMOUNT_AS_TEXT, compatibility="NONE"))
    assert result["changes"] == [f"subject {name}: compatibility BACKWARD -> NONE",
                                 f"subject {name}: register version 2"]
    assert registry.get_compatibility(name) == "NONE" and versions(registry, name) == [1, 2]
    assert not succeeded(run_module("kafka_schema", subject=name, schema=AMOUNT_AS_TEXT, compatibility="none"))[
        "changed"]


@pytest.mark.on_both_registries
def test_soft_then_permanent_delete(run_module, registry, subject):
    name = subject()
    succeeded(run_module("kafka_schema", subject=name, schema=ORDER))
    planned = succeeded(run_module("kafka_schema", check=True, subject=name, state="absent"))
    assert planned["changed"] and versions(registry, name) == [1]
    soft = succeeded(run_module("kafka_schema", subject=name, state="absent"))
    assert soft["changes"] == [f"subject {name}: delete (soft)"] and soft == dict(soft, subjects=planned["subjects"])
    assert versions(registry, name) == [] and versions(registry, name, deleted=True) == [1]
    assert not succeeded(run_module("kafka_schema", subject=name, state="absent"))["changed"]
    hard = succeeded(run_module("kafka_schema", subject=name, state="absent", permanent=True))
    assert hard["changes"] == [f"subject {name}: delete (permanent)"]
    assert versions(registry, name, deleted=True) == []
    assert not succeeded(run_module("kafka_schema", subject=name, state="absent", permanent=True))["changed"]


@pytest.mark.parametrize("args, fragments", [
    ({"schema": '{"type": "recrd", "name": "X"}'}, ["invalid Avro schema:", "recrd"]),
    ({"schema": "{not json"}, ["the AVRO schema is not valid JSON:"]),
    ({"schema": ORDER, "schema_type": "XML"}, ["schema_type XML is not one of AVRO, JSON, PROTOBUF"]),
    ({"schema": ORDER, "compatibility": "SOMETIMES"}, ["compatibility SOMETIMES is not one of BACKWARD"]),
    ({}, ["state=present needs a schema"]),
])
def test_bad_input_is_one_line_naming_the_subject(run_module, registry, subject, args, fragments):
    name = subject()
    assert_failed(run_module("kafka_schema", subject=name, **args), f"subject {name}: ", *fragments)
    assert versions(registry, name) == []


def test_an_unreachable_registry_is_one_line(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/apis/ccompat/v7"
    result = ModuleRunner(tmp_path, {"registry_url": url, "registry_timeout": 5})(
        "kafka_schema", subject="orders-value", schema=ORDER)
    assert_failed(result, "subject orders-value: registry ", url, "could not be reached")
