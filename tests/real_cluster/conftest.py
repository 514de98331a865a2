"""Run the collection's modules for real, as Ansible would: a separate Python
process that reads its arguments from a file and prints one JSON result."""
import json
import os
import subprocess
import sys

import pytest

from tests.bench.versions import ROOT

COLLECTIONS = ROOT / ".collections"


class ModuleRunner:
    def __init__(self, tmp_path, connection=None):
        self.tmp_path = tmp_path
        self.connection = connection or {}
        self.calls = 0

    def __call__(self, module, check=False, diff=False, **args):
        """The runner's connection options, each unless the call gives its own."""
        args = {**self.connection, **args, "_ansible_check_mode": check, "_ansible_diff": diff}
        self.calls += 1
        args_file = self.tmp_path / f"{module}-{self.calls}.json"
        args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
        path = ROOT / "plugins" / "modules" / f"{module}.py"
        proc = subprocess.run(
            [sys.executable, str(path), str(args_file)], capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(COLLECTIONS)}, timeout=600, check=False)
        try:
            result = json.loads(proc.stdout)
        except ValueError:
            raise AssertionError(f"{module} printed no JSON (rc {proc.returncode}):\n"
                                 f"{proc.stdout}\n{proc.stderr}")
        result["_stderr"] = proc.stderr
        return result


BROKERS = {"plaintext": "kafka", "sasl_ssl": "secure_kafka"}
REGISTRIES = {"http": "schema_registry", "https": "secure_schema_registry"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "on_both_brokers: each test that uses `cluster` runs once per session broker, "
                   "plaintext and sasl_ssl")
    config.addinivalue_line(
        "markers", "on_both_registries: each test that uses `registry_server` runs once per session registry, "
                   "http and https (with a client certificate)")


def pytest_generate_tests(metafunc):
    if "cluster" in metafunc.fixturenames and metafunc.definition.get_closest_marker("on_both_brokers"):
        metafunc.parametrize("cluster", list(BROKERS), indirect=True)
    if ("registry_server" in metafunc.fixturenames
            and metafunc.definition.get_closest_marker("on_both_registries")):
        metafunc.parametrize("registry_server", list(REGISTRIES), indirect=True)


@pytest.fixture
def cluster(request):
    """The session broker a test talks to: the plaintext one, or each in turn
    under the on_both_brokers mark. Its client_config() is for librdkafka
    clients, its module_params() for the modules."""
    return request.getfixturevalue(BROKERS[getattr(request, "param", "plaintext")])


@pytest.fixture
def registry_server(request):
    """The session registry a test talks to: the plain HTTP one, or each in
    turn under the on_both_registries mark. Its client_config() is for
    SchemaRegistryClient, its module_params() for the registry modules."""
    return request.getfixturevalue(REGISTRIES[getattr(request, "param", "http")])


@pytest.fixture
def run_module(cluster, tmp_path):
    """run_module('kafka_topic', name=..., check=True, diff=True) -> result dict,
    connected to `cluster` as its admin."""
    return ModuleRunner(tmp_path, cluster.module_params())


@pytest.fixture
def run_module_unbound(tmp_path):
    """A runner that adds no connection option: the test passes all of them,
    for a broker of its own or to try the connection options themselves."""
    return ModuleRunner(tmp_path)


@pytest.fixture
def admin_settings(secure_kafka, tmp_path):
    """The admin's security settings, as the file --client-config reads."""
    settings = secure_kafka.client_config()
    del settings["bootstrap.servers"]
    path = tmp_path / "admin.json"
    path.write_text(json.dumps(settings))
    return path
