"""application_acls: the least bindings of an application, from what it reads and writes."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ecommerce.kafka.plugins.filter.application_acls import application_acls, application_users


def lines(bindings):
    return sorted("%s %s %s %s" % (b["principal"], b["operation"], b["resource_type"], b["resource_name"])
                  for b in bindings)


def test_a_scorer_reads_one_topic_writes_another_and_reads_its_group():
    assert lines(application_acls([{"name": "fraud-scoring", "reads": ["raw-events"], "writes": ["fraud-scores"],
                                    "groups": ["fraud-scoring"]}])) == [
        "User:fraud-scoring DESCRIBE TOPIC fraud-scores",
        "User:fraud-scoring DESCRIBE TOPIC raw-events",
        "User:fraud-scoring IDEMPOTENT_WRITE CLUSTER kafka-cluster",
        "User:fraud-scoring READ GROUP fraud-scoring",
        "User:fraud-scoring READ TOPIC raw-events",
        "User:fraud-scoring WRITE TOPIC fraud-scores",
    ]


def test_a_reader_gets_no_cluster_right_and_a_non_idempotent_writer_neither():
    assert lines(application_acls([{"name": "audit", "reads": ["raw-events"], "groups": ["audit"]},
                                   {"name": "legacy", "writes": ["raw-events"], "idempotent": False}])) == [
        "User:audit DESCRIBE TOPIC raw-events",
        "User:audit READ GROUP audit",
        "User:audit READ TOPIC raw-events",
        "User:legacy DESCRIBE TOPIC raw-events",
        "User:legacy WRITE TOPIC raw-events",
    ]


def test_a_removed_application_lists_its_bindings_for_removal():
    bindings = application_acls([{"name": "gone", "writes": ["t"], "state": "absent"}])
    assert [binding["state"] for binding in bindings] == ["absent"] * 3


def test_a_topic_read_and_written_is_described_once():
    bindings = application_acls([{"name": "loop", "reads": ["t"], "writes": ["t"]}])
    assert lines(bindings).count("User:loop DESCRIBE TOPIC t") == 1


@pytest.mark.parametrize("application, message", [
    ({"reads": ["t"]}, "every application needs a name"),
    ({"name": "x", "topics": ["t"]}, "application x has unknown keys topics"),
])
def test_refusals_name_the_application(application, message):
    with pytest.raises(AnsibleFilterError, match=message):
        application_acls([application])


def test_users_carry_their_password_and_a_removed_one_none():
    assert application_users([{"name": "a", "writes": ["t"]}, {"name": "b", "state": "absent"}],
                             {"a": "pa"}, ["SCRAM-SHA-512"]) == [
        {"name": "a", "state": "present", "mechanisms": ["SCRAM-SHA-512"], "password": "pa"},
        {"name": "b", "state": "absent", "mechanisms": ["SCRAM-SHA-512"]},
    ]


@pytest.mark.parametrize("applications, message", [
    ([{"name": "a"}, {"name": "b"}, {"name": "c"}], "application_users: no password for b, c; set each in"),
    ([{"name": "a"}, {"name": "a"}], "application_users: applications listed twice: a"),
    ([{"name": "a", "state": "gone"}], "application_users: application a has state 'gone'"),
])
def test_users_refusals_name_the_applications(applications, message):
    with pytest.raises(AnsibleFilterError, match=message):
        application_users(applications, {"a": "pa"}, ["SCRAM-SHA-512"])
