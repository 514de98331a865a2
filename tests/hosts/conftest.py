"""Real systemd hosts for the roles: podman containers from the bench image
(`make image`) on a network of their own, converged by `ansible-playbook` as an
operator runs it. A missing image or a host that does not boot is an error,
never a skip."""
import os
import pathlib
import re
import subprocess
import sys
import time

import pytest
import yaml

from tests.bench.versions import ROOT

BIN = pathlib.Path(sys.executable).parent
IMAGE = "localhost/ecommerce-kafka-host:latest"
BOOT_TIMEOUT = 120
ENV = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
       "CONTAINERS_CONF": os.environ.get("CONTAINERS_CONF", str(ROOT / "tools" / "containers.conf")),
       "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def podman(*args, check=True):
    proc = subprocess.run(["podman", *args], capture_output=True, text=True, env=ENV, timeout=120, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc


class Run:
    """One ansible-playbook run: its return code and everything it printed."""

    def __init__(self, proc):
        self.rc, self.output = proc.returncode, proc.stdout + proc.stderr

    def succeeded(self):
        assert self.rc == 0, f"ansible-playbook failed ({self.rc}):\n{self.output[-6000:]}"
        return self

    def refused(self, *fragments):
        assert self.rc != 0, f"ansible-playbook should have refused, it passed:\n{self.output[-3000:]}"
        for fragment in fragments:
            assert fragment in self.output, f"{fragment!r} not in the output:\n{self.output[-6000:]}"
        return self.unchanged()

    def unchanged(self):
        recap = self.output.split("PLAY RECAP")[-1]
        assert not re.search(r"changed=[1-9]", recap), f"the run changed something:\n{recap}"
        return self


class Hosts:
    """Containers with systemd as PID 1, named PREFIX-1, PREFIX-2, ..."""

    # A few milliseconds a task, where containers.podman.podman spends about 0.6 s in podman exec.
    connection_vars = {"ansible_connection": "ecommerce.kafka.podman_nsenter"}

    def __init__(self, prefix, count, workdir):
        self.network = prefix
        self.names = [f"{prefix}-{number}" for number in range(1, count + 1)]
        self.workdir = workdir
        self.runs = 0

    def start(self):
        if podman("image", "exists", IMAGE, check=False).returncode != 0:
            raise AssertionError(f"{IMAGE} is missing: run `make image` first")
        self.remove()
        podman("network", "create", self.network)
        for name in self.names:
            podman("run", "--detach", "--name", name, "--hostname", name, "--network", self.network,
                   "--systemd=always", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096",
                   IMAGE, "/sbin/init")
        deadline = time.monotonic() + BOOT_TIMEOUT
        for name in self.names:
            while self.sh(name, "systemctl", "is-system-running", check=False).stdout.strip() not in (
                    "running", "degraded"):
                if time.monotonic() > deadline:
                    raise AssertionError(f"systemd in {name} did not finish booting within {BOOT_TIMEOUT}s")
                time.sleep(1)
        return self

    def remove(self):
        for name in self.names:
            podman("rm", "--force", "--ignore", "--time", "0", name, check=False)
        podman("network", "rm", "--force", self.network, check=False)

    def sh(self, host, *argv, check=True):
        proc = podman("exec", host, *argv, check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"{host}: {' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")
        return proc

    def address(self, host):
        return podman("container", "inspect", "--format",
                      "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", host).stdout.strip()

    def main_pid(self, host, service):
        return int(self.sh(host, "systemctl", "show", "--property", "MainPID", "--value", service).stdout)

    def digest(self, host, *paths):
        return self.sh(host, "sha256sum", *paths).stdout

    def playbook(self, playbook, inventory, *args):
        self.runs += 1
        path = self.workdir / f"inventory-{self.runs}.yml"
        path.write_text(yaml.safe_dump(inventory, sort_keys=False))
        argv = [str(BIN / "ansible-playbook"), "-i", str(path), playbook,
                "-e", "@tests/bench/staged_archives.yml", *args]
        return Run(subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=ENV, timeout=900,
                                  check=False))


@pytest.fixture(scope="module")
def hosts_of(tmp_path_factory):
    """hosts_of(prefix, count) -> started Hosts, removed at the end of the module."""
    started = []

    def start(prefix, count):
        hosts = Hosts(prefix, count, tmp_path_factory.mktemp(prefix)).start()
        started.append(hosts)
        return hosts

    yield start
    for hosts in started:
        hosts.remove()
