"""The collection as its users get it: `ansible-galaxy collection build`, then
`ansible-galaxy collection install` into an empty collections path, then
`ansible-doc` reading the module from that install, not from the checkout."""
import importlib.metadata
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

from tests.bench.versions import ROOT

BIN = pathlib.Path(sys.executable).parent
ANSIBLE_PACKAGE_COLLECTIONS = pathlib.Path(importlib.metadata.distribution("ansible").locate_file("ansible_collections"))
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
# Paths a tarball must never carry: the toolchain, caches and the checkout's
# own self-link would make it huge or resolve the collection twice.
NEVER_PACKED = (".venv/", ".cache/", ".collections/", ".git/", ".ansible/")
# The test bench, the local and compose environments and the development
# tooling: the repository's, not the users'.
NOT_FOR_USERS = ("tests/", "tools/", "extensions/", "inventories/local/", "inventories/compose/",
                 "docker-compose.yml", "Makefile", "ansible.cfg", "pytest.ini", ".ci/")


def isolated_env(tmp_path, collections_path):
    """An environment in which only `collections_path` can provide ecommerce.kafka:
    a config of its own (the checkout's ansible.cfg points at .collections) and
    no Python path into the checkout."""
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\n")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ANSIBLE_") and key != "PYTHONPATH"}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", ANSIBLE_CONFIG=str(config),
               ANSIBLE_COLLECTIONS_PATH=str(collections_path),
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_NOCOLOR="1",
               HOME=str(tmp_path))
    return env


def run(argv, cwd, env):
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, f"{' '.join(map(str, argv))} failed ({proc.returncode}):\n" \
                                 f"{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def build(tmp_path):
    out = tmp_path / "dist"
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", out, str(ROOT)],
        cwd=tmp_path, env=isolated_env(tmp_path, tmp_path / "unused"))
    tarball = out / f"{GALAXY['namespace']}-{GALAXY['name']}-{GALAXY['version']}.tar.gz"
    assert tarball.is_file(), f"no {tarball.name} in {sorted(p.name for p in out.iterdir())}"
    return tarball


def test_tarball_holds_the_collection_and_nothing_of_the_workstation(tmp_path):
    tarball = build(tmp_path)
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("MANIFEST.json"))
    assert manifest["collection_info"]["version"] == GALAXY["version"]
    for expected in ("plugins/modules/kafka_topic.py", "plugins/module_utils/kafka.py",
                     "meta/runtime.yml", "README.md", "LICENSE", "inventories/prod/hosts.yml"):
        assert expected in names
    assert not [name for name in names if name.startswith(NEVER_PACKED)]
    assert not [name for name in names if name.startswith(NOT_FOR_USERS)]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The built tarball installed into an empty collections path: (collection folder, env, cwd)."""
    tmp_path = tmp_path_factory.mktemp("galaxy")
    tarball = build(tmp_path)
    collections = tmp_path / "collections"
    env = isolated_env(tmp_path, collections)
    # This machine has no Galaxy server: the dependencies galaxy.yml declares
    # are copied from the `ansible` package, as an install of them would lay
    # them out, so that the tarball's install finds them satisfied.
    for dependency in GALAXY["dependencies"]:
        namespace, name = dependency.split(".")
        shutil.copytree(ANSIBLE_PACKAGE_COLLECTIONS / namespace / name,
                        collections / "ansible_collections" / namespace / name)
    run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-p", collections, tarball],
        cwd=tmp_path, env=env)
    return collections / "ansible_collections" / "ecommerce" / "kafka", env, tmp_path


def test_installed_tarball_documents_kafka_topic(installed):
    collection, env, cwd = installed
    doc = json.loads(run([BIN / "ansible-doc", "--json", "ecommerce.kafka.kafka_topic"],
                         cwd=cwd, env=env))["ecommerce.kafka.kafka_topic"]
    assert pathlib.Path(doc["doc"]["filename"]).resolve().is_relative_to(collection.resolve())
    assert doc["doc"]["collection"] == "ecommerce.kafka"
    assert {"bootstrap_servers", "name", "topics", "state"} <= set(doc["doc"]["options"])

    text = run([BIN / "ansible-doc", "ecommerce.kafka.kafka_topic"], cwd=cwd, env=env)
    assert "ecommerce.kafka.kafka_topic" in text
    assert "EXAMPLES:" in text


def test_installed_playbooks_and_roles_resolve_from_the_collection(installed):
    """README: `ansible-playbook -i my-inventory ecommerce.kafka.site` once installed."""
    collection, env, cwd = installed
    for playbook, inventory in (("site", collection / "inventories" / "prod"),
                                ("topics", collection / "inventories" / "prod"),
                                ("cluster_status", None)):
        argv = [BIN / "ansible-playbook", f"ecommerce.kafka.{playbook}", "--syntax-check"]
        out = run(argv + (["-i", inventory] if inventory else []), cwd=cwd, env=env)
        assert str(collection / "playbooks" / f"{playbook}.yml") in out

    role = json.loads(run([BIN / "ansible-doc", "-t", "role", "--json", "ecommerce.kafka.kafka_topics"],
                          cwd=cwd, env=env))
    assert "kafka_topics_replication_factor" in role["ecommerce.kafka.kafka_topics"]["entry_points"]["main"][
        "options"]
