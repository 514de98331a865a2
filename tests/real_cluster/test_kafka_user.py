"""kafka_user against the session's SASL_SSL broker: what the broker holds is
read back with describe_user_scram_credentials, and that a password works is
shown by logging in with it. Every test works on users of its own and deletes
them afterwards, since the broker is shared by the session."""
import uuid

import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ScramMechanism, UserScramCredentialDeletion

from tests.bench.services import QUIET_LOGGER
from tests.real_cluster.module_results import assert_failed, succeeded


@pytest.fixture
def cluster(secure_kafka):
    return secure_kafka


@pytest.fixture
def admin(secure_kafka):
    return AdminClient({**secure_kafka.client_config(), "logger": QUIET_LOGGER})


@pytest.fixture
def user(admin):
    """user() -> a new user name; its credentials are deleted after the test."""
    made = []

    def make():
        made.append(f"user-{uuid.uuid4().hex[:10]}")
        return made[-1]
    yield make
    for name in made:
        for mechanism in (ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512):
            try:
                admin.alter_user_scram_credentials([UserScramCredentialDeletion(name, mechanism)],
                                                   request_timeout=10)[name].result(15)
            except KafkaException:
                pass  # it had no credential of this mechanism


def held(admin, name):
    """{mechanism: iterations} as the broker describes the user; {} for none."""
    try:
        description = admin.describe_user_scram_credentials([name], request_timeout=10)[name].result(15)
    except KafkaException:
        return {}
    return {info.mechanism.name: info.iterations for info in description.scram_credential_infos}


def logs_in(secure_kafka, name, password, mechanism="SCRAM-SHA-512"):
    config = {**secure_kafka.client_config(), "sasl.username": name, "sasl.password": password,
              "sasl.mechanism": mechanism, "logger": QUIET_LOGGER}
    try:
        AdminClient(config).list_topics(timeout=10)
        return True
    except KafkaException:
        return False


def test_a_user_is_created_once_and_logs_in(run_module, admin, secure_kafka, user):
    name = user()
    planned = succeeded(run_module("kafka_user", check=True, diff=True, name=name, password="first-password"))
    assert planned["changed"] and held(admin, name) == {}
    created = succeeded(run_module("kafka_user", diff=True, name=name, password="first-password"))
    assert {key: created[key] for key in ("changed", "users", "created", "diff")} == {
        key: planned[key] for key in ("changed", "users", "created", "diff")}
    assert created["created"] == [f"{name} SCRAM-SHA-512 (4096 iterations)"]
    assert held(admin, name) == {"SCRAM_SHA_512": 4096}
    assert logs_in(secure_kafka, name, "first-password")
    again = succeeded(run_module("kafka_user", name=name, password="first-password"))
    assert not again["changed"]
    assert "first-password" not in repr(created) + repr(planned)


def test_on_create_keeps_the_password_and_always_replaces_it_once(run_module, secure_kafka, user):
    name = user()
    succeeded(run_module("kafka_user", name=name, password="old-password"))
    kept = succeeded(run_module("kafka_user", name=name, password="new-password"))
    assert not kept["changed"] and logs_in(secure_kafka, name, "old-password")

    replaced = succeeded(run_module("kafka_user", name=name, password="new-password", update_password="always"))
    assert replaced["updated"] == [f"{name} SCRAM-SHA-512 (4096 iterations): new password"]
    assert logs_in(secure_kafka, name, "new-password") and not logs_in(secure_kafka, name, "old-password")
    # The module tried the password by logging in, so the re-run is no change.
    again = succeeded(run_module("kafka_user", name=name, password="new-password", update_password="always"))
    assert not again["changed"], again


def test_a_list_with_two_mechanisms_and_a_deletion(run_module, admin, secure_kafka, user):
    kept, retired = user(), user()
    succeeded(run_module("kafka_user", name=retired, password="retired-password"))
    result = succeeded(run_module("kafka_user", users=[
        {"name": kept, "password": "kept-password", "mechanisms": ["SCRAM-SHA-256", "SCRAM-SHA-512"],
         "iterations": 8192},
        {"name": retired, "state": "absent"},
    ]))
    assert sorted(result["created"]) == [f"{kept} SCRAM-SHA-256 (8192 iterations)",
                                         f"{kept} SCRAM-SHA-512 (8192 iterations)"]
    assert result["deleted"] == [f"{retired} SCRAM-SHA-512 (4096 iterations)"]
    assert held(admin, kept) == {"SCRAM_SHA_256": 8192, "SCRAM_SHA_512": 8192}
    assert held(admin, retired) == {}
    # The session broker's listener enables SCRAM-SHA-512 only, so the SHA-256 credential cannot log in there.
    assert logs_in(secure_kafka, kept, "kept-password")
    assert not logs_in(secure_kafka, retired, "retired-password")


def test_a_bad_list_changes_nothing(run_module, admin, user):
    good, bad = user(), user()
    result = run_module("kafka_user", users=[{"name": good, "password": "x"},
                                             {"name": bad, "password": "y", "iterations": 100}])
    assert_failed(result, f"user {bad}: iterations is 100; Kafka takes 4096 to 16384")
    assert held(admin, good) == {}


def test_a_principal_without_rights_is_told_so(run_module, secure_kafka, user):
    name = user()
    result = run_module("kafka_user", **secure_kafka.module_params("app"), name=name, password="x")
    assert_failed(result, f"user {name}: the connecting principal may not read SCRAM credentials")
