"""Pure logic of kafka_topic: names, value normalisation, config diff, plans."""
import pytest

from ansible_collections.ecommerce.kafka.plugins.module_utils.topic import (
    TopicError, check_specs, config_diff, join_errors, name_collisions, name_problem,
    normalize_config_value, plan_diff, plan_topic, same_config_value, state_matches, topic_specs,
    topics_subject)

TOP_LEVEL = dict(name=None, topics=None, state="present", partitions=None, replication_factor=None,
                 config=None, config_purge=False)


def spec(name="orders", **overrides):
    values = dict(name=name, state="present", partitions=None, replication_factor=None, config={},
                  config_purge=False)
    values.update(overrides)
    return values


def state(partitions=3, replication_factor=1, **config):
    return dict(partitions=partitions, replication_factor=replication_factor, config=config)


@pytest.mark.parametrize("name", ["raw-events", "a", "a.b_c-D9", "x" * 249, "__consumer_offsets"])
def test_legal_names(name):
    assert name_problem(name) is None


@pytest.mark.parametrize("name, fragment", [
    ("", "empty"),
    (".", "'.' and '..'"),
    ("..", "'.' and '..'"),
    ("x" * 250, "250 characters long; Kafka allows 249"),
    ("raw events", "' '"),
    ("raw/events", "'/'"),
    ("événements", "'é'"),
])
def test_illegal_names_say_why(name, fragment):
    assert fragment in name_problem(name)


def test_dot_and_underscore_collide():
    assert name_collisions(["a.b", "c", "a_b", "a.b"]) == [("a.b", "a_b")]


@pytest.mark.parametrize("value, sent", [
    (True, "true"),
    (False, "false"),
    ("True", "true"),
    (" FALSE ", "false"),
    (604800000, "604800000"),
    ("604800000", "604800000"),
    (0.5, "0.5"),
    (["compact", "delete"], "compact,delete"),
    (("delete",), "delete"),
    ([True, 1], "true,1"),
    ("compact, delete", "compact, delete"),
    (None, None),
])
def test_normalised_value_sent_to_kafka(value, sent):
    assert normalize_config_value(value) == sent


@pytest.mark.parametrize("value", [{"a": 1}, [None], ["ok", {"a": 1}]])
def test_values_that_are_not_config_values(value):
    with pytest.raises(ValueError):
        normalize_config_value(value)


@pytest.mark.parametrize("wanted, current, same", [
    ("compact,delete", "compact,delete", True),
    ("compact, delete", "compact,delete", True),
    ("delete,compact", "compact,delete", False),
    ("604800000", "0604800000", True),
    ("0.5", "0.50", True),
    ("1", "1.0", True),
    ("true", "TRUE", True),
    ("true", "false", False),
    ("7", None, False),
    ("producer", "producer", True),
    ("lz4", "zstd", False),
])
def test_comparison_of_stored_values(wanted, current, same):
    assert same_config_value(wanted, current) is same


@pytest.mark.parametrize("wanted, current, purge, changes", [
    ({"retention.ms": "1"}, {}, False, {"retention.ms": "1"}),
    ({"retention.ms": "1"}, {"retention.ms": "1"}, False, {}),
    ({"retention.ms": "2"}, {"retention.ms": "1"}, False, {"retention.ms": "2"}),
    ({"retention.ms": None}, {"retention.ms": "1"}, False, {"retention.ms": None}),
    ({"retention.ms": None}, {}, False, {}),
    ({}, {"segment.ms": "1"}, False, {}),
    ({}, {"segment.ms": "1"}, True, {"segment.ms": None}),
    ({"retention.ms": "1"}, {"retention.ms": "1", "segment.ms": "1"}, True, {"segment.ms": None}),
])
def test_config_diff(wanted, current, purge, changes):
    assert config_diff(wanted, current, purge) == changes


def test_single_topic_spec_takes_top_level_options():
    params = dict(TOP_LEVEL, name="orders", partitions=3, config={"retention.ms": 1})
    assert topic_specs(params) == [dict(spec("orders", partitions=3, config={"retention.ms": 1}))]


def test_table_entries_override_and_merge_config_over_top_level():
    params = dict(TOP_LEVEL, replication_factor=3, config={"min.insync.replicas": 2, "retention.ms": 1},
                  topics=[dict(name="a", partitions=2, config={"retention.ms": 5}, state=None,
                               replication_factor=None, config_purge=None),
                          dict(name="b", state="absent", partitions=None, replication_factor=1, config=None,
                               config_purge=True)])
    a, b = topic_specs(params)
    assert a == spec("a", partitions=2, replication_factor=3, config={"min.insync.replicas": 2, "retention.ms": 5})
    assert b == spec("b", state="absent", replication_factor=1, config_purge=True,
                     config={"min.insync.replicas": 2, "retention.ms": 1})
    assert params["config"] == {"min.insync.replicas": 2, "retention.ms": 1}


def test_check_specs_normalises_config():
    specs = [spec(config={"unclean.leader.election.enable": True, "cleanup.policy": ["compact", "delete"]})]
    assert check_specs(specs) == []
    assert specs[0]["config"] == {"unclean.leader.election.enable": "true", "cleanup.policy": "compact,delete"}


@pytest.mark.parametrize("specs, message", [
    ([spec("bad name")], "topic 'bad name': the name contains ' '"),
    ([spec("a"), spec("a")], "topic a: listed more than once"),
    ([spec(partitions=0)], "topic orders: partitions must be at least 1, got 0"),
    ([spec(replication_factor=-1)], "topic orders: replication_factor must be at least 1, got -1"),
    ([spec(config={"retention.ms": {"days": 7}})], "topic orders: config retention.ms: a mapping"),
    ([spec("a.b"), spec("a_b")], "topic a_b: collides with topic a.b"),
])
def test_check_specs_reports_local_problems(specs, message):
    problems = check_specs(specs)
    assert len(problems) == 1 and problems[0].startswith(message)


def test_absent_topics_do_not_collide():
    assert check_specs([spec("a.b"), spec("a_b", state="absent")]) == []


def test_create_plan():
    plan = plan_topic(spec(partitions=3, replication_factor=1, config={"retention.ms": "1", "segment.ms": None}),
                      None, live_brokers=1)
    assert plan.create == dict(partitions=3, replication_factor=1, config={"retention.ms": "1"})
    assert plan.actions == ["create"] and plan.changed
    assert plan.result() == dict(name="orders", state="present", partitions=3, replication_factor=1,
                                 config={"retention.ms": "1"}, actions=["create"])


def test_create_without_replication_factor_uses_broker_default():
    plan = plan_topic(spec(partitions=1), None, live_brokers=3, default_replication_factor=2)
    assert plan.create["replication_factor"] == -1
    assert plan.after["replication_factor"] == 2


@pytest.mark.parametrize("topic, current, brokers, default, message", [
    (spec(), None, 1, 1, "topic orders: does not exist and partitions is not set"),
    (spec(partitions=1, replication_factor=3), None, 1, None,
     "topic orders: replication_factor 3 is larger than the 1 live broker"),
    (spec(partitions=1), None, 2, 3, "topic orders: replication_factor 3 (the broker default) is larger than "
                                     "the 2 live brokers"),
    (spec(partitions=2), state(partitions=3), 1, None,
     "topic orders: has 3 partitions and Kafka cannot remove partitions (asked for 2)"),
    (spec(replication_factor=3), state(replication_factor=1), 3, None,
     "topic orders: replication_factor is 1 and cannot be changed to 3"),
])
def test_refused_plans(topic, current, brokers, default, message):
    with pytest.raises(TopicError) as error:
        plan_topic(topic, current, brokers, default)
    assert str(error.value).startswith(message)


def test_update_plan_changes_configs_and_grows_partitions():
    current = state(partitions=3, **{"retention.ms": "1", "segment.ms": "5"})
    plan = plan_topic(spec(partitions=6, config={"retention.ms": "2", "segment.ms": None}), current, 1)
    assert plan.config_changes == {"retention.ms": "2", "segment.ms": None}
    assert plan.total_partitions == 6
    assert plan.actions == ["set retention.ms=2", "remove segment.ms", "add partitions 3 -> 6"]
    assert plan.after == state(partitions=6, **{"retention.ms": "2"})


def test_unchanged_topic_plans_nothing():
    current = state(partitions=3, **{"cleanup.policy": "compact,delete"})
    plan = plan_topic(spec(partitions=3, replication_factor=1, config={"cleanup.policy": "compact, delete"}),
                      current, 1)
    assert not plan.changed and plan.actions == []
    assert plan.after == current


@pytest.mark.parametrize("current, actions, after_state", [
    (state(), ["delete"], "absent"),
    (None, [], "absent"),
])
def test_absent_plan(current, actions, after_state):
    plan = plan_topic(spec(state="absent"), current, 1)
    assert plan.actions == actions and plan.delete is bool(actions)
    assert plan.result() == dict(name="orders", state=after_state, partitions=None, replication_factor=None,
                                 config={}, actions=actions)


def test_diff_shows_only_changing_topics():
    grow = plan_topic(spec("a", partitions=2), state(partitions=1), 1)
    same = plan_topic(spec("b", partitions=1), state(partitions=1), 1)
    gone = plan_topic(spec("c", state="absent"), state(partitions=1), 1)
    assert plan_diff([grow, same, gone]) == dict(
        before={"a": dict(state="present", partitions=1, replication_factor=1, config={}),
                "c": dict(state="present", partitions=1, replication_factor=1, config={})},
        after={"a": dict(state="present", partitions=2, replication_factor=1, config={}),
               "c": dict(state="absent")})


@pytest.mark.parametrize("wanted, seen, matches", [
    (None, None, True),
    (state(), None, False),
    (None, state(), False),
    (state(**{"retention.ms": "1"}), state(**{"retention.ms": "01"}), True),
    (state(**{"retention.ms": "1"}), state(), False),
    (state(), state(**{"retention.ms": "1"}), False),
    (state(partitions=2), state(partitions=1), False),
    # a config that was not read (the topic's config was not changed) is not compared
    (state(**{"retention.ms": "1"}), dict(state(), config=None), True),
    (state(partitions=2), dict(state(partitions=1), config=None), False),
])
def test_state_matches(wanted, seen, matches):
    assert state_matches(wanted, seen) is matches


def test_long_error_lists_are_cut():
    assert join_errors(["e%d" % i for i in range(7)]) == "e0; e1; e2; e3; e4; and 2 more"
    assert topics_subject(["a"]) == "topic a"
    assert topics_subject(["t%d" % i for i in range(1000)]) == "topics t0, t1, t2, t3, t4 and 995 more"
