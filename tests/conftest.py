"""Session fixtures: a real ZooKeeper, a plaintext and a secured Kafka broker,
and Apicurio Registry, on plain HTTP and behind the role's HTTPS proxy.

A missing archive or a service that does not come up is an error, never a
skip. When a test fails, the tail of each service log is attached to its
report so the broker's own explanation is in the pytest output.
"""
import pytest
from ansible.plugins.loader import init_plugin_loader

from tests.bench.services import Apicurio, KafkaBroker, RegistryTlsProxy, SecureKafkaBroker, ZooKeeper, tail
from tests.bench.versions import ROOT

# Ansible's collection loader, as ansible-playbook sets it up, before any test
# imports the collection: the roles' variables call its filters (ecommerce.kafka.*).
init_plugin_loader([str(ROOT / ".collections")])

_started = []


def _serve(service):
    """Run a service for the session; its log joins the report of every failing test."""
    _started.append(service)
    try:
        yield service.start()
    finally:  # a service that failed to come up may still have its process running
        service.stop()


@pytest.fixture(scope="session")
def zookeeper(tmp_path_factory):
    yield from _serve(ZooKeeper(tmp_path_factory.mktemp("zookeeper")))


@pytest.fixture(scope="session")
def kafka(zookeeper, tmp_path_factory):
    yield from _serve(KafkaBroker(tmp_path_factory.mktemp("kafka"), zookeeper))


@pytest.fixture(scope="session")
def secure_kafka(zookeeper, tmp_path_factory):
    """A cluster of its own on the same ZooKeeper: SASL_SSL, mutual TLS between
    brokers, ACLs. Its users are in `passwords`; module_params(user) and
    client_config(user) connect as one of them."""
    yield from _serve(SecureKafkaBroker(tmp_path_factory.mktemp("kafka-secure"), zookeeper))


@pytest.fixture(scope="session")
def schema_registry(kafka, tmp_path_factory):
    yield from _serve(Apicurio(tmp_path_factory.mktemp("apicurio"), kafka))


@pytest.fixture(scope="session")
def secure_schema_registry(schema_registry, tmp_path_factory):
    """The same registry through HTTPS with client certificates: HAProxy with
    the schema_registry role's configuration in front of `schema_registry`.
    module_params() and client_config() are the admin's, with a certificate of
    the proxy's CA (`ca`)."""
    yield from _serve(RegistryTlsProxy(tmp_path_factory.mktemp("haproxy"), schema_registry))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and _started:
        for service in _started:
            log = getattr(service, "log_file", service.log)
            report.sections.append((f"{service.name} log", tail(log)))
    return report
