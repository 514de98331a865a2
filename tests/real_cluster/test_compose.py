"""The parts of docker-compose.yml that can run without a container engine,
run for real against the bench's services.

No image can be pulled on this machine, so each part is run on the same
software outside a container: every healthcheck command against a live and a
dead server; the registry's compose environment on the same Apicurio release;
and `make compose-topics`' playbook and inventory against the fixture broker."""
import json
import os
import re
import pathlib
import subprocess
import sys
import urllib.request

import pytest
import yaml
from confluent_kafka import TopicCollection
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, ResourceType
from confluent_kafka.schema_registry import SchemaRegistryClient

from tests.bench.services import (
    JavaService, apicurio_archive, delete_subjects, delete_topics, free_port, java_home, kafka_archive, unpack,
    wait_until)
from tests.bench.versions import ROOT, version

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
TOPIC_TABLE = yaml.safe_load((ROOT / "roles" / "kafka_topics" / "defaults" / "main.yml").read_text())[
    "kafka_topics_table"]
SCHEMAS = ROOT / "roles" / "kafka_topics" / "files"
COMPOSE_INVENTORY = ROOT / "inventories" / "compose"
BIN = pathlib.Path(sys.executable).parent


def healthcheck(service, **replacements):
    """The service's healthcheck as the container would run it: compose's `$$`
    escape undone, and each address replaced by the bench's (each must occur,
    so a changed compose file cannot silently skip the check)."""
    form, *argv = SERVICES[service]["healthcheck"]["test"]
    assert form == "CMD", f"{service}: healthcheck must be exec form"
    argv = [arg.replace("$$", "$") for arg in argv]
    for old, new in replacements.items():
        assert any(old in arg for arg in argv), f"{service} healthcheck no longer uses {old}"
        argv = [arg.replace(old, new) for arg in argv]
    return argv


def run(argv, env=None):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, **(env or {})})


# --- healthchecks ----------------------------------------------------------------------------------

@pytest.mark.parametrize("up", [True, False], ids=["live", "dead-port"])
def test_zookeeper_healthcheck_answers_ruok(zookeeper, up):
    port = zookeeper.port if up else free_port()
    proc = run(healthcheck("zookeeper", **{"127.0.0.1/2181": f"127.0.0.1/{port}"}))
    assert (proc.returncode == 0) is up, proc.stderr


@pytest.fixture(scope="module")
def kafka_cli(tmp_path_factory):
    """`kafka-broker-api-versions` as the images put it on PATH: Apache's
    bin/kafka-broker-api-versions.sh runs this class with libs/ on the classpath."""
    home = unpack(kafka_archive()) / f"kafka_2.13-{version('kafka')}"
    bin_dir = tmp_path_factory.mktemp("kafka-bin")
    script = bin_dir / "kafka-broker-api-versions"
    script.write_text(f'#!/usr/bin/env bash\nexec java -cp "{home}/libs/*" '
                      'kafka.admin.BrokerApiVersionsCommand "$@"\n')
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize("up", [True, False], ids=["live", "dead-port"])
def test_kafka_healthcheck_is_the_seed_cluster_check(kafka, kafka_cli, up):
    bootstrap = kafka.bootstrap if up else f"127.0.0.1:{free_port()}"
    proc = run(healthcheck("kafka", **{"localhost:9092": bootstrap}), env=kafka_cli)
    assert (proc.returncode == 0) is up, proc.stdout + proc.stderr


# --- the registry as compose configures it ---------------------------------------------------------

class ComposeRegistry(JavaService):
    """Apicurio started with the environment of compose's schema-registry
    service. Only what a container changes is replaced: the broker address,
    loopback ports, and journal topics of its own so that the session's
    registry on the same broker is not disturbed."""

    name = "compose-registry"
    REPLACED = ("APICURIO_KAFKASQL_BOOTSTRAP_SERVERS", "QUARKUS_HTTP_PORT", "QUARKUS_MANAGEMENT_PORT")

    def start(self, kafka):
        environment = {key: str(value) for key, value in SERVICES["schema-registry"]["environment"].items()}
        assert set(self.REPLACED) <= set(environment)
        self.compose_management_port = environment["QUARKUS_MANAGEMENT_PORT"]
        self.port, self.management_port = free_port(), free_port()
        environment.update(
            APICURIO_KAFKASQL_BOOTSTRAP_SERVERS=kafka.bootstrap,
            QUARKUS_HTTP_PORT=str(self.port), QUARKUS_MANAGEMENT_PORT=str(self.management_port),
            QUARKUS_HTTP_HOST="127.0.0.1", QUARKUS_MANAGEMENT_HOST="127.0.0.1",
            APICURIO_KAFKASQL_TOPIC="compose-check-journal",
            APICURIO_KAFKASQL_SNAPSHOTS_TOPIC="compose-check-snapshots")
        java = java_home(21) / "bin" / "java"
        self.spawn([str(java), "-Xms256m", "-Xmx512m", "-jar", str(unpack(apicurio_archive()) / "quarkus-run.jar")],
                   cwd=self.workdir, env=environment)
        wait_until("Apicurio Registry (compose environment)", self.ready, self.process, self.log)
        return self

    def get(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as resp:
            return resp.status, resp.read().decode()

    def ready(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.management_port}/health/ready", timeout=5) as resp:
            return resp.status == 200


@pytest.fixture(scope="module")
def compose_registry(kafka, tmp_path_factory):
    registry = ComposeRegistry(tmp_path_factory.mktemp("compose-registry"))
    try:
        yield registry.start(kafka)
    finally:
        registry.stop()


def test_compose_registry_serves_the_roles_api_and_compatibility(compose_registry):
    status, body = compose_registry.get("/apis/ccompat/v7/subjects")
    assert status == 200 and body.strip().startswith("[")
    status, body = compose_registry.get("/apis/ccompat/v7/config")
    assert yaml.safe_load(body) == {"compatibilityLevel": SERVICES["schema-registry"]["environment"][
        "APICURIO_RULES_GLOBAL_COMPATIBILITY"]}


@pytest.mark.parametrize("up", [True, False], ids=["live", "dead-port"])
def test_schema_registry_healthcheck_reads_readiness(compose_registry, up):
    port = compose_registry.management_port if up else free_port()
    old = f"127.0.0.1/{compose_registry.compose_management_port}"
    proc = run(healthcheck("schema-registry", **{old: f"127.0.0.1/{port}"}))
    assert (proc.returncode == 0) is up, proc.stderr


# --- make compose-topics ---------------------------------------------------------------------------

def compose_topics(bootstrap, registry_url):
    """`make compose-topics`' command, with the inventory's broker address
    pointed at `bootstrap` and its registry at `registry_url`; returns the
    changed count of the play recap."""
    host, port = bootstrap.rsplit(":", 1)
    bench = {"kafka_broker_advertised_host": host,
             "kafka_broker_listeners": {"PLAINTEXT": {"port": int(port), "protocol": "PLAINTEXT"}},
             "kafka_topics_registry_connection": {"registry_url": registry_url}}
    proc = subprocess.run(
        [BIN / "ansible-playbook", "-i", COMPOSE_INVENTORY, ROOT / "playbooks" / "topics.yml",
         "-e", json.dumps(bench)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
             "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    recap = re.search(r"^ecommerce-kafka\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0",
                      proc.stdout, re.MULTILINE)
    assert recap, proc.stdout
    return int(recap.group(1))


@pytest.fixture
def without_table_topics(kafka, schema_registry):
    """The fixture broker and registry are shared: the table's topics and
    subjects are deleted before and after, so the playbook creates them and
    later tests find the broker and the registry as they were."""
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap})
    registry = SchemaRegistryClient(schema_registry.client_config())
    names = [entry["name"] for entry in TOPIC_TABLE]
    subjects = [f"{name}-value" for name in names]
    delete_topics(admin, names)
    delete_subjects(registry, subjects)
    yield admin, registry
    delete_topics(admin, names)
    delete_subjects(registry, subjects)


def test_compose_topics_applies_the_table_to_the_broker(kafka, schema_registry, without_table_topics):
    admin, registry = without_table_topics
    assert compose_topics(kafka.bootstrap, schema_registry.url) == 2

    names = [entry["name"] for entry in TOPIC_TABLE]
    described = admin.describe_topics(TopicCollection(names), request_timeout=10)
    resources = [ConfigResource(ResourceType.TOPIC, name) for name in names]
    configs = {resource.name: future.result(15) for resource, future in
               admin.describe_configs(resources, request_timeout=10).items()}
    for entry in TOPIC_TABLE:
        topic = described[entry["name"]].result(15)
        overrides = {key: value.value for key, value in configs[entry["name"]].items()
                     if value.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value}
        assert len(topic.partitions) == entry["partitions"], entry["name"]
        assert {len(partition.replicas) for partition in topic.partitions} == {1}, entry["name"]
        assert overrides["retention.ms"] == str(entry["config"]["retention.ms"]), entry["name"]
        assert overrides["min.insync.replicas"] == "1", entry["name"]

        subject = f"{entry['name']}-value"
        registered = json.loads(registry.get_latest_version(subject).schema.schema_str)
        shipped = json.loads((SCHEMAS / entry["value_schema"]).read_text())
        assert (registered["namespace"], registered["name"]) == (shipped["namespace"], shipped["name"]), subject
        assert [field["name"] for field in registered["fields"]] == [field["name"] for field in shipped["fields"]]
        assert registry.get_compatibility(subject) == "BACKWARD", subject

    assert compose_topics(kafka.bootstrap, schema_registry.url) == 0
