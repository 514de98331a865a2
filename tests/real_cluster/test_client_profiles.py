"""The guide's client profiles, as the filter renders them, against the
session's SASL_SSL broker: confluent-kafka's Producer and Consumer refuse an
unknown key, and the Java console tools of the staged Kafka release log one
they do not know. Each client logs in as an application user of its own,
with only the ACLs an application gets, and a password that needs escaping
in JAAS and in a .properties file."""
import secrets
import subprocess
import uuid

import pytest
from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka.admin import (AclBinding, AdminClient, AclBindingFilter, AclOperation, AclPermissionType, NewTopic,
                                   ResourcePatternType, ResourceType, ScramCredentialInfo, ScramMechanism,
                                   UserScramCredentialDeletion, UserScramCredentialUpsertion)

from ansible_collections.ecommerce.kafka.plugins.filter.client_profile import client_profile, java_properties
from ansible_collections.ecommerce.kafka.plugins.module_utils.client_profile import PROFILES
from tests.bench.services import LOG4J, QUIET_LOGGER, delete_topics, java_cmd, kafka_home

MESSAGES_PER_PRODUCER = 5
# The Java clients' warning for a key that no ConfigDef declares.
UNKNOWN_KEY_WARNING = "isn't a known config"


@pytest.fixture(scope="module")
def admin(secure_kafka):
    return AdminClient({**secure_kafka.client_config(), "logger": QUIET_LOGGER})


@pytest.fixture(scope="module")
def application(secure_kafka, admin):
    """An application's user with a password full of quotes, backslashes and
    separators, and the ACLs of one that writes and reads its own topics and groups."""
    name = f"app-{uuid.uuid4().hex[:8]}"
    password = 'p"\\=:#! ' + secrets.token_urlsafe(8)
    principal = f"User:{name}"
    topics = [f"profiles-{family}-{uuid.uuid4().hex[:6]}" for family in ("librdkafka", "java")]
    admin.alter_user_scram_credentials(
        [UserScramCredentialUpsertion(name, ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password.encode())],
        request_timeout=10)[name].result(15)
    for future in admin.create_topics([NewTopic(topic, 3, 1) for topic in topics]).values():
        future.result(30)
    allowed = [(ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, operation)
               for topic in topics for operation in (AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE)]
    allowed += [(ResourceType.GROUP, f"{name}-", ResourcePatternType.PREFIXED, AclOperation.READ),
                (ResourceType.BROKER, "kafka-cluster", ResourcePatternType.LITERAL, AclOperation.IDEMPOTENT_WRITE)]
    acls = [AclBinding(restype, resource, pattern, principal, "*", operation, AclPermissionType.ALLOW)
            for restype, resource, pattern, operation in allowed]
    for future in admin.create_acls(acls, request_timeout=10).values():
        future.result(15)
    connection = {**secure_kafka.module_params(), "sasl_username": name, "sasl_password": password}
    yield {"name": name, "connection": connection, "topics": dict(zip(("librdkafka", "java"), topics))}
    admin.delete_acls([AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, principal, None,
                                        AclOperation.ANY, AclPermissionType.ANY)], request_timeout=10)
    admin.alter_user_scram_credentials([UserScramCredentialDeletion(name, ScramMechanism.SCRAM_SHA_512)],
                                       request_timeout=10)[name].result(15)
    delete_topics(admin, topics)


def test_librdkafka_profiles_produce_and_consume_through_the_secured_broker(application):
    topic = application["topics"]["librdkafka"]
    sent = []
    for name in sorted(PROFILES["producer"]):
        producer = Producer({**client_profile(application["connection"], "producer", name), "logger": QUIET_LOGGER})
        errors = []
        for number in range(MESSAGES_PER_PRODUCER):
            value = f"{name}-{number}"
            producer.produce(topic, value.encode(), on_delivery=lambda error, _message: error and errors.append(error))
            sent.append(value)
        assert producer.flush(30) == 0 and errors == [], name
    for name in sorted(PROFILES["consumer"]):
        group = f"{application['name']}-{name}"
        config = client_profile(application["connection"], "consumer", name, settings={"group.id": group})
        assert sorted(consume(Consumer({**config, "logger": QUIET_LOGGER}), topic, len(sent))) == sorted(sent), name


def test_librdkafka_refuses_what_the_profiles_leave_out(application):
    """The Java-only keys of the guide would make confluent-kafka refuse the profile."""
    config = client_profile(application["connection"], "producer", "high_throughput")
    with pytest.raises(KafkaException, match="buffer.memory"):
        Producer({**config, "buffer.memory": 67108864})


def consume(consumer, topic, expected, timeout=60):
    """The values read from the start of `topic` until `expected` came or `timeout` seconds passed."""
    consumer.subscribe([topic])
    values = []
    try:
        for _second in range(timeout):
            for message in consumer.consume(expected, timeout=1.0):
                assert message.error() is None, message.error()
                values.append(message.value().decode())
            if len(values) >= expected:
                break
    finally:
        consumer.close()
    return values


def java_tool(tmp_path, main, config_option, config, *args, stdin=None):
    """A console tool of the staged Kafka release with `config` as its client
    configuration file; (its stdout, what it logged)."""
    properties = tmp_path / f"{uuid.uuid4().hex[:8]}.properties"
    properties.write_text(java_properties(config))
    log = tmp_path / f"{properties.stem}.log"
    log4j = tmp_path / f"{properties.stem}-log4j.properties"
    log4j.write_text(LOG4J.format(path=log))
    proc = subprocess.run(java_cmd(kafka_home(), 256, main, config_option, properties, *args, log4j=log4j,
                                   logs_dir=tmp_path),
                          input=stdin, capture_output=True, text=True, timeout=120, check=False)
    logged = log.read_text() if log.exists() else ""
    assert proc.returncode == 0, f"{main} failed ({proc.returncode}):\n{proc.stderr}\n{logged}"
    return proc.stdout, logged


def test_java_profiles_produce_and_consume_through_the_secured_broker(application, tmp_path):
    topic = application["topics"]["java"]
    bootstrap = application["connection"]["bootstrap_servers"]
    sent = []
    for name in sorted(PROFILES["producer"]):
        lines = [f"{name}-{number}" for number in range(MESSAGES_PER_PRODUCER)]
        config = client_profile(application["connection"], "producer", name, "java")
        _output, logged = java_tool(tmp_path, "kafka.tools.ConsoleProducer", "--producer.config", config,
                                    "--bootstrap-server", bootstrap, "--topic", topic, stdin="\n".join(lines) + "\n")
        # The client logged its configuration, so it would have logged an unknown key too.
        assert "ProducerConfig values" in logged and UNKNOWN_KEY_WARNING not in logged, (name, logged)
        sent += lines
    for name in sorted(PROFILES["consumer"]):
        config = client_profile(application["connection"], "consumer", name, "java",
                                settings={"group.id": f"{application['name']}-java-{name}"})
        read, logged = java_tool(tmp_path, "org.apache.kafka.tools.consumer.ConsoleConsumer", "--consumer.config",
                                 config, "--bootstrap-server", bootstrap, "--topic", topic,
                                 "--max-messages", str(len(sent)), "--timeout-ms", "60000")
        assert "ConsumerConfig values" in logged and UNKNOWN_KEY_WARNING not in logged, (name, logged)
        assert sorted(read.splitlines()) == sorted(sent), name
