"""zoo.cfg as the zookeeper role renders it: the ensemble from the inventory
group with each member's explicit id, the four-letter-word whitelist, the
explicit AdminServer, and zookeeper_properties merged last."""
from tests.unit.roles.conftest import role_variables


def zoo_cfg(render, members=("zk1", "zk2", "zk3"), ids=(1, 2, 3), **overrides):
    variables = role_variables("zookeeper/defaults/main.yml", "zookeeper/vars/main.yml")
    variables.update(groups={"zookeeper": list(members)},
                     hostvars={name: {"zookeeper_id": ident} for name, ident in zip(members, ids)},
                     ansible_managed="managed", zookeeper_id=ids[0])
    variables.update(overrides)
    text = render(variables).properties_file("{{ _zookeeper_config }}")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_ensemble_lists_every_member_by_its_explicit_id(render):
    lines = zoo_cfg(render, ids=(7, 3, 12))
    assert "server.7=zk1:2888:3888" in lines
    assert "server.3=zk2:2888:3888" in lines
    assert "server.12=zk3:2888:3888" in lines


def test_single_member_runs_standalone(render):
    assert not [line for line in zoo_cfg(render, members=("zk1",), ids=(1,)) if line.startswith("server.")]


def test_four_letter_words_and_admin_server_are_explicit(render):
    lines = zoo_cfg(render)
    assert "4lw.commands.whitelist=srvr,ruok,mntr" in lines
    assert "admin.enableServer=true" in lines
    assert "admin.serverAddress=127.0.0.1" in lines
    assert "admin.serverPort=8180" in lines
    assert "clientPort=2181" in lines


def test_zookeeper_properties_win(render):
    lines = zoo_cfg(render, zookeeper_properties={"admin.serverPort": 8181, "maxClientCnxns": 100})
    assert "admin.serverPort=8181" in lines and "admin.serverPort=8180" not in lines
    assert "maxClientCnxns=100" in lines


def test_a_member_with_its_own_ports_keeps_them_and_the_rest_the_defaults(render):
    hostvars = {"zk1": {"zookeeper_id": 1},
                "zk2": {"zookeeper_id": 2, "zookeeper_peer_port": 2890, "zookeeper_election_port": 3890}}
    lines = zoo_cfg(render, members=("zk1", "zk2"), ids=(1, 2), hostvars=hostvars)
    assert [line for line in lines if line.startswith("server.")] == [
        "server.1=zk1:2888:3888", "server.2=zk2:2890:3890"]


def test_with_tls_the_client_port_takes_tls_only_and_members_talk_tls(render):
    lines = zoo_cfg(render, zookeeper_tls=True)
    assert "secureClientPort=2181" in lines
    assert not [line for line in lines if line.startswith("clientPort=")]
    assert "ssl.clientAuth=need" in lines
    assert "sslQuorum=true" in lines
    assert "ssl.keyStore.location=/etc/zookeeper/tls/keystore.pem" in lines
    assert "ssl.quorum.trustStore.location=/etc/zookeeper/tls/ca.pem" in lines
    assert "ssl.quorum.trustStore.type=PEM" in lines
    assert "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory" in lines


def test_sasl_users_turn_on_the_sasl_provider_and_nothing_else_does(render):
    assert not [line for line in zoo_cfg(render) if line.startswith("authProvider.")]
    lines = zoo_cfg(render, zookeeper_sasl_users=[{"name": "kafka", "password": "secret"}])
    assert "authProvider.sasl=org.apache.zookeeper.server.auth.SASLAuthenticationProvider" in lines
    assert not [line for line in lines if "secret" in line]


def test_the_jaas_file_is_passed_to_the_jvm_only_with_sasl_users(render):
    variables = role_variables("zookeeper/defaults/main.yml", "zookeeper/vars/main.yml")
    assert render(variables).expression("{{ _zookeeper_java_properties }}") == []
    variables["zookeeper_sasl_users"] = [{"name": "kafka", "password": "secret"}]
    assert render(variables).expression("{{ _zookeeper_java_properties }}") == [
        "-Djava.security.auth.login.config=/etc/zookeeper/jaas.conf"]
