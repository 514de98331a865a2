"""server.properties as kafka_broker renders it: replication defaults that
follow the number of brokers, kafka_broker_properties merged last, listeners
from the named map, zookeeper.connect from the zookeeper group with a chroot,
and the bootstrap servers of the health checks."""
import pytest

from tests.unit.roles.conftest import role_variables

ROLE_FILES = ("_common/vars/main.yml", "kafka_broker/defaults/main.yml", "kafka_broker/vars/main.yml")


def broker_variables(brokers=3, zookeepers=3, **overrides):
    names = [f"broker{i}" for i in range(1, brokers + 1)]
    members = [f"zk{i}" for i in range(1, zookeepers + 1)]
    variables = role_variables(*ROLE_FILES)
    variables.update(
        groups={"kafka_broker": names, "zookeeper": members},
        hostvars={**{name: {"kafka_broker_id": i, "ansible_facts": {"fqdn": f"{name}.example.com"}}
                     for i, name in enumerate(names, 1)}, **{member: {} for member in members}},
        inventory_hostname=names[0], kafka_broker_id=1, ansible_fqdn=f"{names[0]}.example.com")
    variables.update(overrides)
    return variables


def properties(render, **variables):
    return render(broker_variables(**variables)).expression("{{ _kafka_broker_server_properties }}")


@pytest.mark.parametrize("brokers, replication_factor, min_insync", [(1, 1, 1), (2, 2, 1), (3, 3, 2), (5, 3, 2)])
def test_replication_defaults_follow_the_number_of_brokers(render, brokers, replication_factor, min_insync):
    props = properties(render, brokers=brokers)
    assert props["default.replication.factor"] == replication_factor
    assert props["offsets.topic.replication.factor"] == replication_factor
    assert props["transaction.state.log.replication.factor"] == replication_factor
    assert props["min.insync.replicas"] == min_insync
    assert props["transaction.state.log.min.isr"] == min_insync


def test_unsafe_behaviours_are_off(render):
    props = properties(render)
    assert props["unclean.leader.election.enable"] is False
    assert props["auto.create.topics.enable"] is False


def test_kafka_broker_properties_are_merged_last_and_win(render):
    props = properties(render, kafka_broker_properties={"min.insync.replicas": 1, "log.cleaner.backoff.ms": 16000})
    assert props["min.insync.replicas"] == 1
    assert props["log.cleaner.backoff.ms"] == 16000
    assert props["default.replication.factor"] == 3


def test_zookeeper_connect_lists_the_zookeeper_group_with_the_chroot(render):
    assert properties(render)["zookeeper.connect"] == "zk1:2181,zk2:2181,zk3:2181/kafka"


def test_explicit_zookeeper_servers_replace_the_group(render):
    props = properties(render, kafka_broker_zookeeper_servers="zk.external:2181", kafka_broker_zookeeper_chroot="/k1")
    assert props["zookeeper.connect"] == "zk.external:2181/k1"


def test_listeners_come_from_the_named_map(render):
    props = properties(render, kafka_broker_listeners={
        "PLAINTEXT": {"port": 9092, "protocol": "PLAINTEXT"},
        "INTERNAL": {"port": 29092, "protocol": "SASL_SSL", "bind_host": "10.0.0.5",
                     "advertised_host": "broker1.internal"}})
    assert props["listeners"] == "INTERNAL://10.0.0.5:29092,PLAINTEXT://:9092"
    assert props["advertised.listeners"] == "INTERNAL://broker1.internal:29092,PLAINTEXT://broker1.example.com:9092"
    assert props["listener.security.protocol.map"] == "INTERNAL:SASL_SSL,PLAINTEXT:PLAINTEXT"
    assert props["broker.id"] == 1


def test_bootstrap_servers_use_each_brokers_client_listener(render):
    variables = broker_variables()
    variables["hostvars"]["broker2"]["kafka_broker_advertised_host"] = "10.89.0.12"
    variables["hostvars"]["broker3"]["kafka_broker_listeners"] = {"PLAINTEXT": {"port": 9093, "protocol": "PLAINTEXT"}}
    assert render(variables).expression("{{ _kafka_broker_admin_connection }}") == {
        "bootstrap_servers": "broker1.example.com:9092,10.89.0.12:9092,broker3.example.com:9093",
        "security_protocol": "PLAINTEXT"}


def test_server_properties_file_writes_booleans_the_java_way(render):
    text = render(broker_variables(ansible_managed="managed")).properties_file("{{ _kafka_broker_server_properties }}")
    assert "unclean.leader.election.enable=false\n" in text
    assert "auto.create.topics.enable=false\n" in text
    assert "broker.id=1\n" in text


def test_zookeeper_tls_uses_the_brokers_own_pem_stores(render):
    rendered = properties(render, kafka_broker_zookeeper_tls=True)
    assert rendered["zookeeper.ssl.client.enable"] is True
    assert rendered["zookeeper.clientCnxnSocket"] == "org.apache.zookeeper.ClientCnxnSocketNetty"
    assert rendered["zookeeper.ssl.keystore.location"] == "/etc/kafka/tls/keystore.pem"
    assert rendered["zookeeper.ssl.truststore.type"] == "PEM"
    assert "zookeeper.set.acl" not in rendered
    assert not [key for key in properties(render) if key.startswith("zookeeper.ssl")]


def test_zookeeper_sasl_sets_acls_and_keeps_the_password_out_of_the_properties(render):
    rendered = properties(render, kafka_broker_zookeeper_sasl=True, kafka_broker_zookeeper_password="zk-secret")
    assert rendered["zookeeper.set.acl"] is True
    assert not [key for key, value in rendered.items() if "zk-secret" in str(value)]


def test_the_zookeeper_tools_get_the_same_tls_and_login_as_the_broker(render):
    variables = broker_variables(kafka_broker_zookeeper_tls=True, kafka_broker_zookeeper_sasl=True,
                                 kafka_broker_zookeeper_password="zk-secret")
    tool = render(variables).expression("{{ _kafka_broker_zookeeper_tool }}")
    assert "-Djava.security.auth.login.config=/etc/kafka/zookeeper-client.jaas" in tool
    assert "-Dzookeeper.client.secure=true" in tool
    assert "-Dzookeeper.ssl.keyStore.location=/etc/kafka/tls/keystore.pem" in tool
    assert tool.index("-Dzookeeper.client.secure=true") < tool.index("org.apache.zookeeper.ZooKeeperMain")
    assert not [argument for argument in tool if "zk-secret" in argument]
    config_tool = render(variables).expression("{{ _kafka_broker_config_tool }}")
    assert config_tool[-1] == "kafka.admin.ConfigCommand" and "-Dzookeeper.client.secure=true" in config_tool
    assert render(variables).expression("{{ _kafka_broker_zookeeper_chroot_acl }}") == "sasl:kafka:cdrwa,world:anyone:r"
