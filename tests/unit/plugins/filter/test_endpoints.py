"""The address filters: a host's own variables win, role defaults fill the rest."""
import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.ecommerce.kafka.plugins.filter.endpoints import (
    FQDN_DEFAULT, bootstrap_servers, role_defaults, schema_registry_urls, zookeeper_connect)
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


def test_zookeeper_connect_uses_inventory_names_and_client_ports():
    hostvars = {"z1": {}, "z2": {"zookeeper_client_port": 2182}}
    assert zookeeper_connect(["z1", "z2"], hostvars) == "z1:2181,z2:2182"


def test_schema_registry_urls():
    hostvars = {"r1": facts("r1.example"),
                "r2": facts("r2.example", schema_registry_advertised_host="10.0.0.9", schema_registry_port=18081)}
    assert schema_registry_urls(["r1", "r2"], hostvars) == [
        "http://r1.example:8081/apis/ccompat/v7", "http://10.0.0.9:18081/apis/ccompat/v7"]


@pytest.mark.parametrize("role, variable", [
    ("kafka_broker", "kafka_broker_advertised_host"), ("schema_registry", "schema_registry_advertised_host")])
def test_the_fqdn_fallback_is_the_roles_default(role, variable):
    """The filters read the FQDN fact where the role's default is `{{ ansible_fqdn }}`."""
    defaults = yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())
    assert defaults[variable] == FQDN_DEFAULT
    assert role_defaults(role) == defaults
