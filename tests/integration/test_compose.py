"""The parts of docker-compose.yml that can run without a container engine,
run for real against the bench's services: each healthcheck command (the
images cannot be pulled here, but their commands are the ones Kafka, ZooKeeper
and Apicurio answer), and `make compose-topics`' playbook."""
import os
import subprocess

import pytest
import yaml

from tests.bench.services import free_port, kafka_archive, unpack
from tests.bench.versions import ROOT, version

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def healthcheck(service, **replacements):
    """The service's healthcheck as the container would run it: compose's `$$`
    escape undone, and each address replaced by the bench's (each must occur,
    so a changed compose file cannot silently skip the check)."""
    form, *argv = COMPOSE["services"][service]["healthcheck"]["test"]
    assert form == "CMD", f"{service}: healthcheck must be exec form"
    argv = [arg.replace("$$", "$") for arg in argv]
    for old, new in replacements.items():
        assert any(old in arg for arg in argv), f"{service} healthcheck no longer uses {old}"
        argv = [arg.replace(old, new) for arg in argv]
    return argv


def run(argv, env=None):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, **(env or {})})


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


@pytest.mark.parametrize("up", [True, False], ids=["live", "dead-port"])
def test_schema_registry_healthcheck_reads_readiness(schema_registry, up):
    port = schema_registry.management_port if up else free_port()
    management = COMPOSE["services"]["schema-registry"]["environment"]["QUARKUS_MANAGEMENT_PORT"]
    proc = run(healthcheck("schema-registry", **{f"127.0.0.1/{management}": f"127.0.0.1/{port}"}))
    assert (proc.returncode == 0) is up, proc.stderr
