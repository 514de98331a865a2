"""The operational playbooks, run through the real `ansible-playbook` against
the fixture broker (and, for an offline partition, a two-broker cluster of
their own with one broker stopped)."""
import json
import os
import pathlib
import subprocess
import sys
import time
import uuid

import pytest
from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, Producer, TopicCollection, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import wait_until
from tests.bench.services import KafkaBroker, ZooKeeper
from tests.bench.versions import ROOT

BIN = pathlib.Path(sys.executable).parent
RECORDS = {0: 10, 1: 12, 2: 14}


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def run_playbook(playbook, inventory=None, **extra_vars):
    """ansible-playbook as an operator runs it; returns (return code, JSON callback output)."""
    argv = [str(BIN / "ansible-playbook"), playbook] + (["-i", str(inventory)] if inventory else [])
    for name, value in extra_vars.items():
        argv += ["-e", json.dumps({name: value}) if isinstance(value, dict) else f"{name}={value}"]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False, env={
        **os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_STDOUT_CALLBACK": "json",
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    try:
        return proc.returncode, json.loads(proc.stdout)
    except ValueError:
        raise AssertionError(f"{playbook} printed no JSON (rc {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")


def task_result(output, task):
    for play in output["plays"]:
        for entry in play["tasks"]:
            if entry["task"]["name"] == task:
                return entry["hosts"]["localhost"]
    raise AssertionError(f"no task {task!r} ran")


def messages(output, task):
    """The `msg` lines a task printed, one per loop item."""
    result = task_result(output, task)
    return [item["msg"] for item in result["results"]] if "results" in result else [result["msg"]]


class Group:
    """A 3-partition topic holding 10, 12 and 14 records, record i at BASE + i
    minutes (BASE an hour ago), and a group a real consumer commits for."""

    def __init__(self, bootstrap):
        self.bootstrap = bootstrap
        self.admin = AdminClient({"bootstrap.servers": bootstrap})
        self.topic, self.name = unique("ops"), unique("group")
        self.admin.create_topics([NewTopic(self.topic, len(RECORDS), 1)])[self.topic].result(30)
        self.base_ms = (int(time.time()) - 3600) * 1000
        producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
        for partition, count in RECORDS.items():
            for i in range(count):
                producer.produce(self.topic, value=b"event", partition=partition,
                                 timestamp=self.base_ms + i * 60000)
        assert producer.flush(30) == 0

    def join(self):
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": self.name,
                             "enable.auto.commit": False})
        consumer.subscribe([self.topic])

        def assigned():
            consumer.poll(0.2)
            return len(consumer.assignment()) == len(RECORDS)

        assert wait_until(assigned, 30, interval=0), "the consumer got no assignment"
        return consumer

    def commit_as_member(self, offsets):
        consumer = self.join()
        try:
            consumer.commit(offsets=[TopicPartition(self.topic, p, o) for p, o in offsets.items()],
                            asynchronous=False)
        finally:
            consumer.close()

    def committed(self):
        request = [ConsumerGroupTopicPartitions(self.name, [TopicPartition(self.topic, p) for p in RECORDS])]
        answer = self.admin.list_consumer_group_offsets(request)[self.name].result(30)
        return dict((entry.partition, entry.offset) for entry in answer.topic_partitions)


@pytest.fixture
def group(kafka):
    committed = Group(kafka.bootstrap)
    committed.commit_as_member({0: 3, 1: 5, 2: 7})
    return committed


PLAN = "Plan the new offsets, and write them when execute is true"
SHOW_PLAN = "Show each partition's offset before and after"
OUTCOME = "Say whether the offsets were written"


def test_reset_offsets_is_a_dry_run_unless_execute_is_true(kafka, group):
    args = dict(bootstrap_servers=kafka.bootstrap, group=group.name, topic=group.topic, strategy="earliest")
    rc, output = run_playbook("playbooks/reset_offsets.yml", **args)
    assert rc == 0
    assert task_result(output, PLAN)["changed"] is True
    assert messages(output, SHOW_PLAN) == [f"{group.topic} partition {p}: {o} -> 0" for p, o in [(0, 3), (1, 5), (2, 7)]]
    assert messages(output, OUTCOME) == [
        f"Dry run: nothing written to group {group.name}; run again with -e execute=true to write."]
    assert group.committed() == {0: 3, 1: 5, 2: 7}

    rc, output = run_playbook("ecommerce.kafka.reset_offsets", execute="true", **args)
    assert rc == 0
    assert messages(output, OUTCOME) == [f"Offsets of group {group.name} written."]
    assert group.committed() == {0: 0, 1: 0, 2: 0}

    rc, output = run_playbook("playbooks/reset_offsets.yml", execute="true", **args)
    assert rc == 0
    assert task_result(output, PLAN)["changed"] is False


@pytest.mark.parametrize("strategy, value, expected", [
    ("latest", None, {0: 10, 1: 12, 2: 14}),
    ("datetime", lambda group: time.strftime("%Y-%m-%dT%H:%M:%S.000", time.gmtime(group.base_ms / 1000 + 270)),
     {0: 5, 1: 5, 2: 5}),
    ("offset", lambda group: "11", {0: 10, 1: 11, 2: 11}),
    ("shift_by", lambda group: "-2", {0: 1, 1: 3, 2: 5}),
    ("duration", lambda group: "PT55M30S", {0: 5, 1: 5, 2: 5}),
])
def test_reset_offsets_strategies_with_their_value(kafka, group, strategy, value, expected):
    args = dict(bootstrap_servers=kafka.bootstrap, group=group.name, topic=group.topic, strategy=strategy,
                execute="true")
    if value:
        args["value"] = value(group)
    rc, output = run_playbook("playbooks/reset_offsets.yml", **args)
    assert rc == 0, task_result(output, PLAN).get("msg")
    assert group.committed() == expected


def test_reset_offsets_needs_its_extra_vars(kafka):
    rc, output = run_playbook("playbooks/reset_offsets.yml", bootstrap_servers=kafka.bootstrap, group="g",
                              topic="t", strategy="offset")
    assert rc == 2
    assert task_result(output, "Check that the group, the topic and the strategy are given")["msg"].startswith(
        "Pass -e group=GROUP -e topic=TOPIC")


def test_reset_offsets_refused_while_the_group_has_members(kafka, group):
    consumer = group.join()
    try:
        rc, output = run_playbook("playbooks/reset_offsets.yml", bootstrap_servers=kafka.bootstrap,
                                  group=group.name, topic=group.topic, strategy="earliest", execute="true")
    finally:
        consumer.close()
    assert rc == 2
    assert task_result(output, PLAN)["msg"] == (
        f"group {group.name} is active (state Stable, 1 members): stop its consumers first")
    assert group.committed() == {0: 3, 1: 5, 2: 7}


def test_consumer_lag_prints_each_partition_then_the_total(kafka, group):
    rc, output = run_playbook("ecommerce.kafka.consumer_lag", bootstrap_servers=kafka.bootstrap, group=group.name)
    assert rc == 0
    assert messages(output, "Show the lag of each partition") == [
        f"{group.topic} partition 0: committed 3, log end 10, lag 7",
        f"{group.topic} partition 1: committed 5, log end 12, lag 7",
        f"{group.topic} partition 2: committed 7, log end 14, lag 7",
    ]
    assert messages(output, "Show the total lag of the group") == [
        f"group {group.name} (Empty): total lag 21 over 3 partitions"]


def test_consumer_lag_of_one_topic_and_of_a_group_without_offsets(kafka, group):
    rc, output = run_playbook("playbooks/consumer_lag.yml", bootstrap_servers=kafka.bootstrap, group=group.name,
                              topic=group.topic)
    assert rc == 0
    assert len(messages(output, "Show the lag of each partition")) == 3

    rc, output = run_playbook("playbooks/consumer_lag.yml", bootstrap_servers=kafka.bootstrap, group="nobody")
    assert rc == 0
    assert messages(output, "Show the total lag of the group") == ["group nobody (Dead): total lag 0 over 0 partitions"]


GATE_SHOW = "Show the lag of each group against its threshold"
GATE_FAIL = "Fail when a group lags more than its threshold"


def test_lag_gate_fails_on_a_lagging_group_and_passes_once_it_caught_up(kafka, group):
    rc, output = run_playbook("ecommerce.kafka.consumer_lag_gate", bootstrap_servers=kafka.bootstrap,
                              lag_thresholds={group.name: 20})
    assert rc == 2
    failure = task_result(output, GATE_FAIL)["msg"]
    assert failure[0] == "1 of 1 consumer groups are over their lag threshold or have no committed offset:"
    assert failure[1].split() == ["group", "state", "lag", "threshold", "verdict", "worst", "partition"]
    assert failure[2].split() == [group.name, "Empty", "21", "20", "OVER", f"{group.topic}/0", "lag", "7"]

    group.commit_as_member(dict(RECORDS))
    rc, output = run_playbook("ecommerce.kafka.consumer_lag_gate", bootstrap_servers=kafka.bootstrap,
                              lag_thresholds={group.name: 20})
    assert rc == 0, output
    assert task_result(output, GATE_SHOW)["msg"][1].split() == [group.name, "Empty", "0", "20", "ok", "-"]
    assert task_result(output, GATE_FAIL)["skipped"] is True


def test_lag_gate_fails_on_a_group_without_offsets_and_on_bad_thresholds(kafka, group):
    rc, output = run_playbook("ecommerce.kafka.consumer_lag_gate", bootstrap_servers=kafka.bootstrap,
                              lag_thresholds={group.name: 100, "misspelt-group": 100})
    assert rc == 2
    [offender] = task_result(output, GATE_FAIL)["msg"][2:]
    assert offender.split() == ["misspelt-group", "Dead", "0", "100", "NO", "OFFSETS", "-"]

    rc, output = run_playbook("ecommerce.kafka.consumer_lag_gate", bootstrap_servers=kafka.bootstrap,
                              lag_thresholds={group.name: "lots"})
    assert rc == 2
    assert task_result(output, "Check the thresholds")["msg"].startswith("Pass -e @FILE")


def test_cluster_status_of_the_fixture(kafka, group):
    rc, output = run_playbook("ecommerce.kafka.cluster_status", bootstrap_servers=kafka.bootstrap)
    assert rc == 0
    cluster_id = task_result(output, "Read the brokers, the topics and the consumer groups")["cluster_id"]
    assert messages(output, "Show the cluster and its controller") == [
        f"cluster {cluster_id}: 1 brokers, controller {kafka.broker_id}"]
    assert messages(output, "Show each broker") == [f"broker {kafka.broker_id} at {kafka.bootstrap} (controller)"]
    assert messages(output, "Show the partition health of the topics")[0].endswith(
        ": 0 under-replicated and 0 offline partitions")
    assert task_result(output, "Show the topics with under-replicated or offline partitions")["skipped"] is True
    assert f"group {group.name}: Empty, 0 members, lag 21" in messages(output, "Show each consumer group")
    assert messages(output, "Check that no partition is offline") == ["Every partition has a leader."]


def broker_inventory(path, broker, protocol, **variables):
    """An environment's inventory whose one broker is `broker`, at the address
    its kafka_broker_* variables give, as inventories/prod gives them."""
    host, port = broker.bootstrap.rsplit(":", 1)
    path.write_text(json.dumps({"all": {"children": {"kafka_broker": {"hosts": {"fixture-broker": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
        "kafka_broker_id": broker.broker_id, "kafka_broker_advertised_host": host,
        "kafka_broker_listeners": {"CLIENTS": {"port": int(port), "protocol": protocol}},
        "kafka_broker_client_listener": "CLIENTS", **variables}}}}}}))
    return path


@pytest.fixture
def fixture_inventory(kafka, tmp_path):
    return broker_inventory(tmp_path / "hosts.yml", kafka, "PLAINTEXT")


def test_ops_playbooks_talk_to_the_inventorys_cluster(kafka, group, fixture_inventory):
    """No -e bootstrap_servers: each playbook reads the fixture cluster, named only by the inventory."""
    rc, output = run_playbook("ecommerce.kafka.cluster_status", inventory=fixture_inventory)
    assert rc == 0, output
    assert messages(output, "Show each broker") == [f"broker {kafka.broker_id} at {kafka.bootstrap} (controller)"]

    rc, output = run_playbook("ecommerce.kafka.consumer_lag", inventory=fixture_inventory, group=group.name)
    assert rc == 0, output
    assert messages(output, "Show the total lag of the group") == [
        f"group {group.name} (Empty): total lag 21 over 3 partitions"]

    rc, output = run_playbook("ecommerce.kafka.reset_offsets", inventory=fixture_inventory, group=group.name,
                              topic=group.topic, strategy="earliest")
    assert rc == 0, output
    assert messages(output, OUTCOME) == [
        f"Dry run: nothing written to group {group.name}; run again with -e execute=true to write."]


def test_cluster_status_of_a_secured_inventory_connects_as_its_admin(secure_kafka, tmp_path):
    """SASL_SSL with SCRAM and the CA from the inventory: no PLAINTEXT back door,
    and the password in no output."""
    inventory = broker_inventory(tmp_path / "hosts.yml", secure_kafka, "SASL_SSL",
                                 kafka_broker_admin_password=secure_kafka.passwords["admin"],
                                 kafka_broker_admin_ca_file=str(secure_kafka.ca))
    rc, output = run_playbook("ecommerce.kafka.cluster_status", inventory=inventory)
    assert rc == 0, output
    assert messages(output, "Show each broker") == [
        f"broker {secure_kafka.broker_id} at {secure_kafka.bootstrap} (controller)"]
    assert secure_kafka.passwords["admin"] not in json.dumps(output)


def test_ops_playbooks_name_the_missing_cluster(tmp_path):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(json.dumps({"all": {"hosts": {"elsewhere": {"ansible_connection": "local"}}}}))
    rc, output = run_playbook("ecommerce.kafka.cluster_status", inventory=inventory)
    assert rc == 2
    assert task_result(output, "Check that there is a cluster to talk to")["msg"] == (
        "The inventory has no host in the `kafka_broker` group: pass the environment's inventory "
        "(-i inventories/prod) or -e bootstrap_servers=HOST:PORT,...")


DEGRADED_GROUP = "degraded-group"


@pytest.fixture(scope="module")
def degraded_cluster(tmp_path_factory):
    """Two brokers, a topic replicated on both and one only on broker 1, each
    with 4 records and a group committed at 1, then broker 1 stopped: one
    under-replicated and one offline partition. __consumer_offsets lives on
    broker 0 only, so the group stays readable."""
    workdir = tmp_path_factory.mktemp("degraded")
    zookeeper = ZooKeeper(workdir / "zookeeper").start()
    brokers = []
    try:
        brokers.append(KafkaBroker(workdir / "kafka0", zookeeper, broker_id=0).start())
        wait_for_group_coordinator(brokers[0].bootstrap)
        brokers.append(KafkaBroker(workdir / "kafka1", zookeeper, broker_id=1).start())
        fill_and_commit(brokers[0].bootstrap)
        brokers[1].stop()
        wait_for_offline_partition(brokers[0].bootstrap)
        yield brokers[0]
    finally:
        for service in brokers[::-1] + [zookeeper]:
            service.stop()


# The clients below live only inside their function, so none is left trying
# to reach a stopped broker.

def wait_for_group_coordinator(bootstrap):
    """Until __consumer_offsets exists, on the only broker so far."""
    admin = AdminClient({"bootstrap.servers": bootstrap})

    def coordinator_ready():
        try:
            admin.describe_consumer_groups([DEGRADED_GROUP], request_timeout=2)[DEGRADED_GROUP].result(5)
        except Exception:  # __consumer_offsets is still being created
            return False
        return True

    assert wait_until(coordinator_ready, 60), "no group coordinator on broker 0"


def fill_and_commit(bootstrap):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic("mirrored", 1, 2), NewTopic("stranded", 1, replica_assignment=[[1]])])
    for future in futures.values():
        future.result(30)
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for topic in ("mirrored", "stranded"):
        for sequence in range(4):
            producer.produce(topic, key=str(sequence), value=b"event")
    assert producer.flush(30) == 0
    commit = [ConsumerGroupTopicPartitions(DEGRADED_GROUP, [TopicPartition("mirrored", 0, 1),
                                                            TopicPartition("stranded", 0, 1)])]
    admin.alter_consumer_group_offsets(commit)[DEGRADED_GROUP].result(30)


def wait_for_offline_partition(bootstrap):
    admin = AdminClient({"bootstrap.servers": bootstrap})

    def degraded():
        topics = admin.describe_topics(TopicCollection(["mirrored", "stranded"]))
        mirrored, stranded = (topics[name].result(30).partitions[0] for name in ("mirrored", "stranded"))
        return len(mirrored.isr) == 1 and stranded.leader is None

    assert wait_until(degraded, 60), "stopping broker 1 left no offline partition"


def test_kafka_info_counts_the_degraded_partitions(run_module, degraded_cluster):
    result = run_module("kafka_info", bootstrap_servers=degraded_cluster.bootstrap, gather=["topics"])
    assert not result.get("failed"), result.get("msg")
    assert (result["under_replicated_partitions"], result["offline_partitions"]) == (1, 1)
    assert [(topic["name"], topic["replication_factor"], topic["under_replicated_partitions"],
             topic["offline_partitions"]) for topic in result["topics"] if not topic["internal"]] == [
        ("mirrored", 2, 1, 0), ("stranded", 1, 0, 1)]


def test_kafka_info_leaves_an_offline_partition_out_of_the_lag(run_module, degraded_cluster):
    result = run_module("kafka_info", bootstrap_servers=degraded_cluster.bootstrap, gather=["consumer_groups"],
                        lag_per_partition=True)
    assert not result.get("failed"), result.get("msg")
    assert result["consumer_groups"] == [dict(name=DEGRADED_GROUP, state="Empty", members=0, total_lag=3, partitions=[
        dict(topic="mirrored", partition=0, committed=1, log_end=4, lag=3),
        dict(topic="stranded", partition=0, committed=1, log_end=None, lag=None),
    ])]
    [warning] = [entry["event"]["msg"] for entry in result["warnings"]]
    assert warning.startswith("lag left out of the totals: log end unreadable: topic stranded partition 0 (")


def test_consumer_lag_and_reset_with_an_offline_partition(degraded_cluster):
    rc, output = run_playbook("playbooks/consumer_lag.yml", bootstrap_servers=degraded_cluster.bootstrap,
                              group=DEGRADED_GROUP)
    assert rc == 0
    assert messages(output, "Show the lag of each partition") == [
        "mirrored partition 0: committed 1, log end 4, lag 3",
        "stranded partition 0: committed 1, log end unknown, lag none",
    ]
    assert messages(output, "Show the total lag of the group") == [
        f"group {DEGRADED_GROUP} (Empty): total lag 3 over 2 partitions"]

    rc, output = run_playbook("playbooks/reset_offsets.yml", bootstrap_servers=degraded_cluster.bootstrap,
                              group=DEGRADED_GROUP, topic="stranded", strategy="earliest")
    assert rc == 2
    assert task_result(output, PLAN)["msg"].startswith(
        f"group {DEGRADED_GROUP}: cannot plan a reset without the log start and end: topic stranded partition 0 (")


def test_cluster_status_fails_when_a_partition_is_offline(degraded_cluster):
    rc, output = run_playbook("playbooks/cluster_status.yml", bootstrap_servers=degraded_cluster.bootstrap)
    assert rc == 2
    assert messages(output, "Show the topics with under-replicated or offline partitions") == [
        "topic mirrored: 1 under-replicated and 0 offline of 1 partitions",
        "topic stranded: 0 under-replicated and 1 offline of 1 partitions",
    ]
    assert messages(output, "Show each consumer group") == [f"group {DEGRADED_GROUP}: Empty, 0 members, lag 3"]
    assert task_result(output, "Check that no partition is offline")["msg"] == (
        "1 partitions have no leader, in topics stranded")
