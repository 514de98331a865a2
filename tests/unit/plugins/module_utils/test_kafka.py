import pytest

from ansible_collections.ecommerce.kafka.plugins.module_utils import kafka
from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    get_client_config, kafka_common_argument_spec, require_confluent_kafka)


def params(**overrides):
    values = {name: spec.get("default") for name, spec in kafka_common_argument_spec().items()}
    values.update(bootstrap_servers="b1:9092,b2:9092", **overrides)
    return values


def test_plaintext_maps_only_what_is_set():
    assert get_client_config(params()) == {
        "bootstrap.servers": "b1:9092,b2:9092", "security.protocol": "PLAINTEXT"}


@pytest.mark.parametrize("check_hostname, algorithm", [(True, "https"), (False, "none")])
def test_sasl_ssl_maps_credentials_and_hostname_check(check_hostname, algorithm):
    config = get_client_config(params(
        security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512", sasl_username="app",
        sasl_password="secret", ssl_ca_location="/etc/ca.pem", ssl_check_hostname=check_hostname))
    assert config["sasl.mechanism"] == "SCRAM-SHA-512"
    assert config["sasl.username"] == "app" and config["sasl.password"] == "secret"
    assert config["ssl.ca.location"] == "/etc/ca.pem"
    assert config["ssl.endpoint.identification.algorithm"] == algorithm


def test_client_config_is_applied_last():
    config = get_client_config(params(client_config={"security.protocol": "SSL", "socket.timeout.ms": 1000}))
    assert config["security.protocol"] == "SSL"
    assert config["socket.timeout.ms"] == 1000


def test_secrets_are_no_log():
    spec = kafka_common_argument_spec()
    assert spec["sasl_password"]["no_log"] and spec["ssl_key_password"]["no_log"]


class FailingModule:
    def fail_json(self, **result):
        raise AssertionError(result)


def test_a_missing_confluent_kafka_fails_with_the_standard_message(monkeypatch):
    monkeypatch.setattr(kafka, "HAS_CONFLUENT_KAFKA", False)
    with pytest.raises(AssertionError) as failure:
        require_confluent_kafka(FailingModule())
    assert "confluent-kafka" in failure.value.args[0]["msg"]
