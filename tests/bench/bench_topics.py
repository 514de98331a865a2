"""`make bench-topics`: what a whole topic table in one task buys.

Starts its own ZooKeeper and Kafka broker, then times three ansible-playbook
runs of ecommerce.kafka.kafka_topic against it:
  (a) create N topics (1 partition, RF 1) in one task with `topics:`;
  (b) the same table again, a no-op (median of three runs);
  (c) the same no-op as a loop of N single-topic tasks (`loop:` with `name:`).
Prints each wall time and c/b; exits 1 if a run fails, is not the no-op it
should be, or misses a target ((b) under 5 s, c/b at least 20).

The table is a JSON vars file: Ansible reads JSON with json.loads before it
tries its YAML parser, which costs 0.4 to 0.9 s more CPU on 1,000 entries.
Both (b) and (c) load it the same way.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from confluent_kafka.admin import AdminClient

from tests.bench.services import KafkaBroker, ZooKeeper
from tests.bench.versions import ROOT

TOPICS = int(os.environ.get("BENCH_TOPICS", "1000"))
NOOP_TARGET_SECONDS = 5.0
RATIO_TARGET = 20.0
NOOP_RUNS = 3
PLAY = {"name": "Bench the topic table", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, "vars_files": ["topics.json"]}
MODULE_ARGS = {"bootstrap_servers": "{{ bench_bootstrap }}", "request_timeout": 120}


def write_playbooks(workdir, bootstrap):
    table = [{"name": f"bench-{index:04d}", "partitions": 1, "replication_factor": 1} for index in range(TOPICS)]
    (workdir / "topics.json").write_text(json.dumps({"bench_bootstrap": bootstrap, "bench_topics": table}))
    one_task = dict(PLAY, tasks=[{"name": "Ensure the table in one task",
                                  "ecommerce.kafka.kafka_topic": dict(MODULE_ARGS, topics="{{ bench_topics }}")}])
    looped = dict(PLAY, tasks=[{
        "name": "Ensure the table one topic per task",
        "ecommerce.kafka.kafka_topic": dict(MODULE_ARGS, name="{{ item.name }}", partitions="{{ item.partitions }}",
                                            replication_factor="{{ item.replication_factor }}"),
        "loop": "{{ bench_topics }}", "loop_control": {"label": "{{ item.name }}"}}])
    (workdir / "table.yml").write_text(yaml.safe_dump([one_task], sort_keys=False))
    (workdir / "loop.yml").write_text(yaml.safe_dump([looped], sort_keys=False))


def play(workdir, playbook):
    """Wall time of one ansible-playbook run and its `changed` count from the recap."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    started = time.monotonic()
    proc = subprocess.run(["ansible-playbook", "-i", "localhost,", playbook], cwd=workdir, env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    recap = re.search(r"localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", proc.stdout)
    if proc.returncode or not recap:
        sys.exit(f"{playbook} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed, int(recap.group(2))


def load():
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def main():
    with tempfile.TemporaryDirectory(prefix="bench-topics-") as tmp:
        workdir = Path(tmp)
        zookeeper = ZooKeeper(workdir / "zookeeper")
        broker = KafkaBroker(workdir / "kafka", zookeeper)
        try:
            zookeeper.start()
            broker.start()
            write_playbooks(workdir, broker.bootstrap)
            create, created = play(workdir, "table.yml")
            create_load = load()
            listed = [name for name in AdminClient({"bootstrap.servers": broker.bootstrap})
                      .list_topics(timeout=30).topics if name.startswith("bench-")]
            noops = [play(workdir, "table.yml") for _run in range(NOOP_RUNS)]
            noop_load = load()
            loop, loop_changed = play(workdir, "loop.yml")
            loop_load = load()
        finally:
            broker.stop()
            zookeeper.stop()

    # The median of a few runs: one wall time on a shared machine says as much about the neighbours.
    noop = statistics.median(elapsed for elapsed, _changed in noops)
    noop_changed = sum(changed for _elapsed, changed in noops)
    ratio = loop / noop
    runs = ", ".join(f"{elapsed:.2f}" for elapsed, _changed in noops)
    print(f"(a) create {TOPICS} topics, one task with topics:   {create:8.2f} s  (changed={created}, "
          f"{len(listed)} topics on the broker; {create_load})")
    print(f"(b) same table again, one task (no-op)         {noop:8.2f} s  (median of {runs}; "
          f"changed={noop_changed}; {noop_load})")
    print(f"(c) same no-op, loop of {TOPICS} single-topic tasks {loop:8.2f} s  (changed={loop_changed}; {loop_load})")
    print(f"c/b = {ratio:.1f}")
    problems = []
    if created != 1 or len(listed) != TOPICS:
        problems.append(f"(a) should create {TOPICS} topics in one changed task")
    if noop_changed or loop_changed:
        problems.append("(b) and (c) should change nothing")
    if noop >= NOOP_TARGET_SECONDS:
        problems.append(f"(b) took {noop:.2f} s, the target is under {NOOP_TARGET_SECONDS:.0f} s")
    if ratio < RATIO_TARGET:
        problems.append(f"c/b is {ratio:.1f}, the target is at least {RATIO_TARGET:.0f}")
    if problems:
        sys.exit("MISSED: " + "; ".join(problems))
    print(f"targets met: (b) under {NOOP_TARGET_SECONDS:.0f} s, c/b at least {RATIO_TARGET:.0f}")


if __name__ == "__main__":
    main()
