"""Pure logic of kafka_acl: option parsing, the checks of each binding, the plan and its readable form."""
import pytest

from ansible_collections.ecommerce.kafka.plugins.module_utils.acl import (
    OPERATIONS, RESOURCE_OPERATIONS, Binding, binding_specs, binding_text, bindings_subject, canonical_name,
    check_specs, host_problem, parse_spec, plan_acls, principal_problem, wanted_bindings)
from ansible_collections.ecommerce.kafka.plugins.module_utils.topic import join_errors

# The top-level options as AnsibleModule hands them over, defaults applied.
TOP_LEVEL = dict(bindings=None, principal=None, host="*", operation=None, permission="ALLOW", resource_type=None,
                 resource_name=None, pattern_type="LITERAL", state="present", purge=False)
ENTRY = dict(principal=None, host=None, operation=None, permission=None, resource_type=None, resource_name=None,
             pattern_type=None, state=None)


def spec(**values):
    """A spec as binding_specs() makes it: a write grant on raw-events unless told otherwise."""
    base = dict(principal="User:app", host="*", operation="WRITE", permission="ALLOW", resource_type="TOPIC",
                resource_name="raw-events", pattern_type="LITERAL", state="present")
    base.update(values)
    return base


def binding(principal="User:app", operation="WRITE", resource_name="raw-events", resource_type="TOPIC",
            pattern_type="LITERAL", permission="ALLOW", host="*"):
    return Binding(principal, host, operation, permission, resource_type, resource_name, pattern_type)


def only_problem(specs):
    problems = check_specs(specs)[2]
    assert len(problems) == 1, problems
    return problems[0]


# --- names ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, canonical", [
    ("WRITE", "WRITE"),
    ("Write", "WRITE"),
    ("write", "WRITE"),
    ("IdempotentWrite", "IDEMPOTENT_WRITE"),
    ("idempotent_write", "IDEMPOTENT_WRITE"),
    ("IDEMPOTENT-WRITE", "IDEMPOTENT_WRITE"),
    ("describe configs", "DESCRIBE_CONFIGS"),
    ("ClusterAction", "CLUSTER_ACTION"),
    ("Wirte", None),
    ("ANY", None),
    ("", None),
])
def test_operation_names_as_kafka_acls_and_the_admin_client_spell_them(value, canonical):
    assert canonical_name(value, OPERATIONS) == canonical


def test_every_operation_of_a_resource_type_is_an_operation():
    assert set(OPERATIONS) == set().union(*RESOURCE_OPERATIONS.values())


@pytest.mark.parametrize("principal", ["User:app", "User:*", "Group:platform", "User:CN=app, OU=ecommerce",
                                       "User:app@EXAMPLE.COM", "Custom:x"])
def test_principals_kafka_can_match(principal):
    assert principal_problem(principal) is None


@pytest.mark.parametrize("principal, fragment", [
    ("app", "principal 'app' is not TYPE:NAME (for example User:alice)"),
    ("User:", "is not TYPE:NAME"),
    (":app", "is not TYPE:NAME"),
    ("User: app", "is not TYPE:NAME"),
    ("User:app ", "is not TYPE:NAME"),
    ("", "is not TYPE:NAME"),
    ("user:app", "principal 'user:app': the type is User (Kafka compares it case-sensitively)"),
    ("USER:app", "the type is User"),
    ("group:ops", "the type is Group"),
])
def test_principals_that_never_match_say_why(principal, fragment):
    assert fragment in principal_problem(principal)


@pytest.mark.parametrize("host, ok", [
    ("*", True), ("10.0.0.7", True), ("::1", True), ("0:0:0:0:0:0:0:1", True),
    ("localhost", False), ("broker1.example.com", False), ("10.0.0.0/8", False), ("", False), ("10.0.0.*", False),
])
def test_hosts_are_any_or_an_ip_address(host, ok):
    assert (host_problem(host) is None) is ok


# --- options to specs ----------------------------------------------------------------------------

def test_single_binding_from_the_top_level_options():
    params = dict(TOP_LEVEL, principal="User:app", operation="Write", resource_type="topic", resource_name="orders")
    assert binding_specs(params) == [dict(principal="User:app", host="*", operation="Write", permission="ALLOW",
                                          resource_type="topic", resource_name="orders", pattern_type="LITERAL",
                                          state="present")]


def test_entries_take_unset_keys_from_the_top_level():
    params = dict(TOP_LEVEL, principal="User:app", resource_type="TOPIC", resource_name="orders", bindings=[
        dict(ENTRY, operation="WRITE"),
        dict(ENTRY, operation="READ", principal="User:other", resource_type="GROUP", resource_name="g",
             pattern_type="PREFIXED", permission="DENY", host="10.0.0.1", state="absent"),
    ])
    first, second = binding_specs(params)
    assert first == spec(resource_name="orders")
    assert second == dict(principal="User:other", host="10.0.0.1", operation="READ", permission="DENY",
                          resource_type="GROUP", resource_name="g", pattern_type="PREFIXED", state="absent")


def test_an_empty_list_is_no_binding():
    assert binding_specs(dict(TOP_LEVEL, principal="User:app", bindings=[])) == []


def test_the_top_level_principal_is_purged_only_with_a_list():
    params = dict(TOP_LEVEL, principal="User:retired", bindings=[], purge=True)
    assert wanted_bindings(params) == ({}, ["User:retired"], [])
    listed = dict(TOP_LEVEL, principal="User:app", bindings=[dict(ENTRY, principal="User:b", operation="READ",
                                                                  resource_type="GROUP", resource_name="g")])
    assert wanted_bindings(listed)[1] == ["User:app", "User:b"]


# --- checks --------------------------------------------------------------------------------------

@pytest.mark.parametrize("values, expected", [
    (dict(), binding()),
    (dict(operation="Write", permission="allow", resource_type="Topic", pattern_type="literal"), binding()),
    (dict(operation="IdempotentWrite", resource_type="cluster", resource_name=None),
     binding(operation="IDEMPOTENT_WRITE", resource_type="CLUSTER", resource_name="kafka-cluster")),
    (dict(operation="write", resource_type="transactional-id", resource_name="orders-tx"),
     binding(resource_type="TRANSACTIONAL_ID", resource_name="orders-tx")),
    (dict(operation="read", resource_type="group", resource_name="fraud-", pattern_type="prefixed", permission="DENY"),
     binding(operation="READ", resource_type="GROUP", resource_name="fraud-", pattern_type="PREFIXED",
             permission="DENY")),
    (dict(resource_name="*"), binding(resource_name="*")),
])
def test_valid_specs_become_bindings_in_kafka_names(values, expected):
    assert parse_spec(spec(**values)) == (expected, [])


@pytest.mark.parametrize("values, message", [
    (dict(operation="Wirte"),
     "binding User:app ALLOW Wirte on TOPIC raw-events (LITERAL) from host *: unknown operation 'Wirte' "
     "(the operations are ALL, READ, WRITE,"),
    (dict(principal="app"),
     "binding app ALLOW WRITE on TOPIC raw-events (LITERAL) from host *: principal 'app' is not TYPE:NAME"),
    (dict(principal="user:app"), "principal 'user:app': the type is User"),
    (dict(principal=None), "binding ? ALLOW WRITE on TOPIC raw-events (LITERAL) from host *: principal is not set"),
    (dict(operation=None), "operation is not set"),
    (dict(resource_type=None), "resource_type is not set"),
    (dict(resource_type="broker"), "unknown resource type 'broker' (the resource types are TOPIC, GROUP, CLUSTER, "
                                   "TRANSACTIONAL_ID)"),
    (dict(permission="grant"), "unknown permission 'grant' (the permissions are ALLOW, DENY)"),
    (dict(pattern_type="match"), "unknown pattern type 'match' (the pattern types are LITERAL, PREFIXED)"),
    (dict(host="localhost"), "host 'localhost' is not * or an IP address"),
    (dict(resource_name=None), "resource_name is not set"),
    (dict(resource_name=""), "resource_name is not set"),
    (dict(resource_name="a/b"), "resource_name 'a/b' contains '/'"),
    (dict(resource_type="CLUSTER", resource_name="prod", operation="ALTER"),
     "the CLUSTER resource is named kafka-cluster, not 'prod'"),
    (dict(operation="IDEMPOTENT_WRITE"),
     "operation IDEMPOTENT_WRITE does not apply to a TOPIC (it takes ALL, READ, WRITE, CREATE, DELETE, ALTER, "
     "DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS)"),
    (dict(resource_type="GROUP", operation="WRITE"), "operation WRITE does not apply to a GROUP"),
    (dict(resource_type="TRANSACTIONAL_ID", operation="READ"), "operation READ does not apply to a TRANSACTIONAL_ID"),
    (dict(resource_type="CLUSTER", resource_name=None, operation="READ"), "operation READ does not apply to a CLUSTER"),
])
def test_bad_bindings_are_named_with_the_cause(values, message):
    assert message in only_problem([spec(**values)])


def test_every_cause_of_one_binding_is_in_its_line():
    problem = only_problem([spec(principal="app", operation="Wirte", host="localhost")])
    assert problem.startswith("binding app ALLOW Wirte on TOPIC raw-events (LITERAL) from host localhost: ")
    causes = problem.split(": ", 1)[1].split(" and ")
    assert [cause.split(" (")[0] for cause in causes] == [
        "unknown operation 'Wirte'", "principal 'app' is not TYPE:NAME", "host 'localhost' is not * or an IP address"]


def test_every_bad_binding_of_a_list_is_reported_and_the_good_ones_are_kept():
    wanted, principals, problems = check_specs([spec(), spec(operation="Wirte"), spec(principal="app")])
    assert wanted == {binding(): "present"}
    assert principals == ["User:app"]
    assert len(problems) == 2


def test_the_same_binding_twice_counts_once():
    wanted, principals, problems = check_specs([spec(operation="Write"), spec(operation="WRITE")])
    assert (wanted, principals, problems) == ({binding(): "present"}, ["User:app"], [])


def test_the_same_binding_present_and_absent_is_refused():
    message = only_problem([spec(), spec(state="absent", operation="write")])
    assert message == "binding User:app ALLOW WRITE on TOPIC raw-events (LITERAL) from host *: " \
                      "listed as present and as absent"


def test_nothing_to_manage_is_refused():
    assert check_specs([])[2] == ["no binding to manage: give bindings, or principal with purge"]


def test_a_bad_principal_to_purge_is_refused():
    assert check_specs([], "retired")[2] == ["principal 'retired' is not TYPE:NAME (for example User:alice)"]


def test_many_problems_make_one_capped_line():
    specs = [spec(resource_name="t%d" % number, operation="Wirte") for number in range(8)]
    line = join_errors(check_specs(specs)[2])
    assert "\n" not in line and line.endswith("; and 3 more")


# --- plans ---------------------------------------------------------------------------------------

READ, WRITE, DESCRIBE = binding(operation="READ"), binding(), binding(operation="DESCRIBE")
OTHER = binding(principal="User:other")


@pytest.mark.parametrize("wanted, current, purge, create, delete", [
    pytest.param({WRITE: "present"}, [], False, [WRITE], [], id="create"),
    pytest.param({WRITE: "present"}, [WRITE], False, [], [], id="already-there"),
    pytest.param({WRITE: "present", DESCRIBE: "present"}, [WRITE], False, [DESCRIBE], [], id="create-the-missing"),
    pytest.param({WRITE: "absent"}, [WRITE, READ], False, [], [WRITE], id="delete"),
    pytest.param({WRITE: "absent"}, [READ], False, [], [], id="already-absent"),
    pytest.param({WRITE: "present"}, [WRITE, READ], False, [], [], id="unlisted-kept"),
    pytest.param({WRITE: "present"}, [WRITE, READ, DESCRIBE], True, [], [DESCRIBE, READ], id="purge"),
    pytest.param({DESCRIBE: "present"}, [WRITE], True, [DESCRIBE], [WRITE], id="purge-and-create"),
    pytest.param({WRITE: "absent"}, [WRITE, READ], True, [], [READ, WRITE], id="purge-with-absent"),
    pytest.param({WRITE: "present"}, [WRITE, OTHER], True, [], [], id="purge-leaves-other-principals"),
    pytest.param({}, [WRITE, OTHER], True, [], [WRITE], id="purge-a-principal-without-bindings"),
])
def test_plan(wanted, current, purge, create, delete):
    plan = plan_acls(wanted, current, ["User:app"], purge)
    assert (plan.create, plan.delete) == (create, delete)
    assert plan.changed is bool(create or delete)


def test_plan_result_and_diff_are_readable_and_sorted():
    group = binding(operation="READ", resource_type="GROUP", resource_name="fraud-scoring")
    plan = plan_acls({WRITE: "present", DESCRIBE: "present", group: "present"}, [READ, OTHER],
                     ["User:app"], purge=True)
    assert plan.before == [READ]
    assert plan.after == [group, DESCRIBE, WRITE]
    assert plan.result() == dict(
        bindings=[dict(principal="User:app", host="*", operation="READ", permission="ALLOW", resource_type="GROUP",
                       resource_name="fraud-scoring", pattern_type="LITERAL"),
                  dict(principal="User:app", host="*", operation="DESCRIBE", permission="ALLOW",
                       resource_type="TOPIC", resource_name="raw-events", pattern_type="LITERAL"),
                  dict(principal="User:app", host="*", operation="WRITE", permission="ALLOW", resource_type="TOPIC",
                       resource_name="raw-events", pattern_type="LITERAL")],
        created=["User:app ALLOW READ on GROUP fraud-scoring (LITERAL) from host *",
                 "User:app ALLOW DESCRIBE on TOPIC raw-events (LITERAL) from host *",
                 "User:app ALLOW WRITE on TOPIC raw-events (LITERAL) from host *"],
        deleted=["User:app ALLOW READ on TOPIC raw-events (LITERAL) from host *"])
    assert plan.diff() == dict(before=["User:app ALLOW READ on TOPIC raw-events (LITERAL) from host *"],
                               after=plan.result()["created"])


def test_binding_text():
    prefixed = binding(operation="READ", resource_name="metrics-", pattern_type="PREFIXED", permission="DENY",
                       host="10.0.0.7")
    assert binding_text(prefixed) == "User:app DENY READ on TOPIC metrics- (PREFIXED) from host 10.0.0.7"


@pytest.mark.parametrize("bindings, principals, subject", [
    ([WRITE], [], "binding User:app ALLOW WRITE on TOPIC raw-events (LITERAL) from host *"),
    ([WRITE, READ, OTHER], ["User:app"], "3 bindings of User:app, User:other"),
    ([binding(principal="User:p%d" % number) for number in range(7)], [],
     "7 bindings of User:p0, User:p1, User:p2, User:p3, User:p4 and 2 more"),
    ([], ["User:retired"], "ACLs of User:retired"),
])
def test_subject_of_an_error_about_every_binding(bindings, principals, subject):
    assert bindings_subject(bindings, principals) == subject
