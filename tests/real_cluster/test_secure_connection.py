"""The modules' connection options against the session's SASL_SSL broker: who
is let in, who is refused and with which message, and that no secret reaches
a module's result or its stderr.

librdkafka keeps retrying a refused connection, so a module reports it when
its request times out: these calls wait REQUEST_TIMEOUT seconds at most."""
import json
import secrets
import uuid

import pytest
from confluent_kafka.admin import AdminClient

from tests.bench.services import ADDRESS_NOT_IN_CERTIFICATE
from tests.real_cluster.module_results import succeeded

REQUEST_TIMEOUT = 2
WRONG_PASSWORD = "wrong-" + secrets.token_urlsafe(8)
NO_SASL = dict(sasl_mechanism=None, sasl_username=None, sasl_password=None)


@pytest.fixture
def connect(secure_kafka, run_module_unbound):
    """connect(module, user="admin", **changes) -> result: the module run with
    `user`'s options for the secured broker, `changes` applied (None leaves an
    option out). Whatever the outcome, no secret may show in the result."""
    def run(module, user="admin", **changes):
        options = {**secure_kafka.module_params(user), "request_timeout": REQUEST_TIMEOUT, **changes}
        result = run_module_unbound(module, **{key: value for key, value in options.items() if value is not None})
        shown = json.dumps(result)  # the runner keeps the module's stderr in the result
        for secret in [*secure_kafka.passwords.values(), secure_kafka.client_key_password, WRONG_PASSWORD]:
            assert secret not in shown, f"a secret is in the result of {module}"
        return result
    return run


def refused(result, bootstrap, *causes):
    """The module failed in one line that names the brokers and each cause."""
    assert result.get("failed"), result
    message = result["msg"]
    assert message.startswith(f"cluster at {bootstrap}: brokers {bootstrap} "), message
    assert "\n" not in message and "exception" not in result and "Traceback" not in result["_stderr"]
    for cause in causes:
        assert cause in message, message


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-512", "PLAIN"])
def test_admin_connects(connect, secure_kafka, mechanism):
    result = succeeded(connect("kafka_info", sasl_mechanism=mechanism))
    assert result["brokers"] == [dict(id=secure_kafka.broker_id, host="127.0.0.1", port=secure_kafka.port, rack=None)]


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-512", "PLAIN"])
def test_a_wrong_password_is_refused_as_an_authentication_failure(connect, secure_kafka, mechanism):
    result = connect("kafka_info", sasl_mechanism=mechanism, sasl_password=WRONG_PASSWORD)
    refused(result, secure_kafka.bootstrap, "Authentication failed")


@pytest.mark.parametrize("changes", [
    pytest.param(dict(security_protocol="SSL", **NO_SASL), id="tls-without-sasl"),
    pytest.param(dict(security_protocol="PLAINTEXT", ssl_ca_location=None, **NO_SASL), id="plaintext"),
])
def test_a_client_without_credentials_is_refused(connect, secure_kafka, changes):
    refused(connect("kafka_info", **changes), secure_kafka.bootstrap)


def test_a_broker_certificate_from_an_unrelated_ca_is_refused(connect, secure_kafka):
    result = connect("kafka_info", ssl_ca_location=str(secure_kafka.untrusted_ca))
    refused(result, secure_kafka.bootstrap, "certificate verify failed")


def test_a_broker_address_outside_its_certificate_is_refused_unless_unchecked(connect, secure_kafka):
    """The same SASL_SSL listener on 127.0.0.2, which the broker certificate
    (localhost, 127.0.0.1) does not name. The certificate is trusted, so the
    host name check is what refuses it: unchecked, the same call succeeds."""
    bootstrap = secure_kafka.bootstrap_not_in_certificate
    refused(connect("kafka_info", bootstrap_servers=bootstrap), bootstrap, "certificate verify failed")

    unchecked = succeeded(connect("kafka_info", bootstrap_servers=bootstrap, ssl_check_hostname=False))
    assert [(broker["host"], broker["port"]) for broker in unchecked["brokers"]] == [
        (ADDRESS_NOT_IN_CERTIFICATE, secure_kafka.port_not_in_certificate)]


def test_app_connects_but_may_not_create_a_topic(connect, secure_kafka):
    succeeded(connect("kafka_info", user="app"))

    name = f"secure-{uuid.uuid4().hex[:10]}"
    result = connect("kafka_topic", user="app", name=name, partitions=1)
    assert result.get("failed"), result
    assert result["msg"].startswith(f"topic {name}: TOPIC_AUTHORIZATION_FAILED"), result["msg"]
    assert name not in AdminClient(secure_kafka.client_config()).list_topics(timeout=10).topics


def test_mutual_tls_needs_the_client_certificate(connect, secure_kafka):
    """The brokers' own listener is the one that asks clients for a certificate
    from the CA: ssl_certificate_location, ssl_key_location, ssl_key_password."""
    bootstrap = secure_kafka.bootstrap_mutual_tls
    tls = dict(bootstrap_servers=bootstrap, security_protocol="SSL", **NO_SASL)
    succeeded(connect("kafka_info", **tls, ssl_certificate_location=str(secure_kafka.client_certificate),
                      ssl_key_location=str(secure_kafka.client_key),
                      ssl_key_password=secure_kafka.client_key_password))

    refused(connect("kafka_info", **tls), bootstrap, "certificate")


@pytest.mark.parametrize("changes, option", [
    pytest.param(lambda broker: dict(ssl_ca_location=str(broker.tls_dir / "no-such-ca.pem")),
                 "ssl.ca.location", id="missing-ca-file"),
    pytest.param(lambda broker: dict(ssl_certificate_location=str(broker.client_certificate),
                                     ssl_key_location=str(broker.client_key), ssl_key_password=WRONG_PASSWORD),
                 "ssl.key.location", id="wrong-key-password"),
])
def test_unusable_tls_files_fail_in_one_line(connect, secure_kafka, changes, option):
    """librdkafka reads them as the client is made, before any connection."""
    result = connect("kafka_info", **changes(secure_kafka))
    assert result.get("failed"), result
    message = result["msg"]
    assert message.startswith(f"brokers {secure_kafka.bootstrap}: the client cannot be set up: "), message
    assert option in message and "\n" not in message and "Traceback" not in result["_stderr"]
