"""The molecule scenarios' probes (tests/probes/) run as the scenarios run
them, the venv's Python with the script and its argv, against the session's
real ZooKeeper, broker and registry: the exit code, the JSON or the lines each
prints on success, and the reason it gives on failure.

The bench is one standalone ZooKeeper and one broker, so the arguments fit it
(broker id 0, replication factor and min.insync.replicas 1). Only the prod
scenario's three-broker ensemble shows the success of `zookeeper-ensemble` (a
leader among followers) and of `rolling-restart` (brokers restarted under the
writer); tests/unit/test_probes_helpers.py judges synthetic restarts instead."""
import json
import os
import subprocess
import sys
import time
import uuid

import pytest
import yaml
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

from tests.bench.services import delete_subjects, delete_topics, free_port
from tests.bench.versions import ROOT

PROBES = ROOT / "tests" / "probes"
TOPIC_TABLE = yaml.safe_load((ROOT / "roles" / "kafka_topics" / "defaults" / "main.yml").read_text())[
    "kafka_topics_table"]
SCHEMAS = ROOT / "roles" / "kafka_topics" / "files"
# Apicurio's answer when no global compatibility rule is set, as on the bench's registry.
REGISTRY_DEFAULT_COMPATIBILITY = "NONE"


def run_probe(script, *argv, timeout=300):
    return subprocess.run([sys.executable, str(PROBES / script), *map(str, argv)],
                          capture_output=True, text=True, timeout=timeout, check=False)


def cluster_probe(*argv):
    return run_probe("cluster_probe.py", *argv)


def succeeded(proc):
    """The JSON report a passing cluster_probe.py check prints."""
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def failed(proc, command):
    """The one-line reason a failing cluster_probe.py check gives, without its command prefix."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    reason = proc.stderr.strip().splitlines()[-1]
    assert reason.startswith(f"{command}: "), proc.stderr
    return reason[len(command) + 2:]


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def admin(kafka):
    return AdminClient({"bootstrap.servers": kafka.bootstrap})


def create_topic(admin, topic, timeout=60):
    """A topic of the same name that an earlier test deleted may still be marked
    for deletion a moment after the metadata stopped listing it; its name frees up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return admin.create_topics([topic])[topic.topic].result(30)
        except KafkaException as exc:
            if "marked for deletion" not in exc.args[0].str() or time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@pytest.fixture
def new_topics(admin):
    """Creates topics for one test; the session broker is shared, so they are deleted after."""
    created = []

    def create(*topics):
        for topic in topics:
            create_topic(admin, topic)
            created.append(topic.topic)

    yield create
    delete_topics(admin, created)


@pytest.fixture
def probe_topic(admin):
    """A name for the topic that read-back and produce-continuously create themselves."""
    name = unique("probe")
    yield name
    delete_topics(admin, [name])


# --- zookeeper-ensemble ----------------------------------------------------------------------------
# ZooKeeper answers ruok, the bench's readiness probe, before it serves srvr;
# once the broker has registered in it, it serves.

@pytest.mark.usefixtures("kafka")
def test_zookeeper_ensemble_refuses_a_standalone_server(zookeeper):
    node = f"127.0.0.1:{zookeeper.port}"
    proc = cluster_probe("zookeeper-ensemble", "--nodes", node)
    assert failed(proc, "zookeeper-ensemble") == (
        f"the ensemble must have exactly one leader and only followers besides: {{'{node}': 'standalone'}}")
    assert json.loads(proc.stdout) == {"leaders": [], "modes": {node: "standalone"}}


@pytest.mark.usefixtures("kafka")
def test_zookeeper_ensemble_names_a_member_that_does_not_answer(zookeeper):
    dead = f"127.0.0.1:{free_port()}"
    proc = cluster_probe("zookeeper-ensemble", "--nodes", f"127.0.0.1:{zookeeper.port},{dead}")
    assert failed(proc, "zookeeper-ensemble").startswith(f"ZooKeeper {dead} did not answer srvr: ")
    assert proc.stdout == ""


# --- brokers ---------------------------------------------------------------------------------------

def test_brokers_reports_the_cluster_as_expected(kafka):
    report = succeeded(cluster_probe("brokers", "--bootstrap", kafka.bootstrap, "--expect", "0=127.0.0.1"))
    assert report == {"brokers": {"0": kafka.bootstrap}, "controller": 0, "count": 1}


def test_brokers_refuses_a_missing_broker(kafka):
    proc = cluster_probe("brokers", "--bootstrap", kafka.bootstrap, "--expect", "0=127.0.0.1,1=127.0.0.1")
    assert failed(proc, "brokers") == ("the cluster reports brokers (id=advertised host) {'0': '127.0.0.1'}, "
                                       "expected {'0': '127.0.0.1', '1': '127.0.0.1'}")
    assert json.loads(proc.stdout)["count"] == 1


# --- topics ----------------------------------------------------------------------------------------

def test_topics_reports_replication_and_min_insync_replicas(kafka, new_topics):
    name = unique("topics")
    new_topics(NewTopic(name, 2, 1))
    report = succeeded(cluster_probe("topics", "--bootstrap", kafka.bootstrap, "--topics", name,
                                     "--replication-factor", 1, "--min-insync-replicas", 1))
    assert report == {name: {"partitions": 2, "replication_factors": [1], "isr_sizes": [1],
                             "min.insync.replicas": "1", "min.insync.replicas source": "DEFAULT_CONFIG"}}


def test_topics_names_every_mismatch(kafka, new_topics):
    name = unique("topics")
    new_topics(NewTopic(name, 1, 1))
    proc = cluster_probe("topics", "--bootstrap", kafka.bootstrap, "--topics", name,
                         "--replication-factor", 3, "--min-insync-replicas", 2)
    assert failed(proc, "topics") == (f"expected replication factor 3 and min.insync.replicas 2: "
                                      f"{name} has replication factors [1]; {name} has min.insync.replicas 1")
    assert json.loads(proc.stdout)[name]["replication_factors"] == [1]


def test_topics_names_a_missing_topic(kafka):
    name = unique("absent")
    proc = cluster_probe("topics", "--bootstrap", kafka.bootstrap, "--topics", name,
                         "--replication-factor", 1, "--min-insync-replicas", 1)
    assert failed(proc, "topics") == f"topic {name}: Broker: Unknown topic or partition"


# --- read-back -------------------------------------------------------------------------------------

def test_read_back_reads_each_write_from_its_leader(kafka, probe_topic):
    argv = ["read-back", "--bootstrap", kafka.bootstrap, "--topic", probe_topic, "--min-insync-replicas", 1]
    assert succeeded(cluster_probe(*argv)) == {
        "read_back_per_broker": {"0": {"bootstrap": kafka.bootstrap, "partition": 0, "offset": 0}}}
    # A second run finds the probe topic in place and writes after the first run's message.
    assert succeeded(cluster_probe(*argv))["read_back_per_broker"]["0"]["offset"] == 1


def test_read_back_refuses_a_cluster_without_the_promised_min_insync_replicas(kafka, probe_topic):
    proc = cluster_probe("read-back", "--bootstrap", kafka.bootstrap, "--topic", probe_topic,
                         "--min-insync-replicas", 2)
    assert failed(proc, "read-back") == (
        f"probe topic {probe_topic} has min.insync.replicas 1, the brokers should give it 2")


# --- writable --------------------------------------------------------------------------------------

def test_writable_delivers_to_every_partition(kafka, new_topics):
    name = unique("writable")
    new_topics(NewTopic(name, 2, 1))
    report = succeeded(cluster_probe("writable", "--bootstrap", kafka.bootstrap, "--topic", name,
                                     "--per-partition", 5))
    assert {key: report[key] for key in report if key != "seconds"} == {
        "brokers_in_metadata_at_start": [0], "messages": 10, "delivered": 10, "errors": [],
        "under_replicated_after": 0, "offline_after": 0}


def test_writable_reports_writes_the_broker_refuses(kafka, new_topics):
    # One broker caps min.insync.replicas at the replication factor, so a
    # refused write is had from a topic that takes no message this large.
    name = unique("writable")
    new_topics(NewTopic(name, 2, 1, config={"max.message.bytes": "16"}))
    proc = cluster_probe("writable", "--bootstrap", kafka.bootstrap, "--topic", name, "--per-partition", 2,
                         "--deadline", 30)
    assert failed(proc, "writable") == f"acks=all writes to {name} failed: 4 errors, 0 undelivered"
    report = json.loads(proc.stdout)
    assert (report["delivered"], report["errors"]) == (0, ["Broker: Message size too large"] * 4)


def test_writable_names_a_missing_topic(kafka):
    name = unique("absent")
    proc = cluster_probe("writable", "--bootstrap", kafka.bootstrap, "--topic", name)
    assert failed(proc, "writable") == f"topic {name}: Broker: Unknown topic or partition"


# --- healthy ---------------------------------------------------------------------------------------

def test_healthy_sees_every_broker_and_nothing_under_replicated(kafka):
    report = succeeded(cluster_probe("healthy", "--bootstrap", kafka.bootstrap, "--expect-brokers", 1))
    assert {key: report[key] for key in report if key != "seconds"} == {
        "brokers": [0], "under_replicated": 0, "offline": 0, "sample": []}


def test_healthy_gives_up_at_its_deadline_with_what_it_saw_last(kafka):
    started = time.monotonic()
    proc = cluster_probe("healthy", "--bootstrap", kafka.bootstrap, "--expect-brokers", 3, "--deadline", 3)
    assert time.monotonic() - started < 30
    last_seen = {"brokers": [0], "under_replicated": 0, "offline": 0, "sample": []}
    assert failed(proc, "healthy") == (
        f"3 brokers and no under-replicated or offline partitions within 3s; last seen: {last_seen}")
    assert json.loads(proc.stdout) == last_seen


# --- broker-config ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [[], ["--value", "15000"]], ids=["any-one-value", "the-given-value"])
def test_broker_config_reads_what_every_broker_runs_with(kafka, value):
    report = succeeded(cluster_probe("broker-config", "--bootstrap", kafka.bootstrap,
                                     "--key", "log.cleaner.backoff.ms", *value))
    assert report == {"key": "log.cleaner.backoff.ms", "value": "15000", "values": {"0": "15000"}}


def test_broker_config_refuses_another_value(kafka):
    proc = cluster_probe("broker-config", "--bootstrap", kafka.bootstrap, "--key", "log.cleaner.backoff.ms",
                         "--value", "15001")
    assert failed(proc, "broker-config") == (
        "brokers run with log.cleaner.backoff.ms={'0': '15000'}, expected 15001 everywhere")
    assert json.loads(proc.stdout) == {"key": "log.cleaner.backoff.ms", "values": {"0": "15000"}}


# --- produce-continuously and rolling-restart ------------------------------------------------------

class Writer:
    """produce-continuously started in the background, as side_effect.yml starts it."""

    def __init__(self, folder, bootstrap, topic, watch_pid, *extra):
        folder.mkdir(exist_ok=True)
        self.ready, self.stop, self.report = folder / "ready", folder / "stop", folder / "report.json"
        self.process = subprocess.Popen(
            [sys.executable, str(PROBES / "cluster_probe.py"), "produce-continuously", "--bootstrap", bootstrap,
             "--topic", topic, "--min-insync-replicas", "1", "--ready-file", str(self.ready),
             "--stop-file", str(self.stop), "--report", str(self.report), "--watch-pid", str(watch_pid),
             *map(str, extra)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_until_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while not self.ready.exists():
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, f"no message delivered within {timeout}s"
            time.sleep(0.2)

    def finish(self):
        stdout, stderr = self.process.communicate(timeout=300)
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, stdout, stderr)


def assert_every_write_landed_once(report):
    assert report["sent"] > 0
    assert report["delivered"] == report["read_back"] == report["sent"]
    assert (report["delivery_errors"], report["undelivered"], report["missing"], report["duplicates"],
            report["read_back_error"]) == (0, 0, 0, 0, None)


@pytest.fixture(scope="module")
def writer_report(kafka, admin, tmp_path_factory):
    """One writer run stopped by its stop file, as side_effect.yml stops it: the printed report and the file."""
    topic = unique("probe")
    writer = Writer(tmp_path_factory.mktemp("writer"), kafka.bootstrap, topic, os.getpid())
    try:
        writer.wait_until_ready()
        writer.stop.touch()
        yield succeeded(writer.finish()), writer.report
    finally:
        writer.process.kill()
        delete_topics(admin, [topic])


def test_produce_continuously_writes_until_the_stop_file_and_reads_every_write_back(writer_report):
    printed, report_file = writer_report
    assert printed["stopped_by"] == "stop file"
    assert_every_write_landed_once(printed)
    written = json.loads(report_file.read_text())
    assert {key: written[key] for key in printed} == printed
    # The membership log samples the one broker, never a partition under-replicated.
    assert written["membership"] and all(ids == [0] and urp == 0 for _asked, _answered, ids, urp in written["membership"])


def test_produce_continuously_stops_at_its_bounds(kafka, probe_topic, tmp_path):
    bounded = Writer(tmp_path / "bounded", kafka.bootstrap, probe_topic, os.getpid(), "--max-seconds", 2)
    # Once it has written, the probe topic is there: the second writer does not race it to create the topic.
    bounded.wait_until_ready()
    # The writer's playbook, stood in for by a process that ends.
    playbook = subprocess.Popen(["sleep", "600"])
    try:
        orphaned = Writer(tmp_path / "orphaned", kafka.bootstrap, probe_topic, playbook.pid)
        orphaned.wait_until_ready()
    finally:
        playbook.kill()
        playbook.wait()
    for writer, stopped_by in ((bounded, "max seconds"), (orphaned, "watched process gone")):
        report = succeeded(writer.finish())
        assert report["stopped_by"] == stopped_by
        assert_every_write_landed_once(report)


def test_produce_continuously_refuses_a_cluster_without_the_promised_min_insync_replicas(kafka, probe_topic,
                                                                                         tmp_path):
    proc = cluster_probe("produce-continuously", "--bootstrap", kafka.bootstrap, "--topic", probe_topic,
                         "--min-insync-replicas", 2, "--ready-file", tmp_path / "ready",
                         "--stop-file", tmp_path / "stop", "--report", tmp_path / "report.json",
                         "--watch-pid", os.getpid())
    assert failed(proc, "produce-continuously") == (
        f"probe topic {probe_topic} has min.insync.replicas 1, the brokers should give it 2")
    assert not (tmp_path / "report.json").exists()


def test_rolling_restart_refuses_a_writer_run_with_no_broker_restarted(writer_report):
    printed, report_file = writer_report
    # What `systemctl show` says of a broker that has run since before the writer started.
    unit = "ActiveExitTimestampMonotonic=0\nActiveEnterTimestampMonotonic=1000000\nNRestarts=0"
    proc = cluster_probe("rolling-restart", "--producer-report", report_file, "--systemd", json.dumps({"0": unit}))
    assert failed(proc, "rolling-restart") == (
        "broker 0 did not stop and start while the writer ran; "
        "broker 0 was not seen leave and come back caught up while the writer ran")
    report = json.loads(proc.stdout)
    assert report["writer"] == printed
    assert [restart["broker"] for restart in report["restarts"]] == [0]


def test_rolling_restart_refuses_a_missing_writer_report(tmp_path):
    proc = cluster_probe("rolling-restart", "--producer-report", tmp_path / "report.json", "--systemd", "{}")
    assert failed(proc, "rolling-restart") == f"the writer left no report at {tmp_path / 'report.json'}"


# --- verify_stack.py -------------------------------------------------------------------------------

def verify_stack(kafka, schema_registry, replication_factor=1, compatibility=REGISTRY_DEFAULT_COMPATIBILITY):
    return run_probe("verify_stack.py", "--bootstrap-servers", kafka.bootstrap,
                     "--registry-url", schema_registry.url, "--replication-factor", replication_factor,
                     "--min-insync-replicas", 1, "--compatibility", compatibility)


@pytest.fixture
def topic_table(new_topics, schema_registry):
    """The table's topics and schemas as the kafka_topics role leaves them on a one-broker cluster."""
    new_topics(*(NewTopic(entry["name"], entry["partitions"], 1,
                          config={key: str(value) for key, value in entry["config"].items()})
                 for entry in TOPIC_TABLE))
    registry = SchemaRegistryClient(schema_registry.client_config())
    subjects = {f"{entry['name']}-value": (SCHEMAS / entry["value_schema"]).read_text() for entry in TOPIC_TABLE}
    for subject, text in subjects.items():
        registry.register_schema(subject, Schema(text, "AVRO"))
    yield
    delete_subjects(registry, subjects)


def test_verify_stack_passes_on_a_converged_stack(kafka, schema_registry, topic_table, admin):
    proc = verify_stack(kafka, schema_registry)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    table = len(TOPIC_TABLE)
    assert lines[:table] == [
        f"ok topic {entry['name']}: {entry['partitions']} partitions, RF 1, "
        f"retention.ms {entry['config']['retention.ms']}, min.insync.replicas 1" for entry in TOPIC_TABLE]
    for entry, line in zip(TOPIC_TABLE, lines[table:2 * table]):
        assert line.startswith(f"ok {entry['name']}: an Avro record of {entry['name']}-value version 1 "), line
    assert lines[2 * table:2 * table + 2] == [
        f"ok produced and consumed 5 messages with acks=all through {kafka.bootstrap}",
        f"ok default compatibility level {REGISTRY_DEFAULT_COMPATIBILITY}"]
    assert lines[-2].startswith("ok registered verify-avro-") and lines[-2].endswith(f" at {schema_registry.url}")
    assert lines[-1].startswith("ok Avro message round-tripped through the registry and the broker: ")
    # Its scratch topics go with it.
    assert not [name for name in admin.list_topics(timeout=10).topics if name.startswith("verify-")]


def test_verify_stack_names_the_missing_table_topics(kafka, schema_registry):
    proc = verify_stack(kafka, schema_registry)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"FAILED topics missing from the cluster: {sorted(entry['name'] for entry in TOPIC_TABLE)}" in proc.stderr


def test_verify_stack_refuses_another_replication_factor(kafka, schema_registry, topic_table):
    proc = verify_stack(kafka, schema_registry, replication_factor=3)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    first = TOPIC_TABLE[0]["name"]
    assert f"FAILED {first}: replication factor [1], the environment says 3" in proc.stderr


def test_verify_stack_refuses_another_compatibility_level(kafka, schema_registry, topic_table):
    proc = verify_stack(kafka, schema_registry, compatibility="BACKWARD")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"FAILED default compatibility is {REGISTRY_DEFAULT_COMPATIBILITY}, expected BACKWARD" in proc.stderr


def security_check(secure_kafka, admin_settings, topic, listeners=None):
    return cluster_probe(
        "--client-config", admin_settings, "security", "--bootstrap", secure_kafka.bootstrap, "--topic", topic,
        "--listeners", ",".join(listeners or [secure_kafka.bootstrap, secure_kafka.bootstrap_mutual_tls]),
        "--untrusted-ca", secure_kafka.untrusted_ca)


def test_security_refuses_every_way_in_but_the_admins(secure_kafka, admin_settings):
    admin_client = AdminClient(secure_kafka.client_config())
    topic = unique("probe-security")
    admin_client.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
    try:
        report = succeeded(security_check(secure_kafka, admin_settings, topic))
    finally:
        delete_topics(admin_client, [topic])
    assert report["admin"] is None
    assert set(report["plaintext"]) == {secure_kafka.bootstrap, secure_kafka.bootstrap_mutual_tls}
    assert all(report["plaintext"].values())
    assert "invalid credentials" in report["wrong_password"]
    assert "certificate verify failed" in report["untrusted_ca"]
    assert "Hostname mismatch" in report["wrong_host_name"]
    assert report["no_credentials"]
    assert report["no_acl"]["produce"] == "TOPIC_AUTHORIZATION_FAILED"
    users = admin_client.describe_user_scram_credentials().result(30)
    assert not [user for user in users if user.startswith("cluster-probe-")], "the probe's user is left"


def test_security_names_a_listener_that_lets_plaintext_in(secure_kafka, kafka, admin_settings):
    reason = failed(security_check(secure_kafka, admin_settings, unique("probe-security"),
                                   listeners=[secure_kafka.bootstrap, kafka.bootstrap]), "security")
    assert reason == f"let in: {kafka.bootstrap}"


def test_certificates_reports_each_listeners_serial_and_judges_a_renewal(secure_kafka, admin_settings, tmp_path):
    listeners = [secure_kafka.bootstrap, secure_kafka.bootstrap_mutual_tls]
    report = succeeded(cluster_probe("--client-config", admin_settings, "certificates", "--listeners", ",".join(listeners)))
    assert set(report) == set(listeners)
    assert len({served["serial"] for served in report.values()}) == 1, "one broker, one certificate"
    before = tmp_path / "before.json"
    before.write_text(json.dumps(report))
    reason = failed(cluster_probe("--client-config", admin_settings, "certificates", "--listeners", ",".join(listeners),
                                  "--renewed-since", before), "certificates")
    assert reason == f"still the certificate of before: {', '.join(sorted(listeners))}"
