"""docker-compose.yml, checked without a container engine: against the Compose
specification's JSON schema (the copy check-jsonschema vendors, offline), for
the rules the schema cannot state (health-gated start, named volumes, the UI
behind a profile), and against the one source of truth for versions and ports:
the roles' defaults and inventories/local."""
import json
import os
import pathlib
import subprocess
import sys

import jinja2
import pytest
import yaml

from tests.bench.versions import ROOT, version

COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE = yaml.safe_load(COMPOSE_FILE.read_text())
SERVICES = COMPOSE["services"]
BIN = pathlib.Path(sys.executable).parent
# Confluent Platform lines and the Apache Kafka line each ships (Confluent's
# "Supported Versions and Interoperability" table: CP 7.x carries Kafka 3.x).
CONFLUENT_PLATFORM_KAFKA = {"7.7": "3.7", "7.8": "3.8", "7.9": "3.9"}


def role_defaults(role):
    return yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())


def inventory_host_vars(inventory, host):
    """A host's variables as Ansible reads them from an inventory (group_vars merged)."""
    proc = subprocess.run(
        [BIN / "ansible-inventory", "-i", ROOT / "inventories" / inventory, "--host", host],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
        env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")})
    return json.loads(proc.stdout)


def only_host(inventory, group):
    hosts = yaml.safe_load((ROOT / "inventories" / inventory / "hosts.yml").read_text())
    [host] = hosts["all"]["children"][group]["hosts"]
    return host


class Local:
    """What inventories/local deploys: the roles' defaults, overridden by the inventory."""

    def __init__(self):
        self.vars = inventory_host_vars("local", only_host("local", "kafka_broker"))
        self.defaults = {}
        for role in ("zookeeper", "kafka_broker", "schema_registry", "kafka_topics"):
            self.defaults.update(role_defaults(role))

    def __getitem__(self, name):
        return self.vars[name] if name in self.vars else self.defaults[name]


@pytest.fixture(scope="module")
def local():
    return Local()


PUBLISH_ADDRESS = "${ECOMMERCE_KAFKA_PUBLISH_ADDRESS:-127.0.0.1}"


def published(service):
    """{container port: host port} of a service."""
    ports = {}
    for mapping in SERVICES[service].get("ports", []):
        address, host_port, container_port = str(mapping).rsplit(":", 2)
        assert address == PUBLISH_ADDRESS, f"{service} publishes {mapping}, not on {PUBLISH_ADDRESS}"
        ports[int(container_port)] = int(host_port)
    return ports


@pytest.mark.parametrize("service", sorted(name for name in SERVICES if SERVICES[name].get("ports")))
def test_ports_are_published_on_loopback_unless_told_otherwise(service):
    assert published(service)


def image_tag(service):
    return SERVICES[service]["image"].rpartition(":")[2]


def listeners(value):
    return {name: address.rpartition(":") for name, address in
            (item.split("://") for item in value.split(","))}


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
    image, _colon, tag = spec["image"].rpartition(":")
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


# --- one source of truth: the roles' defaults and inventories/local ------------------------------

def test_confluent_images_carry_the_roles_kafka_release():
    kafka_line = ".".join(version("kafka").split(".")[:2])
    assert image_tag("zookeeper") == image_tag("kafka"), "cp-zookeeper and cp-kafka must be one release"
    cp_line = ".".join(image_tag("kafka").split(".")[:2])
    assert CONFLUENT_PLATFORM_KAFKA.get(cp_line) == kafka_line, (
        f"Confluent Platform {image_tag('kafka')} does not ship Kafka {kafka_line} "
        "(roles/_common/vars/main.yml): pick the CP line that does")
    assert SERVICES["zookeeper"]["image"].startswith("confluentinc/cp-zookeeper:")
    assert SERVICES["kafka"]["image"].startswith("confluentinc/cp-kafka:")


def test_registry_image_is_the_roles_apicurio_release():
    assert SERVICES["schema-registry"]["image"] == (
        f"apicurio/apicurio-registry:{role_defaults('schema_registry')['schema_registry_version']}")


def test_zookeeper_ports_and_settings_are_the_roles(local):
    env = SERVICES["zookeeper"]["environment"]
    client_port = local["zookeeper_client_port"]
    assert published("zookeeper") == {client_port: client_port}
    assert env["ZOOKEEPER_CLIENT_PORT"] == client_port
    assert env["ZOOKEEPER_TICK_TIME"] == local["zookeeper_tick_time"]
    assert env["ZOOKEEPER_ADMIN_SERVER_PORT"] == local["zookeeper_admin_port"]
    assert env["ZOOKEEPER_ADMIN_SERVER_ADDRESS"] == local["zookeeper_admin_address"]
    assert env["KAFKA_OPTS"] == (
        f"-Dzookeeper.4lw.commands.whitelist={','.join(local['zookeeper_four_letter_words'])}")
    assert f"/dev/tcp/127.0.0.1/{client_port} " in SERVICES["zookeeper"]["healthcheck"]["test"][-1]


def test_broker_ports_and_settings_are_the_roles(local):
    env = SERVICES["kafka"]["environment"]
    client_listener = local["kafka_broker_client_listener"]
    port = local["kafka_broker_listeners"][client_listener]["port"]
    assert published("kafka") == {port: port}
    assert listeners(env["KAFKA_LISTENERS"])[client_listener] == ("0.0.0.0", ":", str(port))
    assert listeners(env["KAFKA_ADVERTISED_LISTENERS"])[client_listener] == ("localhost", ":", str(port))
    assert env["KAFKA_BROKER_ID"] == local["kafka_broker_id"]
    assert env["KAFKA_ZOOKEEPER_CONNECT"] == (
        f"zookeeper:{local['zookeeper_client_port']}{local['kafka_broker_zookeeper_chroot']}")
    assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == local["kafka_topics_replication_factor"]
    assert env["KAFKA_MIN_INSYNC_REPLICAS"] == local["kafka_topics_min_insync_replicas"]


def test_registry_ports_and_settings_are_the_roles(local):
    env = SERVICES["schema-registry"]["environment"]
    port, management_port = local["schema_registry_port"], local["schema_registry_management_port"]
    assert published("schema-registry") == {port: port}
    assert env["QUARKUS_HTTP_PORT"] == port
    assert env["QUARKUS_MANAGEMENT_PORT"] == management_port
    assert f"/dev/tcp/127.0.0.1/{management_port} " in SERVICES["schema-registry"]["healthcheck"]["test"][-1]
    assert env["APICURIO_STORAGE_KIND"] == "kafkasql"
    assert env["APICURIO_RULES_GLOBAL_COMPATIBILITY"] == local["schema_registry_compatibility"]
    assert SERVICES["kafka-ui"]["environment"]["KAFKA_CLUSTERS_0_SCHEMAREGISTRY"] == (
        f"http://schema-registry:{port}/apis/ccompat/v7")


def test_kafka_ui_port_is_its_own(local):
    """The UI is compose-only, so its port is defined here; it must not take
    a port that the roles use on the same machine."""
    ui_port = SERVICES["kafka-ui"]["environment"]["SERVER_PORT"]
    assert published("kafka-ui") == {ui_port: ui_port}
    role_ports = {local["zookeeper_client_port"], local["zookeeper_peer_port"], local["zookeeper_election_port"],
                  local["zookeeper_admin_port"], local["schema_registry_port"],
                  local["schema_registry_management_port"]}
    role_ports |= {listener["port"] for listener in local["kafka_broker_listeners"].values()}
    assert ui_port not in role_ports
    assert f"127.0.0.1:{ui_port}/" in SERVICES["kafka-ui"]["healthcheck"]["test"][-1]


def test_compose_inventory_reaches_the_compose_broker_like_inventories_local(local):
    host = only_host("compose", "kafka_broker")
    compose = inventory_host_vars("compose", host)
    advertised = listeners(SERVICES["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"])
    host_name, _colon, port = advertised[local["kafka_broker_client_listener"]]
    assert host == SERVICES["kafka"]["container_name"]
    assert compose["ansible_connection"] == "local"
    assert compose["kafka_broker_advertised_host"] == host_name
    assert "kafka_broker_listeners" not in compose and port == str(
        role_defaults("kafka_broker")["kafka_broker_listeners"][local["kafka_broker_client_listener"]]["port"])
    for name in ("kafka_topics_replication_factor", "kafka_topics_min_insync_replicas"):
        assert compose[name] == local[name], name
    assert "kafka_topics_table" not in compose, "the table is defined once, in the kafka_topics role"


def test_broker_safe_defaults_are_the_roles_for_a_cluster_of_one():
    """The role derives replication settings from the cluster size; rendered
    for one broker, they must be what compose sets."""
    role_vars = yaml.safe_load((ROOT / "roles" / "kafka_broker" / "vars" / "main.yml").read_text())
    context = {"groups": {"kafka_broker": [SERVICES["kafka"]["container_name"]]}}
    render = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string
    for name in ("_kafka_broker_count", "_kafka_broker_replication_factor", "_kafka_broker_min_insync_replicas"):
        context[name] = render(role_vars[name]).render(context)
    env = SERVICES["kafka"]["environment"]
    for key in ("default.replication.factor", "offsets.topic.replication.factor",
                "transaction.state.log.replication.factor", "min.insync.replicas",
                "transaction.state.log.min.isr", "unclean.leader.election.enable", "auto.create.topics.enable"):
        value = role_vars["_kafka_broker_base_properties"][key]
        expected = render(value).render(context) if isinstance(value, str) else str(value).lower()
        assert str(env["KAFKA_" + key.upper().replace(".", "_")]).lower() == expected, key
