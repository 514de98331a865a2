"""docker-compose.yml, checked without a container engine: against the Compose
specification's JSON schema (the copy check-jsonschema vendors, offline), for
the rules the schema cannot state (health-gated start, named volumes, the UI
behind a profile), and against the one source of truth for versions and ports:
the roles' defaults and inventories/local."""
import subprocess
import sys

import pytest
import yaml

from tests.bench.versions import ROOT

COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE = yaml.safe_load(COMPOSE_FILE.read_text())
SERVICES = COMPOSE["services"]


def validate(path):
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         "--color", "never", str(path)],
        capture_output=True, text=True, timeout=120, check=False)


def test_compose_file_validates_against_the_compose_specification():
    proc = validate(COMPOSE_FILE)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_schema_check_rejects_what_compose_would_reject(tmp_path):
    """The validator is not vacuous: a misspelt healthcheck key and an unknown
    depends_on condition, both of which `docker compose` refuses, fail it."""
    broken = yaml.safe_load(COMPOSE_FILE.read_text())
    broken["services"]["kafka"]["healthcheck"]["start_periode"] = "30s"
    broken["services"]["kafka"]["depends_on"]["zookeeper"]["condition"] = "service_ready"
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    proc = validate(path)
    assert proc.returncode == 1
    assert "start_periode" in proc.stdout
    assert "service_ready" in proc.stdout


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_service_has_a_healthcheck_and_a_pinned_image(service):
    spec = SERVICES[service]
    assert spec["healthcheck"]["test"][0] == "CMD"
    image, _, tag = spec["image"].rpartition(":")
    assert image and tag and tag != "latest", spec["image"]


@pytest.mark.parametrize("service", sorted(name for name in SERVICES if SERVICES[name].get("depends_on")))
def test_dependencies_wait_for_health_not_for_start(service):
    for dependency, condition in SERVICES[service]["depends_on"].items():
        assert condition == {"condition": "service_healthy"}, f"{service} -> {dependency}"
        assert dependency in SERVICES


def test_data_lives_in_named_volumes():
    declared = set(COMPOSE["volumes"])
    used = set()
    for name, spec in SERVICES.items():
        for volume in spec.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source in declared, f"{name}: {volume} is not a named volume"
            used.add(source)
    assert used == declared
    assert {"zookeeper", "kafka"} <= {name for name, spec in SERVICES.items() if spec.get("volumes")}


def test_kafka_ui_is_optional_behind_a_profile():
    assert SERVICES["kafka-ui"]["profiles"] == ["ui"]
    assert [name for name, spec in SERVICES.items() if "profiles" in spec] == ["kafka-ui"]


def test_broker_is_reachable_from_the_laptop_and_from_the_other_containers():
    env = SERVICES["kafka"]["environment"]
    advertised = dict(item.split("://") for item in env["KAFKA_ADVERTISED_LISTENERS"].split(","))
    listeners = dict(item.split("://") for item in env["KAFKA_LISTENERS"].split(","))
    assert advertised["PLAINTEXT"] == "localhost:9092"
    internal_host, internal_port = advertised["INTERNAL"].rsplit(":", 1)
    assert internal_host == SERVICES["kafka"]["hostname"]
    assert listeners["INTERNAL"].endswith(f":{internal_port}")
    assert env["KAFKA_INTER_BROKER_LISTENER_NAME"] == "INTERNAL"
    internal = advertised["INTERNAL"]
    assert SERVICES["schema-registry"]["environment"]["APICURIO_KAFKASQL_BOOTSTRAP_SERVERS"] == internal
    assert SERVICES["kafka-ui"]["environment"]["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"] == internal


def test_broker_container_is_the_one_the_seed_guide_execs_into():
    assert SERVICES["kafka"]["container_name"] == "ecommerce-kafka"
