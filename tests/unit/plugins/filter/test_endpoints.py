"""The address filters: a host's own variables win, role defaults fill the rest."""
import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.ecommerce.kafka.plugins.filter.endpoints import (
    FQDN_DEFAULT, admin_connection, bootstrap_servers, metrics_targets, role_defaults, schema_registry_connection,
    schema_registry_urls, zookeeper_connect)
from tests.bench.versions import ROOT


def facts(fqdn, **variables):
    return dict(variables, ansible_facts={"fqdn": fqdn})


def test_bootstrap_servers_from_facts_and_role_defaults():
    hostvars = {"b1": facts("b1.example"), "b2": facts("b2.example")}
    assert bootstrap_servers(["b1", "b2"], hostvars) == "b1.example:9092,b2.example:9092"


def test_bootstrap_servers_follow_each_hosts_client_listener():
    listeners = {"INTERNAL": {"port": 9091, "protocol": "PLAINTEXT"},
                 "CLIENT": {"port": 9093, "protocol": "SASL_SSL", "advertised_host": "public.example"}}
    hostvars = {
        "b1": facts("b1.example", kafka_broker_listeners=listeners, kafka_broker_client_listener="CLIENT"),
        "b2": facts("b2.example", kafka_broker_listeners=listeners, kafka_broker_client_listener="INTERNAL",
                    kafka_broker_advertised_host="10.0.0.2"),
    }
    assert bootstrap_servers(["b1", "b2"], hostvars) == "public.example:9093,10.0.0.2:9091"


def test_bootstrap_servers_of_no_broker_is_empty():
    assert bootstrap_servers([], {}) == ""


def test_a_host_without_facts_or_address_is_named():
    with pytest.raises(AnsibleFilterError, match="kafka_broker host b1: its address is its FQDN fact, and its facts "
                                                 "have not been gathered; .* or set kafka_broker_advertised_host"):
        bootstrap_servers(["b1"], {"b1": {}})


def test_a_client_listener_missing_from_the_listeners_is_named():
    hostvars = {"b1": facts("b1.example", kafka_broker_client_listener="SSL")}
    with pytest.raises(AnsibleFilterError, match=r"kafka_broker host b1: its client listener SSL is not one of its "
                                                 r"listeners \(PLAINTEXT\)"):
        bootstrap_servers(["b1"], hostvars)


def test_a_host_outside_the_inventory_is_named():
    with pytest.raises(AnsibleFilterError, match="zookeeper: host z9 is not in the inventory"):
        zookeeper_connect(["z9"], {})


SASL_SSL_LISTENERS = {"INTERNAL": {"port": 9091, "protocol": "SSL"}, "CLIENT": {"port": 9093, "protocol": "SASL_SSL"}}


def secured(fqdn, **variables):
    return facts(fqdn, kafka_broker_listeners=SASL_SSL_LISTENERS, kafka_broker_client_listener="CLIENT", **variables)


def test_admin_connection_of_a_plaintext_cluster_is_its_address():
    hostvars = {"b1": facts("b1.example"), "b2": facts("b2.example")}
    assert admin_connection(["b1", "b2"], hostvars) == {
        "bootstrap_servers": "b1.example:9092,b2.example:9092", "security_protocol": "PLAINTEXT"}


def test_admin_connection_through_a_sasl_ssl_client_listener():
    admin = {"kafka_broker_admin_password": "s3cret", "kafka_broker_admin_ca_file": "/pki/ca.crt"}
    hostvars = {"b1": secured("b1.example", **admin), "b2": secured("b2.example", **admin)}
    assert admin_connection(["b1", "b2"], hostvars) == {
        "bootstrap_servers": "b1.example:9093,b2.example:9093", "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512", "sasl_username": "admin", "sasl_password": "s3cret",
        "ssl_ca_location": "/pki/ca.crt"}


def test_admin_connection_with_a_client_certificate():
    listeners = {"CLIENT": {"port": 9093, "protocol": "SSL"}}
    hostvars = {"b1": facts("b1.example", kafka_broker_listeners=listeners, kafka_broker_client_listener="CLIENT",
                            kafka_broker_admin_ca_file="/pki/ca.crt", kafka_broker_admin_certificate_file="/pki/a.crt",
                            kafka_broker_admin_key_file="/pki/a.key")}
    assert admin_connection(["b1"], hostvars) == {
        "bootstrap_servers": "b1.example:9093", "security_protocol": "SSL", "ssl_ca_location": "/pki/ca.crt",
        "ssl_certificate_location": "/pki/a.crt", "ssl_key_location": "/pki/a.key"}


def test_admin_connection_names_the_missing_secret():
    with pytest.raises(AnsibleFilterError, match="kafka_broker host b1: set kafka_broker_admin_password, "
                                                 "because the client listener uses SASL_SSL"):
        admin_connection(["b1"], {"b1": secured("b1.example")})


def test_admin_connection_trusts_the_ca_of_the_role_by_default():
    hostvars = {"b1": secured("b1.example", kafka_broker_admin_password="s3cret", kafka_broker_tls_ca_dir="/pki/platform")}
    assert admin_connection(["b1"], hostvars)["ssl_ca_location"] == "/pki/platform/ca.pem"
    hostvars = {"b1": secured("b1.example", kafka_broker_admin_password="s3cret")}
    assert admin_connection(["b1"], hostvars)["ssl_ca_location"] == os.path.expanduser(
        "~/.local/share/ecommerce.kafka/ca/ca.pem")


def test_admin_connection_refuses_brokers_with_different_client_protocols():
    hostvars = {"b1": facts("b1.example"), "b2": secured("b2.example")}
    with pytest.raises(AnsibleFilterError, match="client listeners differ in protocol .b1 PLAINTEXT, b2 SASL_SSL."):
        admin_connection(["b1", "b2"], hostvars)


def test_admin_connection_of_no_broker_is_empty():
    assert admin_connection([], {}) == {}


def test_zookeeper_connect_uses_inventory_names_and_client_ports():
    hostvars = {"z1": {}, "z2": {"zookeeper_client_port": 2182}}
    assert zookeeper_connect(["z1", "z2"], hostvars) == "z1:2181,z2:2182"


def test_schema_registry_urls():
    hostvars = {"r1": facts("r1.example"),
                "r2": facts("r2.example", schema_registry_advertised_host="10.0.0.9", schema_registry_port=18081)}
    assert schema_registry_urls(["r1", "r2"], hostvars) == [
        "http://r1.example:8081/apis/ccompat/v7", "http://10.0.0.9:18081/apis/ccompat/v7"]


def test_schema_registry_connection_over_plain_http_names_every_registry():
    hostvars = {"r1": facts("r1.example"), "r2": facts("r2.example")}
    assert schema_registry_connection(["r1", "r2"], hostvars) == {
        "registry_url": "http://r1.example:8081/apis/ccompat/v7,http://r2.example:8081/apis/ccompat/v7"}


def test_schema_registry_connection_over_https_carries_the_ca_and_the_admins_certificate():
    tls = {"schema_registry_tls": True, "schema_registry_tls_ca_dir": "/srv/ca"}
    hostvars = {"r1": facts("r1.example", **tls), "r2": facts("r2.example", **tls)}
    assert schema_registry_connection(["r1", "r2"], hostvars) == {
        "registry_url": "https://r1.example:8081/apis/ccompat/v7,https://r2.example:8081/apis/ccompat/v7",
        "registry_ca_location": "/srv/ca/ca.pem",
        "registry_certificate_location": "/srv/ca/schema-registry-admin.pem",
        "registry_key_location": "/srv/ca/schema-registry-admin.key"}


def test_schema_registry_connection_takes_a_certificate_of_the_users():
    hostvars = {"r1": facts("r1.example", schema_registry_tls=True, schema_registry_tls_ca_dir="/srv/ca",
                            schema_registry_admin_certificate_file="/home/ops/admin.pem",
                            schema_registry_admin_key_file="/home/ops/admin.key")}
    connection = schema_registry_connection(["r1"], hostvars)
    assert (connection["registry_certificate_location"], connection["registry_key_location"]) == (
        "/home/ops/admin.pem", "/home/ops/admin.key")


def test_schema_registry_connection_of_no_registry_is_empty():
    assert schema_registry_connection([], {}) == {}


@pytest.mark.parametrize("role, variable", [
    ("kafka_broker", "kafka_broker_advertised_host"), ("schema_registry", "schema_registry_advertised_host")])
def test_the_fqdn_fallback_is_the_roles_default(role, variable):
    """The filters read the FQDN fact where the role's default is `{{ ansible_fqdn }}`."""
    defaults = yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())
    assert defaults[variable] == FQDN_DEFAULT
    assert role_defaults(role) == defaults


def test_metrics_targets_are_where_clients_reach_each_component_at_its_metrics_port():
    hostvars = {"z1": {}, "b1": facts("b1.example"), "r1": facts("r1.example")}
    assert metrics_targets(["z1"], "zookeeper", hostvars) == ["z1:7072"]
    assert metrics_targets(["b1"], "kafka_broker", hostvars) == ["b1.example:7071"]
    assert metrics_targets(["r1"], "schema_registry", hostvars) == ["r1.example:9000"]


def test_metrics_targets_follow_a_bound_address_a_port_and_skip_hosts_without_metrics():
    hostvars = {
        "b1": facts("b1.example", kafka_broker_metrics_address="10.0.0.1", kafka_broker_metrics_port=9404),
        "b2": facts("b2.example", kafka_broker_metrics_address="fd00::2"),
        "b3": facts("b3.example", kafka_broker_metrics_enabled=False),
    }
    assert metrics_targets(["b1", "b2", "b3"], "kafka_broker", hostvars) == ["10.0.0.1:9404", "[fd00::2]:7071"]
    assert metrics_targets(["b1", "b2"], "kafka_broker", hostvars, port=9100) == ["b1.example:9100", "b2.example:9100"]


def test_metrics_targets_of_an_unknown_component_are_refused():
    with pytest.raises(AnsibleFilterError, match="no metrics endpoint is known for kafka_ui"):
        metrics_targets(["u1"], "kafka_ui", {"u1": {}})
