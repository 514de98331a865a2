"""Run the collection's modules for real, as Ansible would: a separate Python
process that reads its arguments from a file and prints one JSON result."""
import json
import os
import subprocess
import sys

import pytest

from tests.bench.versions import ROOT

COLLECTIONS = ROOT / ".collections"


class ModuleRunner:
    def __init__(self, tmp_path, bootstrap=None):
        self.tmp_path = tmp_path
        self.bootstrap = bootstrap
        self.calls = 0

    def __call__(self, module, check=False, diff=False, **args):
        if self.bootstrap and "bootstrap_servers" not in args:
            args["bootstrap_servers"] = self.bootstrap
        args.update(_ansible_check_mode=check, _ansible_diff=diff)
        self.calls += 1
        args_file = self.tmp_path / f"{module}-{self.calls}.json"
        args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
        path = ROOT / "plugins" / "modules" / f"{module}.py"
        proc = subprocess.run(
            [sys.executable, str(path), str(args_file)], capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(COLLECTIONS)}, timeout=600, check=False)
        try:
            result = json.loads(proc.stdout)
        except ValueError:
            raise AssertionError(f"{module} printed no JSON (rc {proc.returncode}):\n"
                                 f"{proc.stdout}\n{proc.stderr}")
        result["_stderr"] = proc.stderr
        return result


@pytest.fixture
def run_module(kafka, tmp_path):
    """run_module('kafka_topic', name=..., check=True, diff=True) -> result dict."""
    return ModuleRunner(tmp_path, kafka.bootstrap)
