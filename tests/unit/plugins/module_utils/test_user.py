"""Pure logic of kafka_user: option parsing, the checks of each user, the plan and its readable form."""
import pytest

from ansible_collections.ecommerce.kafka.plugins.module_utils.user import check_specs, plan_users, user_specs

# The top-level options as AnsibleModule hands them over, defaults applied.
TOP_LEVEL = dict(users=None, name=None, password=None, mechanisms=["SCRAM-SHA-512"], iterations=4096,
                 update_password="on_create", state="present")
ENTRY = dict(name=None, password=None, mechanisms=None, iterations=None, update_password=None, state=None)


def wanted(*entries, **top_level):
    params = dict(TOP_LEVEL, **top_level)
    if entries:
        params["users"] = [dict(ENTRY, **entry) for entry in entries]
    users, problems = check_specs(user_specs(params))
    assert problems == []
    return users


def problems_of(*entries, **top_level):
    params = dict(TOP_LEVEL, **top_level)
    if entries:
        params["users"] = [dict(ENTRY, **entry) for entry in entries]
    return check_specs(user_specs(params))[1]


# --- the options ---------------------------------------------------------------------------------

def test_an_entry_takes_the_top_level_options_it_does_not_set():
    users = wanted({"name": "app", "password": "secret"}, {"name": "ops", "password": "x", "iterations": 8192},
                   update_password="always")
    assert users["app"]["iterations"] == 4096
    assert users["ops"]["iterations"] == 8192
    assert users["ops"]["update_password"] == "always"


def test_mechanisms_are_read_in_any_case_and_with_underscores():
    users = wanted(name="app", password="secret", mechanisms=["scram_sha_256", "SCRAM-SHA-512"])
    assert users["app"]["mechanisms"] == ["SCRAM-SHA-256", "SCRAM-SHA-512"]


@pytest.mark.parametrize("top_level, cause", [
    (dict(name="app"), "user app: password is not set"),
    (dict(name="app", password="x", mechanisms=["PLAIN"]), "user app: unknown mechanism 'PLAIN'"),
    (dict(name="app", password="x", iterations=1000), "user app: iterations is 1000; Kafka takes 4096 to 16384"),
    (dict(name="app", password="x", iterations=20000), "user app: iterations is 20000"),
    (dict(name="app", password="x", mechanisms=[]), "user app: mechanisms is empty"),
    (dict(name="a,b", password="x"), "user a,b: the name has a comma"),
    (dict(name="", password="x"), "a user has no name"),
])
def test_each_problem_names_the_user_and_the_cause(top_level, cause):
    problems = problems_of(**top_level)
    assert len(problems) == 1 and problems[0].startswith(cause), problems


def test_a_user_to_delete_needs_no_password():
    assert problems_of(name="gone", state="absent") == []


def test_a_user_listed_twice_is_refused():
    assert problems_of({"name": "app", "password": "x"}, {"name": "app", "password": "y"}) == [
        "user app: listed twice"]


def test_every_problem_of_the_list_is_reported_at_once():
    problems = problems_of({"name": "a"}, {"name": "b", "password": "x", "iterations": 1})
    assert [problem.split(":")[0] for problem in problems] == ["user a", "user b"]


# --- the plan ------------------------------------------------------------------------------------

def test_a_missing_credential_is_created():
    plan = plan_users(wanted(name="app", password="x"), {})
    assert plan.changed
    assert plan.result()["created"] == ["app SCRAM-SHA-512 (4096 iterations)"]
    assert plan.result()["users"] == [{"name": "app", "credentials": [
        {"mechanism": "SCRAM-SHA-512", "iterations": 4096}]}]
    assert plan.diff() == {"before": "", "after": "app SCRAM-SHA-512 (4096 iterations)\n"}


def test_on_create_leaves_an_existing_password_alone():
    plan = plan_users(wanted(name="app", password="x"), {"app": {"SCRAM-SHA-512": 4096}})
    assert not plan.changed
    assert plan.warnings == []


def test_on_create_warns_about_other_iterations_and_keeps_them():
    plan = plan_users(wanted(name="app", password="x", iterations=8192), {"app": {"SCRAM-SHA-512": 4096}})
    assert not plan.changed
    assert plan.result()["users"][0]["credentials"] == [{"mechanism": "SCRAM-SHA-512", "iterations": 4096}]
    assert "has 4096 iterations, not 8192" in plan.warnings[0]


def test_always_keeps_a_password_that_logs_in():
    users = wanted(name="app", password="x", update_password="always")
    plan = plan_users(users, {"app": {"SCRAM-SHA-512": 4096}}, {("app", "SCRAM-SHA-512"): True})
    assert not plan.changed


def test_always_sets_a_password_that_is_refused_or_could_not_be_tried():
    users = wanted(name="app", password="x", update_password="always")
    for logins in ({("app", "SCRAM-SHA-512"): False}, {}):
        plan = plan_users(users, {"app": {"SCRAM-SHA-512": 4096}}, logins)
        assert plan.result()["updated"] == ["app SCRAM-SHA-512 (4096 iterations): new password"]
        assert plan.diff()["after"] == "app SCRAM-SHA-512 (4096 iterations), new password\n"
        assert bool(plan.warnings) == (logins == {})


def test_always_rewrites_a_credential_with_other_iterations():
    users = wanted(name="app", password="x", update_password="always", iterations=8192)
    plan = plan_users(users, {"app": {"SCRAM-SHA-512": 4096}}, {("app", "SCRAM-SHA-512"): True})
    assert plan.result()["updated"] == ["app SCRAM-SHA-512 (8192 iterations): new iterations, password set again"]


def test_a_credential_of_another_mechanism_is_left_as_it_is():
    plan = plan_users(wanted(name="app", password="x"), {"app": {"SCRAM-SHA-256": 4096}})
    assert plan.result()["created"] == ["app SCRAM-SHA-512 (4096 iterations)"]
    assert plan.deletions == []
    assert [c["mechanism"] for c in plan.result()["users"][0]["credentials"]] == ["SCRAM-SHA-256", "SCRAM-SHA-512"]


def test_absent_deletes_every_credential_and_a_user_without_any_is_no_change():
    users = wanted(name="gone", state="absent")
    plan = plan_users(users, {"gone": {"SCRAM-SHA-256": 4096, "SCRAM-SHA-512": 8192}})
    assert plan.result()["deleted"] == ["gone SCRAM-SHA-256 (4096 iterations)", "gone SCRAM-SHA-512 (8192 iterations)"]
    assert plan.result()["users"] == []
    assert plan.diff()["after"] == ""
    assert not plan_users(users, {}).changed


def test_no_password_is_in_the_result_or_the_diff():
    plan = plan_users(wanted(name="app", password="s3cret-value", update_password="always"),
                      {"app": {"SCRAM-SHA-512": 4096}}, {})
    assert "s3cret-value" not in repr(plan.result()) + repr(plan.diff())
