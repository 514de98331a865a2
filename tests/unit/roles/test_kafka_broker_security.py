"""The security settings of server.properties as kafka_broker renders them:
PEM key and trust stores when a listener uses TLS, client certificates on SSL
listeners, one login module per SASL listener and mechanism, PLAIN passwords
read through the file config provider rather than written into the file, and
the ACL authorizer with the admin and every broker as super users."""
from tests.unit.roles.test_kafka_broker_properties import broker_variables

SECURED = dict(
    kafka_broker_listeners={"CLIENTS": {"port": 9092, "protocol": "SASL_SSL"},
                            "BROKERS": {"port": 9093, "protocol": "SSL"}},
    kafka_broker_inter_broker_listener="BROKERS", kafka_broker_client_listener="CLIENTS",
    kafka_broker_authorization=True, kafka_broker_admin_password="admin-secret",
    ansible_all_ipv4_addresses=["10.0.0.1"])


def properties(render, **overrides):
    return render(broker_variables(**{**SECURED, **overrides})).expression("{{ _kafka_broker_server_properties }}")


def test_a_plaintext_broker_has_no_security_setting(render):
    props = render(broker_variables()).expression("{{ _kafka_broker_server_properties }}")
    assert not [name for name in props if name.startswith(("ssl.", "sasl.", "listener.name.", "authorizer", "super."))]


def test_tls_listeners_read_the_pem_stores_of_the_tls_folder(render):
    props = properties(render)
    assert props["ssl.keystore.type"] == "PEM"
    assert props["ssl.keystore.location"] == "/etc/kafka/tls/keystore.pem"
    assert props["ssl.truststore.type"] == "PEM"
    assert props["ssl.truststore.location"] == "/etc/kafka/tls/ca.pem"


def test_ssl_listeners_require_a_client_certificate_and_sasl_listeners_do_not(render):
    props = properties(render)
    assert props["listener.name.brokers.ssl.client.auth"] == "required"
    assert "listener.name.clients.ssl.client.auth" not in props


def test_scram_needs_no_secret_in_server_properties(render):
    props = properties(render)
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert props["listener.name.clients.scram-sha-512.sasl.jaas.config"] == (
        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
    assert "admin-secret" not in str(props)
    assert "config.providers" not in props


def test_plain_passwords_come_from_the_secrets_file_through_the_config_provider(render):
    props = properties(render, kafka_broker_sasl_enabled_mechanisms=["SCRAM-SHA-512", "PLAIN"],
                       kafka_broker_sasl_users=[{"name": "schema-registry", "password": "registry-secret"}])
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512,PLAIN"
    assert props["listener.name.clients.plain.sasl.jaas.config"] == (
        'org.apache.kafka.common.security.plain.PlainLoginModule required'
        ' user_admin="${file:/etc/kafka/sasl-passwords.properties:admin}"'
        ' user_schema-registry="${file:/etc/kafka/sasl-passwords.properties:schema-registry}";')
    assert props["config.providers"] == "file"
    assert props["config.providers.file.class"] == "org.apache.kafka.common.config.provider.FileConfigProvider"
    assert "secret" not in str(props).replace("sasl-passwords", "")


def test_authorization_refuses_what_no_acl_allows_and_names_the_super_users(render):
    props = properties(render, kafka_broker_super_users=["User:ops"])
    assert props["authorizer.class.name"] == "kafka.security.authorizer.AclAuthorizer"
    assert props["allow.everyone.if.no.acl.found"] is False
    assert props["super.users"] == "User:admin;User:CN=broker1;User:CN=broker2;User:CN=broker3;User:ops"


def test_certificates_name_the_inventory_name_fqdn_addresses_and_extra_names(render):
    variables = broker_variables(**SECURED, kafka_broker_tls_subject_alt_names=["DNS:kafka.example.com"])
    assert render(variables).expression("{{ _kafka_broker_tls_subject_alt_names }}") == [
        "DNS:broker1", "DNS:broker1.example.com", "IP:10.0.0.1", "DNS:kafka.example.com"]


def test_kafka_broker_properties_still_win(render):
    assert properties(render, kafka_broker_properties={"ssl.client.auth": "requested"})["ssl.client.auth"] == "requested"
