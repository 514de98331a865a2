"""kafka_acl against real brokers: the session's SASL_SSL broker, whose
AclAuthorizer refuses whatever no ACL allows, and the PLAINTEXT broker, which
has no authorizer. What the broker holds is read back with describe_acls; that
the ACLs work is shown by the `app` user, who may produce only once granted.

Every test works on principals and topics of its own and deletes its ACLs
afterwards, since the brokers are shared by the session."""
import time
import uuid

import pytest
from confluent_kafka import KafkaError, Producer
from confluent_kafka.admin import (
    AclBinding, AclBindingFilter, AclOperation, AclPermissionType, AdminClient, NewTopic, ResourcePatternType,
    ResourceType)

from tests.bench.services import QUIET_LOGGER, delete_topics
from tests.real_cluster.module_results import assert_failed, succeeded

NO_AUTHORIZER = "the brokers have no authorizer (authorizer.class.name)"


@pytest.fixture
def cluster(secure_kafka):
    """run_module talks to the SASL_SSL broker, as its admin: the plaintext one has no authorizer."""
    return secure_kafka


@pytest.fixture
def admin(secure_kafka):
    return AdminClient({**secure_kafka.client_config(), "logger": QUIET_LOGGER})


def any_of(principal):
    return AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, principal, None, AclOperation.ANY,
                            AclPermissionType.ANY)


@pytest.fixture
def principal(admin):
    """principal() -> a new User:acl-... principal; its ACLs are deleted after the test."""
    made = []

    def make():
        made.append(f"User:acl-{uuid.uuid4().hex[:10]}")
        return made[-1]
    yield make
    if made:
        for future in admin.delete_acls([any_of(name) for name in made], request_timeout=10).values():
            future.result(15)


def held(admin, name):
    """The principal's bindings as the broker lists them: sorted (type, resource, pattern, operation, permission, host)."""
    acls = admin.describe_acls(any_of(name), request_timeout=10).result(15)
    return sorted((acl.restype.name, acl.name, acl.resource_pattern_type.name, acl.operation.name,
                   acl.permission_type.name, acl.host) for acl in acls)


def grant(admin, name, operation, resource="raw-events", restype=ResourceType.TOPIC,
          pattern=ResourcePatternType.LITERAL, host="*"):
    acl = AclBinding(restype, resource, pattern, name, host, operation, AclPermissionType.ALLOW)
    admin.create_acls([acl], request_timeout=10)[acl].result(15)


def topic_binding(name, operation, resource="raw-events", **values):
    return dict(principal=name, operation=operation, resource_type="TOPIC", resource_name=resource, **values)


def text(name, operation, resource="raw-events", kind="TOPIC", pattern="LITERAL", permission="ALLOW", host="*"):
    return f"{name} {permission} {operation} on {kind} {resource} ({pattern}) from host {host}"


# --- present: check mode, create, re-run ---------------------------------------------------------

def test_check_mode_then_create_then_rerun_is_unchanged(run_module, admin, principal):
    name = principal()
    args = dict(principal=name, resource_type="topic", resource_name="raw-events",
                bindings=[dict(operation="Write"), dict(operation="Describe")])
    checked = succeeded(run_module("kafka_acl", check=True, **args))
    assert checked["changed"]
    assert checked["created"] == [text(name, "DESCRIBE"), text(name, "WRITE")]
    assert checked["deleted"] == []
    assert held(admin, name) == []

    applied = succeeded(run_module("kafka_acl", **args))
    assert applied["changed"]
    for key in ("bindings", "created", "deleted"):
        assert applied[key] == checked[key]
    assert held(admin, name) == [("TOPIC", "raw-events", "LITERAL", "DESCRIBE", "ALLOW", "*"),
                                 ("TOPIC", "raw-events", "LITERAL", "WRITE", "ALLOW", "*")]
    assert applied["bindings"] == [
        dict(principal=name, host="*", operation=operation, permission="ALLOW", resource_type="TOPIC",
             resource_name="raw-events", pattern_type="LITERAL") for operation in ("DESCRIBE", "WRITE")]

    again = succeeded(run_module("kafka_acl", **args))
    assert not again["changed"]
    assert (again["created"], again["deleted"], again["bindings"]) == ([], [], applied["bindings"])


def test_single_binding_of_every_kind_reads_back_as_declared(run_module, admin, principal):
    """Each resource type, a prefix, a deny and a host; CLUSTER is BROKER to librdkafka."""
    name = principal()
    bindings = [
        dict(operation="READ", resource_type="TOPIC", resource_name="metrics-", pattern_type="PREFIXED"),
        dict(operation="READ", resource_type="GROUP", resource_name="fraud-scoring"),
        dict(operation="IdempotentWrite", resource_type="CLUSTER"),
        dict(operation="WRITE", resource_type="TRANSACTIONAL_ID", resource_name="orders-tx"),
        dict(operation="WRITE", resource_type="TOPIC", resource_name="raw-events", permission="deny",
             host="10.0.0.7"),
    ]
    result = succeeded(run_module("kafka_acl", principal=name, bindings=bindings))
    assert result["changed"] and len(result["created"]) == 5
    assert held(admin, name) == [
        ("BROKER", "kafka-cluster", "LITERAL", "IDEMPOTENT_WRITE", "ALLOW", "*"),
        ("GROUP", "fraud-scoring", "LITERAL", "READ", "ALLOW", "*"),
        ("TOPIC", "metrics-", "PREFIXED", "READ", "ALLOW", "*"),
        ("TOPIC", "raw-events", "LITERAL", "WRITE", "DENY", "10.0.0.7"),
        ("TRANSACTIONAL_ID", "orders-tx", "LITERAL", "WRITE", "ALLOW", "*"),
    ]
    assert [(binding["resource_type"], binding["resource_name"]) for binding in result["bindings"]] == [
        ("CLUSTER", "kafka-cluster"), ("GROUP", "fraud-scoring"), ("TOPIC", "metrics-"), ("TOPIC", "raw-events"),
        ("TRANSACTIONAL_ID", "orders-tx")]

    again = succeeded(run_module("kafka_acl", principal=name, bindings=bindings))
    assert not again["changed"] and again["bindings"] == result["bindings"]


def test_a_long_list_in_one_call(run_module, admin, principal):
    names = [principal(), principal(), principal(), principal()]
    bindings = [topic_binding(name, operation, f"topic-{number}")
                for name in names for number in range(10) for operation in ("READ", "DESCRIBE")]
    result = succeeded(run_module("kafka_acl", bindings=bindings))
    assert result["changed"] and len(result["created"]) == 80 and len(result["bindings"]) == 80
    assert all(len(held(admin, name)) == 20 for name in names)
    assert not succeeded(run_module("kafka_acl", bindings=bindings))["changed"]


def test_diff_shows_the_principals_bindings_before_and_after(run_module, admin, principal):
    name = principal()
    grant(admin, name, AclOperation.READ)
    result = succeeded(run_module("kafka_acl", check=True, diff=True, **topic_binding(name, "WRITE")))
    assert result["diff"] == dict(before=[text(name, "READ")], after=[text(name, "READ"), text(name, "WRITE")])
    assert "diff" not in succeeded(run_module("kafka_acl", check=True, **topic_binding(name, "WRITE")))


# --- absent and purge ----------------------------------------------------------------------------

def test_absent_deletes_and_a_missing_binding_is_not_an_error(run_module, admin, principal):
    name = principal()
    grant(admin, name, AclOperation.WRITE)
    grant(admin, name, AclOperation.READ)
    args = dict(topic_binding(name, "WRITE"), state="absent")

    checked = succeeded(run_module("kafka_acl", check=True, diff=True, **args))
    assert checked["changed"] and checked["deleted"] == [text(name, "WRITE")]
    assert checked["diff"] == dict(before=[text(name, "READ"), text(name, "WRITE")], after=[text(name, "READ")])
    assert len(held(admin, name)) == 2

    deleted = succeeded(run_module("kafka_acl", **args))
    assert deleted["changed"] and deleted["deleted"] == checked["deleted"]
    assert deleted["bindings"] == checked["bindings"]
    assert held(admin, name) == [("TOPIC", "raw-events", "LITERAL", "READ", "ALLOW", "*")]

    again = succeeded(run_module("kafka_acl", **args))
    assert not again["changed"] and again["deleted"] == []


def test_purge_deletes_only_the_unlisted_bindings_of_the_listed_principals(run_module, admin, principal):
    name, bystander = principal(), principal()
    grant(admin, name, AclOperation.WRITE)
    grant(admin, name, AclOperation.READ, "orders", host="10.0.0.7")
    grant(admin, name, AclOperation.READ, "fraud-scoring", restype=ResourceType.GROUP)
    grant(admin, bystander, AclOperation.WRITE)
    args = dict(principal=name, purge=True, bindings=[
        dict(operation="WRITE", resource_type="TOPIC", resource_name="raw-events"),
        dict(operation="DESCRIBE", resource_type="TOPIC", resource_name="raw-events")])

    checked = succeeded(run_module("kafka_acl", check=True, **args))
    assert checked["changed"]
    assert checked["created"] == [text(name, "DESCRIBE")]
    assert checked["deleted"] == [text(name, "READ", "fraud-scoring", kind="GROUP"),
                                  text(name, "READ", "orders", host="10.0.0.7")]
    assert len(held(admin, name)) == 3

    purged = succeeded(run_module("kafka_acl", **args))
    assert (purged["created"], purged["deleted"], purged["bindings"]) == (
        checked["created"], checked["deleted"], checked["bindings"])
    assert held(admin, name) == [("TOPIC", "raw-events", "LITERAL", "DESCRIBE", "ALLOW", "*"),
                                 ("TOPIC", "raw-events", "LITERAL", "WRITE", "ALLOW", "*")]
    assert held(admin, bystander) == [("TOPIC", "raw-events", "LITERAL", "WRITE", "ALLOW", "*")]
    assert not succeeded(run_module("kafka_acl", **args))["changed"]


def test_purge_without_bindings_removes_every_binding_of_the_principal(run_module, admin, principal):
    name = principal()
    grant(admin, name, AclOperation.WRITE)
    grant(admin, name, AclOperation.ALTER, "kafka-cluster", restype=ResourceType.BROKER)
    result = succeeded(run_module("kafka_acl", principal=name, bindings=[], purge=True))
    assert result["deleted"] == [text(name, "ALTER", "kafka-cluster", kind="CLUSTER"), text(name, "WRITE")]
    assert result["bindings"] == [] and held(admin, name) == []
    assert not succeeded(run_module("kafka_acl", principal=name, bindings=[], purge=True))["changed"]


# --- refusals: nothing changes -------------------------------------------------------------------

@pytest.mark.parametrize("bad, cause", [
    pytest.param(dict(operation="Wirte"), "unknown operation 'Wirte' (the operations are ALL, READ, WRITE",
                 id="unknown-operation"),
    pytest.param(dict(principal="app"), "principal 'app' is not TYPE:NAME (for example User:alice)",
                 id="principal-without-type"),
    pytest.param(dict(principal="user:app"), "principal 'user:app': the type is User", id="principal-type-case"),
    pytest.param(dict(operation="IDEMPOTENT_WRITE"), "operation IDEMPOTENT_WRITE does not apply to a TOPIC",
                 id="operation-of-another-resource-type"),
    pytest.param(dict(host="localhost"), "host 'localhost' is not * or an IP address", id="host-name"),
    pytest.param(dict(resource_type="CLUSTER", resource_name="prod", operation="ALTER"),
                 "the CLUSTER resource is named kafka-cluster, not 'prod'", id="cluster-name"),
    pytest.param(dict(resource_name="a/b"), "contains '/'", id="slash-in-name"),
])
@pytest.mark.parametrize("check", [True, False])
def test_a_list_with_one_bad_binding_changes_nothing(run_module, admin, principal, bad, cause, check):
    name = principal()
    grant(admin, name, AclOperation.READ, "orders")
    good = [topic_binding(name, "WRITE"), topic_binding(name, "DESCRIBE")]
    bad_binding = {**topic_binding(name, "WRITE", "fraud-scores"), **bad}
    result = run_module("kafka_acl", check=check, purge=True, bindings=[good[0], bad_binding, good[1]])
    message = assert_failed(result, cause)
    assert message.startswith("binding ") and message.count("binding ") == 1
    assert not result.get("changed")
    assert held(admin, name) == [("TOPIC", "orders", "LITERAL", "READ", "ALLOW", "*")]


def test_the_same_binding_present_and_absent_is_refused(run_module, admin, principal):
    name = principal()
    result = run_module("kafka_acl", bindings=[topic_binding(name, "WRITE"),
                                               topic_binding(name, "Write", state="absent")])
    assert_failed(result, f"binding {text(name, 'WRITE')}: listed as present and as absent")
    assert held(admin, name) == []


@pytest.mark.parametrize("state", ["present", "absent"])
@pytest.mark.parametrize("check", [True, False])
def test_a_broker_without_authorizer_is_named(run_module_unbound, kafka, check, state):
    """librdkafka lists the ACLs of such a broker as none at all; the module says what is wrong instead."""
    name = f"User:acl-{uuid.uuid4().hex[:10]}"
    result = run_module_unbound("kafka_acl", check=check, **kafka.module_params(),
                                **topic_binding(name, "WRITE", state=state))
    assert_failed(result, f"binding {text(name, 'WRITE')}: {NO_AUTHORIZER}")
    assert not result.get("changed")


def test_a_principal_without_rights_on_the_cluster_is_refused_before_reading(run_module, admin, principal,
                                                                             secure_kafka):
    """`app` has no ACL: librdkafka would report DescribeAcls as an empty list, which would read as 'nothing to
    revoke'. The module refuses instead, even in check mode and for state=absent."""
    name = principal()
    grant(admin, name, AclOperation.WRITE)
    for check in (True, False):
        result = run_module("kafka_acl", check=check, **secure_kafka.module_params("app"),
                            **topic_binding(name, "WRITE", state="absent"))
        assert_failed(result, f"binding {text(name, 'WRITE')}: the connecting principal may not read ACLs "
                              "(DescribeAcls needs DESCRIBE on the cluster")
    assert held(admin, name) == [("TOPIC", "raw-events", "LITERAL", "WRITE", "ALLOW", "*")]


def test_a_principal_that_may_only_read_acls_is_refused_before_changing(run_module, admin, principal, secure_kafka):
    """With DESCRIBE but not ALTER on the cluster, `app` reads the ACLs; a change is refused before it is sent,
    in check mode too, and a run that changes nothing succeeds."""
    name = principal()
    grant(admin, name, AclOperation.WRITE)
    grant(admin, "User:app", AclOperation.DESCRIBE, "kafka-cluster", restype=ResourceType.BROKER)
    describe = AclBindingFilter(ResourceType.BROKER, "kafka-cluster", ResourcePatternType.LITERAL, "User:app", "*",
                                AclOperation.DESCRIBE, AclPermissionType.ALLOW)
    try:
        as_app = secure_kafka.module_params("app")
        unchanged = succeeded(run_module("kafka_acl", **as_app, **topic_binding(name, "WRITE")))
        assert not unchanged["changed"]
        for check in (True, False):
            result = run_module("kafka_acl", check=check, **as_app, **topic_binding(name, "READ"))
            assert_failed(result, f"binding {text(name, 'READ')}: the connecting principal may not change ACLs "
                                  "(CreateAcls and DeleteAcls need ALTER on the cluster)")
        assert held(admin, name) == [("TOPIC", "raw-events", "LITERAL", "WRITE", "ALLOW", "*")]
    finally:
        admin.delete_acls([describe], request_timeout=10)[describe].result(15)


# --- the ACLs do what they say -------------------------------------------------------------------

def delivery_error(secure_kafka, topic):
    """Produce one message as `app`: None when it is written, else the KafkaError of its delivery report."""
    producer = Producer({**secure_kafka.client_config("app"), "enable.idempotence": False,
                         "message.timeout.ms": 10000, "logger": QUIET_LOGGER})
    reports = []
    producer.produce(topic, b"order placed", on_delivery=lambda error, message: reports.append(error))
    producer.flush(15)
    assert len(reports) == 1, "no delivery report within 15s"
    return reports[0]


@pytest.fixture
def app_topic(admin):
    """A topic of the test's own, and no ACL of `app` on it afterwards."""
    name = f"acl-{uuid.uuid4().hex[:10]}"
    admin.create_topics([NewTopic(name, 1, 1)])[name].result(30)
    yield name
    app_on_topic = AclBindingFilter(ResourceType.TOPIC, name, ResourcePatternType.LITERAL, "User:app", None,
                                    AclOperation.ANY, AclPermissionType.ANY)
    admin.delete_acls([app_on_topic], request_timeout=10)[app_on_topic].result(15)
    delete_topics(admin, [name])


def test_app_may_produce_once_granted_write_and_describe(run_module, secure_kafka, app_topic):
    error = delivery_error(secure_kafka, app_topic)
    assert error is not None and error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, error

    result = succeeded(run_module("kafka_acl", principal="User:app", resource_type="TOPIC", resource_name=app_topic,
                                  bindings=[dict(operation="WRITE"), dict(operation="DESCRIBE")]))
    assert result["created"] == [text("User:app", "DESCRIBE", app_topic), text("User:app", "WRITE", app_topic)]

    deadline = time.monotonic() + 30
    while (error := delivery_error(secure_kafka, app_topic)) is not None:
        assert error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, error
        assert time.monotonic() < deadline, "app still may not write 30s after the grant"
        time.sleep(0.5)

    revoked = succeeded(run_module("kafka_acl", principal="User:app", resource_type="TOPIC", resource_name=app_topic,
                                   operation="WRITE", state="absent"))
    assert revoked["deleted"] == [text("User:app", "WRITE", app_topic)]
    assert [binding["operation"] for binding in revoked["bindings"] if binding["resource_name"] == app_topic] == [
        "DESCRIBE"]
