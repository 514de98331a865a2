"""What the floor benchmarks share: timing ansible-playbook runs on localhost, and the report.

A module's figure is compared with two floors, both measured in the same run:
  raw + empty  the raw AdminClient's time plus an ansible-playbook run of the
               same play with no task;
  raw + task   the raw AdminClient's time plus the same play with one
               ansible.builtin.ping task: Ansible's own cost of running any
               module (a worker process, the module's upload, a Python
               interpreter, argument and result handling), which no module
               can go below.
The target applies to raw + task. On a 2-core machine a module task costs
Ansible about 0.4 s more than no task, while the broker answers a read of
1,000 partitions in under 0.1 s; the ratio to raw + empty is printed too.
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from tests.bench.services import KafkaBroker, ZooKeeper
from tests.bench.versions import ROOT

PLAY = {"name": "Bench", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}}


def write_playbook(path, tasks, vars_files=()):
    """A one-play playbook on localhost with `tasks`, reading `vars_files`."""
    play = dict(PLAY, tasks=tasks, **({"vars_files": list(vars_files)} if vars_files else {}))
    path.write_text(yaml.safe_dump([play], sort_keys=False))


def play(workdir, playbook):
    """Wall time of one ansible-playbook run and its `changed` count from the recap (None: no task ran)."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    started = time.monotonic()
    proc = subprocess.run(["ansible-playbook", "-i", "localhost,", playbook], cwd=workdir, env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    recap = re.search(r"localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", proc.stdout)
    if proc.returncode:
        sys.exit(f"{playbook} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed, int(recap.group(2)) if recap else None


RATIO_TARGET = 1.15


def report(title, steps, raw_rounds, module_rounds, empties, pings):
    """Print each step's best raw and module time and both ratios; the problems with the target."""
    empty, ping = statistics.median(empties), statistics.median(pings)
    print(f"{title}; {load()}")
    print(f"playbook with no task: median {empty:.2f} s of {len(empties)} runs; "
          f"with one ping task: median {ping:.2f} s of {len(pings)} runs")
    print(f"{'step':15} {'raw':>7} {'module':>8} {'/(raw+empty)':>13} {'/(raw+task)':>12}   rounds (raw | module)")
    problems, worst = [], 0.0
    for step in steps:
        raw = min(timings[step] for timings in raw_rounds)
        module = min(timings[step] for timings in module_rounds)
        ratio = module / (raw + ping)
        worst = max(worst, ratio)
        shown = " | ".join(", ".join(f"{timings[step]:.2f}" for timings in side)
                           for side in (raw_rounds, module_rounds))
        print(f"{step:15} {raw:5.2f} s {module:6.2f} s {module / (raw + empty):13.2f} {ratio:12.2f}   {shown}")
        if ratio > RATIO_TARGET:
            problems.append(f"{step}: module / (raw + task) is {ratio:.2f}, the target is at most {RATIO_TARGET}")
    if not problems:
        print(f"target met: module / (raw + task) at most {RATIO_TARGET} on every step (worst {worst:.2f})")
    return problems


def on_own_broker(prefix, benchmark):
    """benchmark(workdir, bootstrap) on a ZooKeeper and a broker of its own, in a temporary folder, stopped after."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        workdir = Path(tmp)
        zookeeper = ZooKeeper(workdir / "zookeeper")
        broker = KafkaBroker(workdir / "kafka", zookeeper)
        try:
            zookeeper.start()
            broker.start()
            benchmark(workdir, broker.bootstrap)
        finally:
            broker.stop()
            zookeeper.stop()


def load():
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
