"""docs/operations.md is run, not only read: every `ansible` and
`ansible-playbook playbooks/...` command of its shell blocks runs, in the
document's order, against the fixture broker (the documented localhost:9092
or production host replaced by the fixture's address). The seed guide's
`docker exec` commands are the seed's, and no container runs here."""
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest
import yaml
from confluent_kafka.admin import AdminClient

from tests.bench.services import delete_topics
from tests.bench.versions import ROOT

DOC = ROOT / "docs" / "operations.md"
BIN = pathlib.Path(sys.executable).parent
TOPIC_TABLE = yaml.safe_load((ROOT / "roles" / "kafka_topics" / "defaults" / "main.yml").read_text())[
    "kafka_topics_table"]
DOCUMENTED_BROKERS = ("localhost:9092", "broker1.kafka.example.com:9092")


def shell_commands(markdown):
    """The commands of the ```bash blocks, continuation lines joined."""
    commands = []
    for block in re.findall(r"^```bash\n(.*?)^```", markdown, re.MULTILINE | re.DOTALL):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.split("  #")[0].strip()
            if line:
                commands.append(line)
    return commands


def runnable(command):
    argv = shlex.split(command)
    return argv[0] == "ansible" or (argv[0] == "ansible-playbook" and argv[1].startswith("playbooks/")
                                    and argv[1] != "playbooks/topics.yml")


DOC_COMMANDS = [command for command in shell_commands(DOC.read_text()) if runnable(command)]


def ansible(argv, bootstrap):
    argv = [_point(arg, bootstrap) for arg in argv]
    if argv[0] == "ansible-playbook" and not any(arg.startswith("bootstrap_servers=") for arg in argv):
        argv += ["-e", f"bootstrap_servers={bootstrap}"]
    return subprocess.run(
        [str(BIN / argv[0]), *argv[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
             "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})


def _point(arg, bootstrap):
    """The argument with the documented broker address replaced by the fixture's."""
    for broker in DOCUMENTED_BROKERS:
        arg = arg.replace(broker, bootstrap)
    return arg


def topics_playbook(bootstrap, registry_url):
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", "inventories/compose", "playbooks/topics.yml",
         "-e", json.dumps({"kafka_topics_connection": {"bootstrap_servers": bootstrap},
                           "kafka_topics_registry_connection": {"registry_url": registry_url}})],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
             "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})


@pytest.fixture
def topic_table_applied(kafka, schema_registry):
    """The table applied as the document assumes, and the broker left without
    the table's topics and the document's own topic afterwards."""
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap})
    names = [entry["name"] for entry in TOPIC_TABLE] + ["my-custom-topic", "my-topic"]
    delete_topics(admin, names)
    applied = topics_playbook(kafka.bootstrap, schema_registry.url)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    yield admin
    delete_topics(admin, names)


def test_document_has_a_command_for_every_recipe():
    assert len(DOC_COMMANDS) >= 12
    for module in ("kafka_topic", "kafka_consumer_offsets", "kafka_info"):
        assert any(f"ecommerce.kafka.{module}" in command for command in DOC_COMMANDS), module
    for playbook in ("consumer_lag", "reset_offsets", "cluster_status"):
        assert any(f"playbooks/{playbook}.yml" in command for command in DOC_COMMANDS), playbook


def test_documented_commands_run_against_a_real_broker(kafka, schema_registry, topic_table_applied):
    for command in DOC_COMMANDS:
        proc = ansible(shlex.split(command), kafka.bootstrap)
        assert proc.returncode == 0, f"{command}\n{proc.stdout}\n{proc.stderr}"

    # What the document says happens to a table topic grown by hand.
    rerun = topics_playbook(kafka.bootstrap, schema_registry.url)
    assert rerun.returncode != 0
    assert "has 6 partitions and Kafka cannot remove partitions (asked for 3)" in rerun.stdout
