"""ZooKeeper runs from the libs/ of the Kafka release, so the zookeeper role
installs the same archive as kafka_broker: same version, Scala build and sum."""
import yaml

from tests.bench.versions import ROOT


def defaults(role):
    return yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())


def test_zookeeper_runs_the_brokers_kafka_release():
    zookeeper, broker = defaults("zookeeper"), defaults("kafka_broker")
    assert zookeeper["zookeeper_kafka_version"] == broker["kafka_broker_version"]
    assert zookeeper["zookeeper_scala_version"] == broker["kafka_broker_scala_version"]
    assert zookeeper["zookeeper_archive_sha512"] == broker["kafka_broker_archive_sha512"]
    assert (zookeeper["zookeeper_archive_url"].replace("zookeeper_kafka_version", "VERSION")
            .replace("zookeeper_scala_version", "SCALA")
            == broker["kafka_broker_archive_url"].replace("kafka_broker_version", "VERSION")
            .replace("kafka_broker_scala_version", "SCALA"))
