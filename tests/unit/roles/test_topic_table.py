"""The topic table is the seed guide's (kafka-configuration-guide.md): five
topics with their partitions and retention, and nothing environment-specific."""
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
