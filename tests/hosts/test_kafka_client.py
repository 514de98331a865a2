"""The kafka_client role on a real systemd host: an application's settings,
rendered from the guide's profiles with its own login, land as files only
root and the application's group read; confluent-kafka accepts the JSON ones
as they are; a second run changes nothing; and --check --diff of a new
password shows which line changes, never the password."""
import json

import pytest
from confluent_kafka import Consumer, Producer

from ansible_collections.ecommerce.kafka.plugins.filter.client_profile import client_profile, java_properties
from tests.bench.tls import CertificateAuthority

USER = "fraud-scoring"
CONFIG_DIR = f"/etc/kafka-clients/{USER}"
# Quotes, a backslash and separators: each file escapes the password its own way.
PASSWORD = 'fr"aud\\=:#! scoring'
NEW_PASSWORD = PASSWORD + "-rotated"


@pytest.fixture(scope="module")
def host(hosts_of):
    return hosts_of("ecommerce-kafka-client", 1)


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory):
    return CertificateAuthority("kafka_client test CA").write(tmp_path_factory.mktemp("ca") / "ca.pem")


def connection(ca_file):
    return {"bootstrap_servers": "broker1.kafka.example.com:9092", "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-512", "ssl_ca_location": str(ca_file)}


def inventory(host, ca_file, password):
    return {"all": {
        "hosts": {host.names[0]: dict(host.connection_vars)},
        "vars": {"ansible_become": False},
        "children": {"kafka_client": {"hosts": {host.names[0]: {
            "kafka_client_user": USER, "kafka_client_password": password,
            "kafka_client_connection": connection(ca_file)}}}}}}


def on_host(ca_file, password):
    """The connection as the files on the host must hold it."""
    return {**connection(ca_file), "ssl_ca_location": f"{CONFIG_DIR}/ca.pem",
            "sasl_username": USER, "sasl_password": password}


@pytest.fixture(scope="module")
def converged(host, ca_file):
    run = host.playbook("playbooks/kafka_client.yml", inventory(host, ca_file, PASSWORD)).succeeded()
    assert PASSWORD not in run.output and json.dumps(PASSWORD)[1:-1] not in run.output
    return run


def test_each_profile_and_family_is_a_file_for_root_and_the_applications_group(host, converged):
    listing = host.sh(host.names[0], "stat", "-c", "%n %a %U %G", CONFIG_DIR, *(
        f"{CONFIG_DIR}/{name}" for name in ("ca.pem", "producer.json", "producer.properties",
                                            "consumer.json", "consumer.properties"))).stdout.splitlines()
    assert listing == [f"{CONFIG_DIR} 750 root {USER}", f"{CONFIG_DIR}/ca.pem 644 root {USER}"] + [
        f"{CONFIG_DIR}/{name} 640 root {USER}"
        for name in ("producer.json", "producer.properties", "consumer.json", "consumer.properties")]


def test_the_files_hold_the_profiles_with_the_applications_login(host, ca_file, converged):
    def read(name):
        return host.sh(host.names[0], "cat", f"{CONFIG_DIR}/{name}").stdout
    expected = {"producer": ("producer", "durable", {}), "consumer": ("consumer", "default", {"group.id": USER})}
    for name, (kind, profile, settings) in expected.items():
        librdkafka = json.loads(read(f"{name}.json"))
        assert librdkafka == client_profile(on_host(ca_file, PASSWORD), kind, profile, "librdkafka", settings)
        assert read(f"{name}.properties") == java_properties(
            client_profile(on_host(ca_file, PASSWORD), kind, profile, "java", settings))
        # confluent-kafka refuses an unknown key or an unreadable CA: here with the CA where the controller has it.
        client = Producer if kind == "producer" else Consumer
        client({**librdkafka, "ssl.ca.location": str(ca_file)})


def test_a_second_run_changes_nothing(host, ca_file, converged):
    host.playbook("playbooks/kafka_client.yml", inventory(host, ca_file, PASSWORD)).succeeded().unchanged()


def test_a_new_password_in_check_mode_shows_the_changed_lines_masked(host, ca_file, converged):
    before = host.digest(host.names[0], f"{CONFIG_DIR}/producer.json", f"{CONFIG_DIR}/producer.properties")
    run = host.playbook("playbooks/kafka_client.yml", inventory(host, ca_file, NEW_PASSWORD),
                        "--check", "--diff").succeeded()
    assert run.output.count("******** (changed)") == 4, run.output[-4000:]
    for secret in (PASSWORD, NEW_PASSWORD):
        assert secret not in run.output and json.dumps(secret)[1:-1] not in run.output
    assert host.digest(host.names[0], f"{CONFIG_DIR}/producer.json", f"{CONFIG_DIR}/producer.properties") == before
