"""The registry connection options of kafka_schema against the HTTPS registry
(HAProxy with the schema_registry role's configuration): a client without the
admin's certificate, or one that does not trust the registry's, is refused,
and the module says so in one line naming the registry and the cause. The
admin's own certificate is let in: test_kafka_schema.py runs its main cases
through the proxy too."""
import pytest

from tests.bench.services import write_client_pair
from tests.bench.tls import CertificateAuthority
from tests.real_cluster.module_results import assert_failed
from tests.real_cluster.test_kafka_schema import ORDER

SUBJECT = "orders-value"
# Far below the module's default, so that a refusal that shows only as a
# timeout would fail these tests quickly rather than hang them.
TIMEOUT = 10


@pytest.fixture
def connect(secure_schema_registry, run_module_unbound):
    """connect(**changes) -> result: kafka_schema registering SUBJECT with the
    admin's options for the HTTPS registry, `changes` applied (None leaves an
    option out)."""
    def run(**changes):
        options = {**secure_schema_registry.module_params(), "registry_timeout": TIMEOUT, **changes}
        return run_module_unbound("kafka_schema", subject=SUBJECT, schema=ORDER,
                                  **{key: value for key, value in options.items() if value is not None})
    return run


def refused(result, url, cause):
    """The module failed in one line that names the registry and the cause."""
    assert_failed(result, f"subject {SUBJECT}: the TLS handshake with registry {url} failed: ", cause)


def test_a_client_without_a_certificate_is_refused(connect, secure_schema_registry):
    result = connect(registry_certificate_location=None, registry_key_location=None)
    refused(result, secure_schema_registry.url, "alert certificate required")


def test_a_client_certificate_from_another_ca_is_refused(connect, secure_schema_registry, tmp_path):
    stranger = CertificateAuthority("an unrelated CA").issue("schema-registry-admin")
    certificate, key = write_client_pair(stranger, tmp_path / "stranger.pem", tmp_path / "stranger.key")
    result = connect(registry_certificate_location=str(certificate), registry_key_location=str(key))
    refused(result, secure_schema_registry.url, "alert unknown ca")


def test_without_the_registry_ca_the_system_cas_do_not_verify_its_certificate(connect, secure_schema_registry):
    refused(connect(registry_ca_location=None), secure_schema_registry.url, "certificate verify failed")


def test_plain_http_to_the_https_port_is_refused(connect, secure_schema_registry):
    """HAProxy drops a connection that does not start a TLS handshake, without a word."""
    url = secure_schema_registry.url.replace("https://", "http://")
    assert_failed(connect(registry_url=url), f"subject {SUBJECT}: registry {url} closed the connection without an "
                  "answer, as an HTTPS port does to plain HTTP: is the URL https://?")
