"""What the kafka_principals role applies, against the session's SASL_SSL
broker: the users of application_users and the bindings of application_acls,
through kafka_user and kafka_acl, let an application write and read its own
topics and group and nothing else, as cluster_probe.py's application-rights
(the molecule prod check) judges it; a second run changes nothing, of the
modules and of playbooks/principals.yml."""
import json
import secrets

import pytest
from confluent_kafka.admin import (AclBinding, AclOperation, AclPermissionType, AdminClient, NewTopic,
                                   ResourcePatternType, ResourceType)

from ansible_collections.ecommerce.kafka.plugins.filter.application_acls import application_acls, application_users
from tests.bench.services import QUIET_LOGGER, delete_topics
from tests.real_cluster.conftest import ModuleRunner
from tests.real_cluster.module_results import succeeded
from tests.real_cluster.test_ops_playbooks import broker_inventory, run_playbook
from tests.real_cluster.test_probes import cluster_probe, failed, unique


@pytest.fixture
def admin(secure_kafka):
    return AdminClient({**secure_kafka.client_config(), "logger": QUIET_LOGGER})


@pytest.fixture
def scorer(secure_kafka, admin, tmp_path):
    """A fraud scorer on topics of its own, its user and ACLs applied as the
    role does; the modules' runner, and the application, are returned."""
    topics = {"events": unique("raw-events"), "scores": unique("fraud-scores")}
    for future in admin.create_topics([NewTopic(topic, 1, 1) for topic in topics.values()]).values():
        future.result(30)
    application = {"name": unique("fraud-scoring"), "reads": [topics["events"]], "writes": [topics["scores"]],
                   "groups": [unique("fraud-scoring")]}
    password = secrets.token_urlsafe(16)
    password_file = tmp_path / "password"
    password_file.write_text(password)
    run_module = ModuleRunner(tmp_path, secure_kafka.module_params())
    users = application_users([application], {application["name"]: password}, ["SCRAM-SHA-512"])
    apply = {"kafka_user": {"users": users},
             "kafka_acl": {"bindings": application_acls([application]), "purge": True}}
    yield {"application": application, "topics": topics, "password_file": password_file,
           "run_module": run_module, "apply": apply}
    run_module("kafka_acl", bindings=[dict(binding, state="absent") for binding in application_acls([application])],
               purge=True)
    run_module("kafka_user", name=application["name"], state="absent")
    delete_topics(admin, list(topics.values()))


def rights(secure_kafka, admin_settings, scorer, other_group):
    application = scorer["application"]
    return cluster_probe(
        "--client-config", admin_settings, "application-rights", "--bootstrap", secure_kafka.bootstrap,
        "--user", application["name"], "--password-file", scorer["password_file"],
        "--writes", ",".join(application["writes"]), "--reads", ",".join(application["reads"]),
        "--group", application["groups"][0], "--denied-writes", ",".join(application["reads"]),
        "--denied-groups", other_group)


def test_an_application_does_what_it_needs_and_nothing_else(secure_kafka, admin_settings, scorer):
    for module, args in scorer["apply"].items():
        assert succeeded(scorer["run_module"](module, **args))["changed"], module
    report = rights(secure_kafka, admin_settings, scorer, unique("inventory"))
    assert report.returncode == 0, report.stdout + report.stderr
    for module, args in scorer["apply"].items():
        assert not succeeded(scorer["run_module"](module, **args))["changed"], module


def test_an_application_with_a_right_too_many_is_named(secure_kafka, admin_settings, scorer, admin):
    for module, args in scorer["apply"].items():
        succeeded(scorer["run_module"](module, **args))
    application = scorer["application"]
    extra = AclBinding(ResourceType.TOPIC, scorer["topics"]["events"], ResourcePatternType.LITERAL,
                       f"User:{application['name']}", "*", AclOperation.WRITE, AclPermissionType.ALLOW)
    admin.create_acls([extra], request_timeout=10)[extra].result(15)
    reason = failed(rights(secure_kafka, admin_settings, scorer, unique("inventory")), "application-rights")
    assert reason == f"{application['name']}: not refused write to {scorer['topics']['events']}"
    # The role's purge takes the extra right away again.
    assert succeeded(scorer["run_module"]("kafka_acl", **scorer["apply"]["kafka_acl"]))["changed"]
    assert rights(secure_kafka, admin_settings, scorer, unique("inventory")).returncode == 0


def test_the_role_applies_an_application_and_a_rerun_changes_nothing(secure_kafka, admin_settings, scorer, tmp_path):
    """playbooks/principals.yml with an inventory whose one broker is the
    SASL_SSL fixture, the application and its password in the inventory."""
    application = scorer["application"]
    password = scorer["password_file"].read_text()
    inventory = broker_inventory(tmp_path / "hosts.yml", secure_kafka, "SASL_SSL",
                                 kafka_broker_admin_password=secure_kafka.passwords["admin"],
                                 kafka_broker_admin_ca_file=str(secure_kafka.ca), kafka_broker_authorization=True,
                                 kafka_principals_applications=[application],
                                 kafka_principals_passwords={application["name"]: password})
    changed = []
    for _run in range(2):
        rc, output = run_playbook("playbooks/principals.yml", inventory=inventory)
        assert rc == 0, output
        assert password not in json.dumps(output)
        changed.append(output["stats"]["fixture-broker"]["changed"])
    assert changed == [2, 0]
    assert rights(secure_kafka, admin_settings, scorer, unique("inventory")).returncode == 0
