"""The guide's client profiles as data: which keys each family gets, the
connection's security settings in each family's names, and the refusals."""
import pytest

from ansible_collections.ecommerce.kafka.plugins.module_utils.client_profile import (
    JAVA_ONLY, PROFILES, ProfileError, connection_config, render)

SASL_SSL = {"bootstrap_servers": "b1:9092,b2:9092", "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-512", "sasl_username": "fraud-scoring", "sasl_password": 'p"a\\ss',
            "ssl_ca_location": "/etc/ssl/kafka-ca.pem"}
ALL_PROFILES = [(kind, name) for kind in sorted(PROFILES) for name in sorted(PROFILES[kind])]


def test_every_producer_profile_is_durable_and_idempotent():
    for name, settings in PROFILES["producer"].items():
        assert (settings["acks"], settings["enable.idempotence"]) == ("all", True), name
        assert settings["max.in.flight.requests.per.connection"] <= 5, name


def test_low_latency_keeps_batching_that_the_guide_turned_off():
    low_latency = PROFILES["producer"]["low_latency"]
    assert (low_latency["linger.ms"], low_latency["compression.type"]) == (0, "none")
    assert low_latency["batch.size"] > 1


@pytest.mark.parametrize("kind, name", ALL_PROFILES)
def test_librdkafka_gets_no_java_only_key_and_its_own_names(kind, name):
    config = render(kind, name, "librdkafka")
    assert not JAVA_ONLY & set(config)
    assert "fetch.max.wait.ms" not in config
    if "fetch.max.wait.ms" in PROFILES[kind][name]:
        assert config["fetch.wait.max.ms"] == PROFILES[kind][name]["fetch.max.wait.ms"]


def test_java_gets_the_guide_keys_librdkafka_lacks():
    assert render("producer", "high_throughput", "java")["buffer.memory"] == 67108864
    assert render("consumer", "fast", "java")["max.poll.records"] == 1000


def test_librdkafka_connection_keys():
    config = render("producer", "durable", "librdkafka", SASL_SSL)
    assert {key: config[key] for key in ("bootstrap.servers", "security.protocol", "sasl.mechanism",
                                         "sasl.username", "sasl.password", "ssl.ca.location",
                                         "ssl.endpoint.identification.algorithm")} == {
        "bootstrap.servers": "b1:9092,b2:9092", "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "fraud-scoring", "sasl.password": 'p"a\\ss', "ssl.ca.location": "/etc/ssl/kafka-ca.pem",
        "ssl.endpoint.identification.algorithm": "https"}


def test_java_connection_keys():
    config = render("consumer", "default", "java", SASL_SSL, {"group.id": "fraud-scoring"})
    assert {key: value for key, value in config.items() if key not in PROFILES["consumer"]["default"]} == {
        "bootstrap.servers": "b1:9092,b2:9092", "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.jaas.config": 'org.apache.kafka.common.security.scram.ScramLoginModule required '
                            'username="fraud-scoring" password="p\\"a\\\\ss";',
        "ssl.truststore.type": "PEM", "ssl.truststore.location": "/etc/ssl/kafka-ca.pem",
        "ssl.endpoint.identification.algorithm": "https", "group.id": "fraud-scoring"}


def test_plain_login_and_no_hostname_check_for_java():
    config = render("producer", "durable", "java", dict(SASL_SSL, sasl_mechanism="PLAIN", ssl_check_hostname=False))
    assert config["sasl.jaas.config"].startswith("org.apache.kafka.common.security.plain.PlainLoginModule required ")
    assert config["ssl.endpoint.identification.algorithm"] == ""


def test_settings_win_over_profile_and_connection():
    config = render("producer", "durable", "librdkafka", SASL_SSL, {"linger.ms": 50, "client.id": "ingest"})
    assert (config["linger.ms"], config["client.id"]) == (50, "ingest")


def test_rendering_leaves_the_table_alone():
    render("consumer", "fast", "librdkafka", settings={"group.id": "g"})
    assert "group.id" not in PROFILES["consumer"]["fast"]
    assert "fetch.max.wait.ms" in PROFILES["consumer"]["fast"]


@pytest.mark.parametrize("args, message", [
    (("admin", "durable", "java"), "client kind 'admin' is not one of consumer, producer"),
    (("producer", "fast", "java"), "producer profile 'fast' is not one of durable, high_throughput, low_latency"),
    (("consumer", "fast", "go"), "client family 'go' is not one of librdkafka, java"),
])
def test_unknown_names_are_refused(args, message):
    with pytest.raises(ProfileError, match="^%s$" % message):
        render(*args)


@pytest.mark.parametrize("left_out", ["sasl_password", "sasl_username", "sasl_mechanism"])
def test_java_sasl_without_mechanism_user_or_password_is_refused(left_out):
    with pytest.raises(ProfileError, match="^SASL_SSL needs sasl_mechanism [(]one of PLAIN, SCRAM-SHA-256, "
                                           "SCRAM-SHA-512[)], sasl_username and sasl_password$"):
        render("producer", "durable", "java", {key: value for key, value in SASL_SSL.items() if key != left_out})


def test_java_with_a_client_certificate_is_refused():
    with pytest.raises(ProfileError, match="needs a key store of its own"):
        render("producer", "durable", "java", {"security_protocol": "SSL", "ssl_certificate_location": "/c.pem",
                                               "ssl_key_location": "/c.key"})


def test_a_connection_alone_is_the_profiles_connection_keys():
    librdkafka = connection_config(SASL_SSL, "librdkafka")
    java = connection_config(SASL_SSL, "java")
    assert librdkafka == {key: value for key, value in render("producer", "durable", "librdkafka", SASL_SSL).items()
                          if key not in PROFILES["producer"]["durable"]}
    assert java == {key: value for key, value in render("producer", "durable", "java", SASL_SSL).items()
                    if key not in PROFILES["producer"]["durable"]}
