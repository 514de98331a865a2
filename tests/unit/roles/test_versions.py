"""The Kafka release is defined once, in _common: the brokers run from it and
ZooKeeper runs from its libs/, so both roles default to the same archive."""
import yaml

from tests.bench.versions import ROOT


def defaults(role):
    return yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())


def test_brokers_and_zookeeper_default_to_the_one_kafka_release():
    release = "{{ _common_kafka_release.%s }}"
    assert {key: value for key, value in defaults("kafka_broker").items() if "_common_kafka_release" in str(value)} == {
        "kafka_broker_version": release % "version", "kafka_broker_scala_version": release % "scala_version",
        "kafka_broker_archive_sha512": release % "sha512"}
    assert {key: value for key, value in defaults("zookeeper").items() if "_common_kafka_release" in str(value)} == {
        "zookeeper_kafka_version": release % "version", "zookeeper_scala_version": release % "scala_version",
        "zookeeper_archive_sha512": release % "sha512"}
