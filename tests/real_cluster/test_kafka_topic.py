"""kafka_topic against real brokers: the session's fixture brokers, plaintext
and SASL_SSL, and for the policy and authorization errors a broker of this
module's own with SASL, ACLs and a CreateTopicPolicy (a policy cannot be
switched on at run time)."""
import json
import shutil
import subprocess
import time
import uuid

import pytest
from confluent_kafka import KafkaException, TopicCollection
from confluent_kafka.admin import (
    AclBinding, AclOperation, AclPermissionType, AdminClient, ConfigResource, ConfigSource, NewTopic,
    ResourcePatternType, ResourceType)

from tests.bench.services import QUIET_LOGGER, KafkaBroker, free_port, kafka_home
from tests.real_cluster.module_results import assert_failed

SEED_TOPICS = [  # kafka-configuration-guide.md: partitions and retention of the platform topics
    ("raw-events", 3, 604800000),
    ("inventory-changes", 2, 2592000000),
    ("fraud-scores", 2, 604800000),
    ("recommendations", 2, 86400000),
    ("business-metrics", 1, 2592000000),
]
pytestmark = pytest.mark.on_both_brokers


def unique(prefix="it"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def admin(cluster):
    return AdminClient(cluster.client_config())


def describe(admin, name):
    """(partitions, replication factor, overrides) as the broker reports them, or None."""
    try:
        topic = admin.describe_topics(TopicCollection([name]), request_timeout=10)[name].result(15)
    except KafkaException as exc:
        if exc.args[0].name() == "UNKNOWN_TOPIC_OR_PART":
            return None
        raise
    resource = ConfigResource(ResourceType.TOPIC, name)
    entries = admin.describe_configs([resource], request_timeout=10)[resource].result(15)
    overrides = {key: entry.value for key, entry in entries.items()
                 if entry.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value}
    return len(topic.partitions), len(topic.partitions[0].replicas), overrides


def describe_error(admin, name):
    try:
        admin.describe_topics(TopicCollection([name]), request_timeout=10)[name].result(15)
    except KafkaException as exc:
        return exc.args[0].name()
    return None


def create(admin, name, partitions=1, config=None):
    admin.create_topics([NewTopic(name, partitions, 1, config=config or {})])[name].result(30)
    return name


def only(result):
    assert not result.get("failed"), result
    [topic] = result["topics"]
    return topic


# --- create, re-run, check mode -------------------------------------------------------------------

def test_create_then_rerun_is_unchanged(run_module, admin):
    name = unique()
    args = dict(name=name, partitions=3, replication_factor=1, config={"retention.ms": 604800000})
    created = run_module("kafka_topic", **args)
    assert created["changed"]
    assert only(created) == dict(name=name, state="present", partitions=3, replication_factor=1,
                                 config={"retention.ms": "604800000"}, actions=["create"])
    assert describe(admin, name) == (3, 1, {"retention.ms": "604800000"})

    again = run_module("kafka_topic", **args)
    assert not again["changed"]
    assert only(again)["actions"] == []


def test_create_without_replication_factor_reports_broker_default(run_module, admin):
    name = unique()
    assert only(run_module("kafka_topic", name=name, partitions=1))["replication_factor"] == 1
    assert describe(admin, name)[1] == 1


def test_check_mode_create_predicts_and_creates_nothing(run_module, admin):
    name = unique()
    args = dict(name=name, partitions=2, config={"cleanup.policy": "compact"})
    checked = run_module("kafka_topic", check=True, **args)
    assert checked["changed"] and only(checked)["actions"] == ["create"]
    assert describe(admin, name) is None

    applied = run_module("kafka_topic", **args)
    assert applied["changed"] and applied["topics"] == checked["topics"]


def test_check_mode_alter_predicts_and_changes_nothing(run_module, admin):
    name = create(admin, unique(), partitions=2, config={"retention.ms": "1000", "segment.ms": "600000"})
    args = dict(name=name, partitions=4, config={"retention.ms": 2000, "segment.ms": None})
    checked = run_module("kafka_topic", check=True, **args)
    assert checked["changed"]
    assert only(checked)["actions"] == ["set retention.ms=2000", "remove segment.ms", "add partitions 2 -> 4"]
    assert describe(admin, name) == (2, 1, {"retention.ms": "1000", "segment.ms": "600000"})

    applied = run_module("kafka_topic", **args)
    assert applied["topics"] == checked["topics"]
    assert describe(admin, name) == (4, 1, {"retention.ms": "2000"})


def test_check_mode_delete_predicts_and_deletes_nothing(run_module, admin):
    name = create(admin, unique())
    checked = run_module("kafka_topic", check=True, name=name, state="absent")
    assert checked["changed"] and only(checked)["actions"] == ["delete"]
    assert describe(admin, name) == (1, 1, {})


def test_check_mode_is_validated_by_the_broker(run_module, admin):
    name = unique()
    result = run_module("kafka_topic", check=True, name=name, partitions=1, config={"retention.ms": "soon"})
    assert_failed(result, f"topic {name}:", "INVALID_CONFIG", "retention.ms")
    assert describe(admin, name) is None


# --- diff -----------------------------------------------------------------------------------------

def test_diff_shows_before_and_after(run_module, admin):
    name = create(admin, unique(), partitions=1, config={"retention.ms": "1000"})
    result = run_module("kafka_topic", diff=True, name=name, partitions=2,
                        config={"retention.ms": 2000, "cleanup.policy": ["compact", "delete"]})
    assert result["diff"] == {
        "before": {name: {"state": "present", "partitions": 1, "replication_factor": 1,
                          "config": {"retention.ms": "1000"}}},
        "after": {name: {"state": "present", "partitions": 2, "replication_factor": 1,
                         "config": {"retention.ms": "2000", "cleanup.policy": "compact,delete"}}},
    }
    unchanged = run_module("kafka_topic", diff=True, name=name, partitions=2)
    assert unchanged["diff"] == {"before": {}, "after": {}}

    deleted = run_module("kafka_topic", diff=True, check=True, name=name, state="absent")
    assert deleted["diff"]["after"] == {name: {"state": "absent"}}


# --- partitions -----------------------------------------------------------------------------------

def test_partition_increase(run_module, admin):
    name = create(admin, unique(), partitions=3)
    result = run_module("kafka_topic", name=name, partitions=6)
    assert result["changed"] and only(result)["actions"] == ["add partitions 3 -> 6"]
    assert describe(admin, name)[0] == 6


def test_partition_decrease_is_refused_before_anything_is_sent(run_module, admin):
    name = create(admin, unique(), partitions=3)
    result = run_module("kafka_topic", name=name, partitions=2, config={"retention.ms": 1000})
    assert_failed(result, f"topic {name}: has 3 partitions and Kafka cannot remove partitions (asked for 2)")
    assert not result["changed"]
    assert describe(admin, name) == (3, 1, {})


def test_replication_factor_change_is_refused(run_module, admin):
    name = create(admin, unique())
    result = run_module("kafka_topic", name=name, replication_factor=2)
    assert_failed(result, f"topic {name}: replication_factor is 1 and cannot be changed to 2",
                  "kafka-reassign-partitions")


# --- configuration --------------------------------------------------------------------------------

def test_config_set_change_and_remove_with_null(run_module, admin):
    name = create(admin, unique())
    set_result = run_module("kafka_topic", name=name, config={"retention.ms": 86400000})
    assert only(set_result)["actions"] == ["set retention.ms=86400000"]
    assert describe(admin, name)[2] == {"retention.ms": "86400000"}

    change = run_module("kafka_topic", name=name, config={"retention.ms": 172800000, "segment.ms": 3600000})
    assert only(change)["actions"] == ["set retention.ms=172800000", "set segment.ms=3600000"]
    assert describe(admin, name)[2] == {"retention.ms": "172800000", "segment.ms": "3600000"}

    remove = run_module("kafka_topic", name=name, config={"retention.ms": None})
    assert only(remove)["actions"] == ["remove retention.ms"]
    assert only(remove)["config"] == {"segment.ms": "3600000"}
    assert describe(admin, name)[2] == {"segment.ms": "3600000"}

    assert not run_module("kafka_topic", name=name, config={"retention.ms": None})["changed"]


def test_unlisted_overrides_are_kept_unless_config_purge(run_module, admin):
    name = create(admin, unique(), config={"retention.ms": "1000", "segment.ms": "600000"})
    kept = run_module("kafka_topic", name=name, config={"retention.ms": 1000})
    assert not kept["changed"]

    purged = run_module("kafka_topic", name=name, config={"retention.ms": 1000}, config_purge=True)
    assert only(purged)["actions"] == ["remove segment.ms"]
    assert describe(admin, name)[2] == {"retention.ms": "1000"}

    emptied = run_module("kafka_topic", name=name, config_purge=True)
    assert only(emptied)["actions"] == ["remove retention.ms"]
    assert describe(admin, name)[2] == {}


@pytest.mark.parametrize("first, second", [
    ({"unclean.leader.election.enable": True}, {"unclean.leader.election.enable": "true"}),
    ({"unclean.leader.election.enable": "True"}, {"unclean.leader.election.enable": True}),
    ({"retention.ms": 604800000}, {"retention.ms": "604800000"}),
    ({"min.cleanable.dirty.ratio": "0.50"}, {"min.cleanable.dirty.ratio": 0.5}),
    ({"cleanup.policy": ["compact", "delete"]}, {"cleanup.policy": "compact,delete"}),
    ({"cleanup.policy": "compact, delete"}, {"cleanup.policy": ["compact", "delete"]}),
])
def test_equivalent_values_are_not_a_change(run_module, admin, first, second):
    name = unique()
    assert run_module("kafka_topic", name=name, partitions=1, config=first)["changed"]
    again = run_module("kafka_topic", name=name, partitions=1, config=second)
    assert not again["changed"], again["topics"]
    [(key, value)] = describe(admin, name)[2].items()
    assert again["topics"][0]["config"] == {key: value}


def test_list_order_is_a_change(run_module, admin):
    name = create(admin, unique(), config={"cleanup.policy": "compact,delete"})
    result = run_module("kafka_topic", name=name, config={"cleanup.policy": ["delete", "compact"]})
    assert only(result)["actions"] == ["set cleanup.policy=delete,compact"]


# --- deletion -------------------------------------------------------------------------------------

def test_delete_waits_until_gone_and_missing_is_ok(run_module, admin):
    name = create(admin, unique(), partitions=2)
    deleted = run_module("kafka_topic", name=name, state="absent")
    assert deleted["changed"]
    assert only(deleted) == dict(name=name, state="absent", partitions=None, replication_factor=None,
                                 config={}, actions=["delete"])
    assert describe(admin, name) is None

    missing = run_module("kafka_topic", name=name, state="absent")
    assert not missing["changed"] and only(missing)["actions"] == []


# --- errors ---------------------------------------------------------------------------------------

def test_unknown_config_key_on_create(run_module, admin):
    name = unique()
    result = run_module("kafka_topic", name=name, partitions=1, config={"retention.mss": 1000})
    assert_failed(result, f"topic {name}:", "Unknown topic config name: retention.mss")
    assert describe(admin, name) is None


def test_unknown_config_key_on_alter(run_module, admin):
    name = create(admin, unique())
    result = run_module("kafka_topic", name=name, partitions=2, config={"retention.ms": 5, "no.such.key": "x"})
    assert_failed(result, f"topic {name}:", "Unknown topic config name: no.such.key")
    assert describe(admin, name) == (1, 1, {})


def test_replication_factor_larger_than_live_brokers(run_module, admin):
    name = unique()
    result = run_module("kafka_topic", name=name, partitions=1, replication_factor=3)
    assert_failed(result, f"topic {name}: replication_factor 3 is larger than the 1 live broker")
    assert describe(admin, name) is None


def test_unreachable_brokers_within_the_timeout(run_module):
    name = unique()
    result = run_module("kafka_topic", bootstrap_servers=f"127.0.0.1:{free_port()}", request_timeout=2,
                        name=name, partitions=1)
    assert_failed(result, f"topic {name}: brokers 127.0.0.1:", "could not be reached within 2s")


@pytest.mark.parametrize("bad_name, cause", [
    ("raw events", "the name contains ' '"),
    ("x" * 250, "Kafka allows 249"),
    ("..", "'.' and '..' are not topic names"),
])
def test_invalid_name_is_refused_before_anything_is_sent(run_module, admin, bad_name, cause):
    good = unique()
    result = run_module("kafka_topic", partitions=1, topics=[{"name": good}, {"name": bad_name}])
    assert_failed(result, f"topic {bad_name!r}: ", cause)
    assert describe(admin, good) is None


def test_invalid_name_fails_even_without_a_broker(run_module):
    result = run_module("kafka_topic", bootstrap_servers="127.0.0.1:1", name="a/b", partitions=1)
    assert_failed(result, "topic 'a/b': the name contains '/'")


# --- a table in one call --------------------------------------------------------------------------

def test_seed_table_in_one_call(run_module, admin):
    suffix = uuid.uuid4().hex[:6]
    table = [dict(name=f"{name}-{suffix}", partitions=partitions, config={"retention.ms": retention})
             for name, partitions, retention in SEED_TOPICS]
    created = run_module("kafka_topic", replication_factor=1, topics=table, diff=True)
    assert created["changed"]
    assert [topic["actions"] for topic in created["topics"]] == [["create"]] * 5
    assert sorted(created["diff"]["after"]) == sorted(entry["name"] for entry in table)
    for (_name, partitions, retention), entry in zip(SEED_TOPICS, table):
        assert describe(admin, entry["name"]) == (partitions, 1, {"retention.ms": str(retention)})

    assert not run_module("kafka_topic", topics=table)["changed"]


def test_mixed_table_in_one_call(run_module, admin):
    grow = create(admin, unique(), partitions=1)
    keep = create(admin, unique(), partitions=1, config={"retention.ms": "1000"})
    drop = create(admin, unique())
    new, missing = unique(), unique()
    result = run_module("kafka_topic", partitions=1, config={"retention.ms": 1000}, topics=[
        {"name": grow, "partitions": 2},
        {"name": keep},
        {"name": drop, "state": "absent"},
        {"name": new, "config": {"segment.ms": 600000}},
        {"name": missing, "state": "absent"},
    ])
    assert result["changed"]
    assert {topic["name"]: topic["actions"] for topic in result["topics"]} == {
        grow: ["set retention.ms=1000", "add partitions 1 -> 2"], keep: [], drop: ["delete"],
        new: ["create"], missing: []}
    assert describe(admin, grow) == (2, 1, {"retention.ms": "1000"})
    assert describe(admin, drop) is None
    assert describe(admin, new) == (1, 1, {"retention.ms": "1000", "segment.ms": "600000"})


def test_one_refused_topic_stops_the_whole_table(run_module, admin):
    shrink = create(admin, unique(), partitions=2)
    new = unique()
    result = run_module("kafka_topic", topics=[{"name": new, "partitions": 1}, {"name": shrink, "partitions": 1}])
    assert_failed(result, f"topic {shrink}: has 2 partitions")
    assert describe(admin, new) is None


# --- a table large enough to be split over several connections --------------------------------------

def table_on_broker(admin, names):
    """{name: (partitions, retention.ms)} of the listed topics that exist, in two batch requests."""
    listed = admin.list_topics(timeout=15).topics
    present = [name for name in names if name in listed]
    if not present:
        return {}
    resources = {name: ConfigResource(ResourceType.TOPIC, name) for name in present}
    configs = admin.describe_configs(list(resources.values()), request_timeout=30)
    return {name: (len(listed[name].partitions), configs[resources[name]].result(30)["retention.ms"].value)
            for name in present}


def test_large_table_is_validated_whole_then_changed_whole(run_module, admin):
    names = [f"{unique('split')}-{index:03d}" for index in range(250)]
    table = [{"name": name, "config": {"retention.ms": 3600000}} for name in names]
    last_refused = table[:-1] + [{"name": names[-1], "config": {"retention.ms": 3600000, "no.such.key": 1}}]

    refused = run_module("kafka_topic", partitions=1, replication_factor=1, topics=last_refused)
    assert_failed(refused, f"topic {names[-1]}:", "Unknown topic config name: no.such.key")
    assert table_on_broker(admin, names) == {}

    created = run_module("kafka_topic", partitions=1, replication_factor=1, topics=table)
    assert created["changed"] and table_on_broker(admin, names) == dict.fromkeys(names, (1, "3600000"))
    for topic in table:
        topic["config"]["retention.ms"] = 7200000
    altered = run_module("kafka_topic", partitions=2, topics=table)
    assert altered["changed"] and table_on_broker(admin, names) == dict.fromkeys(names, (2, "7200000"))
    assert not run_module("kafka_topic", partitions=2, topics=table)["changed"]

    deleted = run_module("kafka_topic", state="absent", topics=[{"name": name} for name in names], diff=True)
    assert deleted["diff"]["before"] == dict.fromkeys(names, dict(
        state="present", partitions=2, replication_factor=1, config={"retention.ms": "7200000"}))
    assert table_on_broker(admin, names) == {}


# --- policy and authorization, on a broker that enforces them -------------------------------------

POLICY = """
import java.util.Map;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.server.policy.CreateTopicPolicy;

public class ReservedPrefixPolicy implements CreateTopicPolicy {
    public void configure(Map<String, ?> configs) {}
    public void close() {}
    public void validate(RequestMetadata request) {
        if (request.topic().startsWith("reserved-")) {
            throw new PolicyViolationException("topics named reserved-* belong to the platform team");
        }
    }
}
"""
ADMIN_SECRET, APP_SECRET = "admin-" + uuid.uuid4().hex, "app-" + uuid.uuid4().hex


class GuardedBroker(KafkaBroker):
    """SASL/PLAIN users `admin` (super user) and `app`, ACLs, and a CreateTopicPolicy."""

    name = "kafka-guarded"

    def client_config(self, user="admin", password=ADMIN_SECRET):
        return {"bootstrap.servers": self.bootstrap, "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanism": "PLAIN", "sasl.username": user, "sasl.password": password,
                # These clients outlive the broker; their reconnect complaints would end up in the test output.
                "logger": QUIET_LOGGER}

    def module_params(self, user="admin", password=ADMIN_SECRET):
        return dict(bootstrap_servers=self.bootstrap, security_protocol="SASL_PLAINTEXT",
                    sasl_mechanism="PLAIN", sasl_username=user, sasl_password=password)

    def security_properties(self):
        jaas = ('org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" '
                f'password="{ADMIN_SECRET}" user_admin="{ADMIN_SECRET}" user_app="{APP_SECRET}";')
        return [
            f"listeners=SASL_PLAINTEXT://127.0.0.1:{self.port}",
            "security.inter.broker.protocol=SASL_PLAINTEXT",
            "sasl.mechanism.inter.broker.protocol=PLAIN",
            "sasl.enabled.mechanisms=PLAIN",
            f"listener.name.sasl_plaintext.plain.sasl.jaas.config={jaas}",
            "authorizer.class.name=kafka.security.authorizer.AclAuthorizer",
            "super.users=User:admin",
            "create.topic.policy.class.name=ReservedPrefixPolicy",
        ]

    def start(self):
        self.policy_classes = self.workdir / "policy"
        self.policy_classes.mkdir()
        source = self.policy_classes / "ReservedPrefixPolicy.java"
        source.write_text(POLICY)
        javac = shutil.which("javac")
        assert javac, "javac (a JDK) is needed to build the broker's CreateTopicPolicy"
        subprocess.run([javac, "-cp", str(kafka_home() / "libs" / "*"), "-d", str(self.policy_classes), str(source)],
                       check=True, capture_output=True)
        return super().start()

    def spawn(self, argv, **kwargs):
        # The broker loads the policy from its class path.
        argv[argv.index("-cp") + 1] += f":{self.policy_classes}"
        super().spawn(argv, **kwargs)


@pytest.fixture(scope="module")
def guarded(zookeeper, tmp_path_factory):
    broker = GuardedBroker(tmp_path_factory.mktemp("kafka-guarded"), zookeeper)
    try:
        yield broker.start()
    finally:
        broker.stop()


@pytest.mark.parametrize("check", [True, False])
def test_policy_violation(run_module_unbound, guarded, check):
    name = unique("reserved")
    result = run_module_unbound("kafka_topic", check=check, name=name, partitions=1, replication_factor=1,
                                **guarded.module_params())
    assert_failed(result, f"topic {name}: POLICY_VIOLATION", "topics named reserved-* belong to the platform team")
    assert describe(AdminClient(guarded.client_config()), name) is None


def test_policy_allows_other_names(run_module_unbound, guarded):
    name = unique()
    result = run_module_unbound("kafka_topic", name=name, partitions=1, **guarded.module_params())
    assert only(result)["actions"] == ["create"]


def test_authorization_failure_names_the_topic_and_hides_the_password(run_module_unbound, guarded):
    name = unique("app")
    result = run_module_unbound("kafka_topic", name=name, partitions=1, replication_factor=1,
                                **guarded.module_params("app", APP_SECRET))
    assert_failed(result, f"topic {name}: TOPIC_AUTHORIZATION_FAILED")
    assert APP_SECRET not in json.dumps(result) + result["_stderr"]


def test_authorization_failure_on_create_when_only_describe_is_granted(run_module_unbound, guarded):
    prefix = unique("app")
    admin = AdminClient(guarded.client_config())
    acl = AclBinding(ResourceType.TOPIC, prefix, ResourcePatternType.PREFIXED, "User:app", "*",
                     AclOperation.DESCRIBE, AclPermissionType.ALLOW)
    admin.create_acls([acl])[acl].result(15)
    name = f"{prefix}-orders"
    app = AdminClient(guarded.client_config("app", APP_SECRET))
    deadline = time.monotonic() + 30
    while describe_error(app, name) != "UNKNOWN_TOPIC_OR_PART":  # the broker learns ACLs from ZooKeeper
        assert time.monotonic() < deadline, "the DESCRIBE grant never reached the broker"
        time.sleep(0.2)
    result = run_module_unbound("kafka_topic", name=name, partitions=1, replication_factor=1,
                                **guarded.module_params("app", APP_SECRET))
    assert_failed(result, f"topic {name}: TOPIC_AUTHORIZATION_FAILED")
    assert APP_SECRET not in json.dumps(result) + result["_stderr"]
    assert describe(admin, name) is None
