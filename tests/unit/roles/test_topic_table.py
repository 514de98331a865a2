"""The topic table is the seed guide's (kafka-configuration-guide.md): five
topics with their partitions and retention, and nothing environment-specific."""
import json

import fastavro
import yaml

from tests.bench.versions import ROOT

DAY_MS = 24 * 60 * 60 * 1000
SEED_TOPICS = {
    "raw-events": (3, 7 * DAY_MS),
    "inventory-changes": (2, 30 * DAY_MS),
    "fraud-scores": (2, 7 * DAY_MS),
    "recommendations": (2, DAY_MS),
    "business-metrics": (1, 30 * DAY_MS),
}


def table():
    return yaml.safe_load((ROOT / "roles" / "kafka_topics" / "defaults" / "main.yml").read_text())["kafka_topics_table"]


def test_table_is_the_seed_guides():
    assert {entry["name"]: (entry["partitions"], entry["config"]["retention.ms"]) for entry in table()} == SEED_TOPICS


def test_table_leaves_replication_to_the_environment():
    for entry in table():
        assert "replication_factor" not in entry
        assert "min.insync.replicas" not in entry.get("config", {})


SCHEMAS = ROOT / "roles" / "kafka_topics" / "files"


def schema(entry):
    return json.loads((SCHEMAS / entry["value_schema"]).read_text())


def test_every_topic_has_a_valid_avro_value_schema():
    for entry in table():
        parsed = fastavro.parse_schema(schema(entry))
        assert parsed["type"] == "record", entry["name"]


def test_the_schemas_are_documented_records_in_namespaces_of_their_own():
    schemas = [schema(entry) for entry in table()]
    assert len({each["namespace"] for each in schemas}) == len(schemas)
    for each in schemas:
        assert each["namespace"].startswith("com.ecommerce."), each["name"]
        assert each["doc"], each["name"]
        assert all(field.get("doc") for field in each["fields"]), each["name"]


def enums(avro_type):
    """Every enum declared in a schema, however deeply nested."""
    if isinstance(avro_type, list):
        return [enum for branch in avro_type for enum in enums(branch)]
    if not isinstance(avro_type, dict):
        return []
    found = [avro_type] if avro_type.get("type") == "enum" else []
    for key in ("fields", "items", "values"):
        value = avro_type.get(key)
        if isinstance(value, list):
            found += [enum for field in value for enum in enums(field["type"])]
        elif value is not None:
            found += enums(value)
    return found


def test_the_schemas_can_evolve_under_backward_compatibility():
    """An optional field defaults to null, and an enum has a default symbol
    that a reader falls back to for a symbol added later."""
    for entry in table():
        each = schema(entry)
        for field in each["fields"]:
            if isinstance(field["type"], list) and "null" in field["type"]:
                assert field["type"][0] == "null" and field.get("default", "missing") is None, (entry["name"], field)
        for enum in enums(each):
            assert enum.get("default") in enum["symbols"], (entry["name"], enum["name"])
