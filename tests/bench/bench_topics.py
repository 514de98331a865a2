"""`make bench-topics`: kafka_topic against the broker's floor.

Starts its own ZooKeeper and Kafka broker. On it, in one run, each step of a
table of N topics (1 partition, RF 1, retention.ms set) is timed three ways:
  raw     confluent-kafka's AdminClient, one call, no Ansible: create (until
          every topic is in the metadata), a no-op read (describe the topics
          and their configs), change retention.ms, 1 -> 2 partitions (until
          the metadata shows them), delete (until none is in the metadata);
  empty   ansible-playbook on the same play, vars file included, with no
          task, and with one ansible.builtin.ping task;
  module  ansible-playbook with one ecommerce.kafka.kafka_topic task (`topics:`).
It prints each step's ratios to the floors of tests/bench/floor.py and exits
1 if a run fails, changes what it should not, leaves the broker in another
state, or module / (raw + task) is above the target.

The machine is noisy, and noise only ever adds time: after a raw round that
warms the broker's JVM up, the rounds run in the order raw, module, module,
raw, so a drift of the machine's speed weighs on both sides alike, and each
figure is the better of its two rounds. Each round has its own topic names, since the
broker deletes a topic's files in the background. A no-op figure is the median
of three runs.

`make bench-topics-loop` compares the no-op table in one task with a loop of
N single-topic tasks.

The table is a JSON vars file: Ansible reads JSON with json.loads before it
tries its YAML parser, which costs 0.4 to 0.9 s more CPU on 1,000 entries.
"""
import json
import os
import statistics
import sys
import time

from confluent_kafka import TopicCollection
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewPartitions,
                                   NewTopic, ResourceType)

from tests.bench.floor import load, on_own_broker, play, report, write_playbook
from tests.bench.services import QUIET_LOGGER

TOPICS = int(os.environ.get("BENCH_TOPICS", "1000"))
NOOP_RUNS = 3
STEPS = ("create", "no-op", "alter", "grow", "delete")
RETENTION = {"create": "604800000", "alter": "86400000"}
PARTITIONS = {"create": 1, "grow": 2}
TIMEOUT = 120
LOOP_NOOP_TARGET_SECONDS = 5.0
LOOP_RATIO_TARGET = 20.0
VARS_FILES = ["topics.json"]
MODULE_ARGS = {"bootstrap_servers": "{{ bench_bootstrap }}", "request_timeout": TIMEOUT}


def names(prefix):
    return [f"{prefix}-{index:04d}" for index in range(TOPICS)]


def table(prefix, step):
    """The topic table as it is wanted after `step`."""
    retention = RETENTION["alter"] if step in ("alter", "grow", "delete") else RETENTION["create"]
    partitions = PARTITIONS["grow"] if step in ("grow", "delete") else PARTITIONS["create"]
    return [{"name": name, "partitions": partitions, "replication_factor": 1, "config": {"retention.ms": retention}}
            for name in names(prefix)]


def write_play(workdir, bootstrap, topics, task=None, loop=False):
    """topics.json and table.yml (one task), empty.yml (no task), loop.yml (one task per topic)."""
    (workdir / "topics.json").write_text(json.dumps({"bench_bootstrap": bootstrap, "bench_topics": topics}))
    one_task = {"name": "Ensure the table in one task",
                "ecommerce.kafka.kafka_topic": dict(MODULE_ARGS, topics="{{ bench_topics }}", **(task or {}))}
    write_playbook(workdir / "table.yml", [one_task], VARS_FILES)
    write_playbook(workdir / "empty.yml", [], VARS_FILES)
    write_playbook(workdir / "ping.yml", [{"ansible.builtin.ping": {}}], VARS_FILES)
    if loop:
        looped = {"name": "Ensure the table one topic per task",
                  "ecommerce.kafka.kafka_topic": dict(
                      MODULE_ARGS, name="{{ item.name }}", partitions="{{ item.partitions }}",
                      replication_factor="{{ item.replication_factor }}", config="{{ item.config }}"),
                  "loop": "{{ bench_topics }}", "loop_control": {"label": "{{ item.name }}"}}
        write_playbook(workdir / "loop.yml", [looped], VARS_FILES)


def settle(futures):
    for future in futures.values():
        future.result()


def until_metadata(admin, topics, partitions):
    """Poll the metadata until every one of `topics` has `partitions` partitions (0: is absent)."""
    while True:
        listed = admin.list_topics(timeout=TIMEOUT).topics
        if all(len(listed[name].partitions) == partitions if partitions else name not in listed for name in topics):
            return
        time.sleep(0.05)


def raw_step(admin, prefix, step):
    """The AdminClient doing `step` for every topic of `prefix` in one call, no Ansible."""
    topics = names(prefix)
    operation = {"request_timeout": TIMEOUT + 5, "operation_timeout": TIMEOUT}
    if step == "create":
        settle(admin.create_topics([NewTopic(name, PARTITIONS["create"], 1, config={"retention.ms": RETENTION[step]})
                                    for name in topics], **operation))
        until_metadata(admin, topics, PARTITIONS["create"])
    elif step == "no-op":
        described = admin.describe_topics(TopicCollection(topics), request_timeout=TIMEOUT)
        configs = admin.describe_configs([ConfigResource(ResourceType.TOPIC, name) for name in topics],
                                         request_timeout=TIMEOUT)
        settle(described)
        settle(configs)
    elif step == "alter":
        settle(admin.incremental_alter_configs([ConfigResource(ResourceType.TOPIC, name, incremental_configs=[
            ConfigEntry("retention.ms", RETENTION[step], incremental_operation=AlterConfigOpType.SET)])
            for name in topics], request_timeout=TIMEOUT))
    elif step == "grow":
        settle(admin.create_partitions([NewPartitions(name, PARTITIONS[step]) for name in topics], **operation))
        until_metadata(admin, topics, PARTITIONS[step])
    elif step == "delete":
        settle(admin.delete_topics(topics, **operation))
        until_metadata(admin, topics, 0)


def broker_state(admin, prefix):
    """{(partitions, retention.ms): count} of the topics of `prefix` on the broker."""
    topics = [name for name in admin.list_topics(timeout=TIMEOUT).topics if name.startswith(prefix + "-")]
    if not topics:
        return {}
    described = admin.describe_topics(TopicCollection(topics), request_timeout=TIMEOUT)
    configs = admin.describe_configs([ConfigResource(ResourceType.TOPIC, name) for name in topics],
                                     request_timeout=TIMEOUT)
    partitions = {name: len(future.result().partitions) for name, future in described.items()}
    retention = {resource.name: future.result()["retention.ms"].value for resource, future in configs.items()}
    states = {}
    for name in topics:
        key = (partitions[name], retention[name])
        states[key] = states.get(key, 0) + 1
    return states


def expected_state(step):
    if step == "delete":
        return {}
    wanted = table("x", step)[0]
    return {(wanted["partitions"], wanted["config"]["retention.ms"]): TOPICS}


def raw_round(admin, prefix):
    timings = {}
    for step in STEPS:
        runs = NOOP_RUNS if step == "no-op" else 1
        elapsed = []
        for _run in range(runs):
            started = time.monotonic()
            raw_step(admin, prefix, step)
            elapsed.append(time.monotonic() - started)
        timings[step] = statistics.median(elapsed)
    return timings


def module_round(admin, workdir, bootstrap, prefix, problems):
    timings, empties, pings = {}, [], []
    for step in STEPS:
        write_play(workdir, bootstrap, table(prefix, step), {"state": "absent"} if step == "delete" else None)
        empties.append(play(workdir, "empty.yml")[0])
        pings.append(play(workdir, "ping.yml")[0])
        runs = [play(workdir, "table.yml") for _run in range(NOOP_RUNS if step == "no-op" else 1)]
        timings[step] = statistics.median(elapsed for elapsed, _changed in runs)
        changed = sum(changed for _elapsed, changed in runs)
        if changed != (0 if step == "no-op" else 1):
            problems.append(f"{prefix} {step}: the task reported changed={changed}")
        state = broker_state(admin, prefix)
        if state != expected_state(step):
            problems.append(f"{prefix} {step}: the broker has {state}, not {expected_state(step)}")
    return timings, empties, pings


def floor_benchmark(workdir, bootstrap):
    admin = AdminClient({"bootstrap.servers": bootstrap, "logger": QUIET_LOGGER})
    problems = []
    raw_round(admin, "warm-up")
    raw = [raw_round(admin, "raw1")]
    module, empties, pings = [], [], []
    for prefix in ("mod1", "mod2"):
        timings, empty, ping = module_round(admin, workdir, bootstrap, prefix, problems)
        module.append(timings)
        empties.extend(empty)
        pings.extend(ping)
    raw.append(raw_round(admin, "raw2"))
    title = f"{TOPICS} topics, 1 partition, RF 1, retention.ms set; rounds raw, module, module, raw"
    problems += report(title, STEPS, raw, module, empties, pings)
    if problems:
        sys.exit("MISSED: " + "; ".join(problems))


def loop_benchmark(workdir, bootstrap):
    """(a) create the table in one task, (b) the no-op again (median of three), (c) a loop of single-topic tasks."""
    admin = AdminClient({"bootstrap.servers": bootstrap, "logger": QUIET_LOGGER})
    write_play(workdir, bootstrap, table("loop", "create"), loop=True)
    create, created = play(workdir, "table.yml")
    listed = [name for name in admin.list_topics(timeout=30).topics if name.startswith("loop-")]
    noops = [play(workdir, "table.yml") for _run in range(NOOP_RUNS)]
    noop = statistics.median(elapsed for elapsed, _changed in noops)
    noop_changed = sum(changed for _elapsed, changed in noops)
    loop, loop_changed = play(workdir, "loop.yml")
    ratio = loop / noop
    print(f"(a) create {TOPICS} topics, one task with topics:   {create:8.2f} s  (changed={created}, "
          f"{len(listed)} topics on the broker)")
    print(f"(b) same table again, one task (no-op)         {noop:8.2f} s  (median of "
          f"{', '.join(f'{elapsed:.2f}' for elapsed, _changed in noops)}; changed={noop_changed})")
    print(f"(c) same no-op, loop of {TOPICS} single-topic tasks {loop:8.2f} s  (changed={loop_changed}; {load()})")
    print(f"c/b = {ratio:.1f}")
    problems = []
    if created != 1 or len(listed) != TOPICS:
        problems.append(f"(a) should create {TOPICS} topics in one changed task")
    if noop_changed or loop_changed:
        problems.append("(b) and (c) should change nothing")
    if noop >= LOOP_NOOP_TARGET_SECONDS:
        problems.append(f"(b) took {noop:.2f} s, the target is under {LOOP_NOOP_TARGET_SECONDS:.0f} s")
    if ratio < LOOP_RATIO_TARGET:
        problems.append(f"c/b is {ratio:.1f}, the target is at least {LOOP_RATIO_TARGET:.0f}")
    if problems:
        sys.exit("MISSED: " + "; ".join(problems))
    print(f"targets met: (b) under {LOOP_NOOP_TARGET_SECONDS:.0f} s, c/b at least {LOOP_RATIO_TARGET:.0f}")


def main():
    benchmark = loop_benchmark if sys.argv[1:] == ["loop"] else floor_benchmark
    on_own_broker("bench-topics-", benchmark)


if __name__ == "__main__":
    main()
