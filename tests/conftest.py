"""Session fixtures: a real ZooKeeper, Kafka broker and Apicurio Registry.

A missing archive or a service that does not come up is an error, never a
skip. When a test fails, the tail of each service log is attached to its
report so the broker's own explanation is in the pytest output.
"""
import pytest
from ansible.plugins.loader import init_plugin_loader

from tests.bench.services import Apicurio, KafkaBroker, ZooKeeper, tail
from tests.bench.versions import ROOT

# Ansible's collection loader, as ansible-playbook sets it up, before any test
# imports the collection: the roles' variables call its filters (ecommerce.kafka.*).
init_plugin_loader([str(ROOT / ".collections")])

_started = []


@pytest.fixture(scope="session")
def zookeeper(tmp_path_factory):
    service = ZooKeeper(tmp_path_factory.mktemp("zookeeper"))
    _started.append(service)
    yield service.start()
    service.stop()


@pytest.fixture(scope="session")
def kafka(zookeeper, tmp_path_factory):
    service = KafkaBroker(tmp_path_factory.mktemp("kafka"), zookeeper)
    _started.append(service)
    yield service.start()
    service.stop()


@pytest.fixture(scope="session")
def schema_registry(kafka, tmp_path_factory):
    service = Apicurio(tmp_path_factory.mktemp("apicurio"), kafka)
    _started.append(service)
    yield service.start()
    service.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and _started:
        for service in _started:
            log = getattr(service, "log_file", service.log)
            report.sections.append((f"{service.name} log", tail(log)))
    return report
