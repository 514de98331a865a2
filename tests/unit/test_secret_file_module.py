"""secret_file on this machine's file system, run by ansible-playbook as a role
runs it: the file is written once with its mode, check mode writes nothing,
and neither the log nor --diff shows a secret."""
import json
import os
import stat
import subprocess
import sys

import yaml

from tests.bench.versions import ROOT

OLD, NEW = "0ld-Passw0rd", "n3w-Passw0rd"


def run(tmp_path, password, *args):
    target = tmp_path / "zookeeper-client.jaas"
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [{
        "name": "Write the login",
        "ecommerce.kafka.secret_file": {
            "path": str(target), "mode": "0640", "secrets": [password],
            "content": 'Client {\n  DigestLoginModule required\n  username="kafka"\n  password="%s";\n};\n' % password},
    }]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
         "-e", "ansible_python_interpreter=" + sys.executable, str(tmp_path / "play.yml"), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_STDOUT_CALLBACK": "json"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    return result, proc.stdout + proc.stderr, target


def test_check_mode_reports_the_new_file_masked_and_writes_nothing(tmp_path):
    result, output, target = run(tmp_path, NEW, "--check", "--diff")
    assert result["changed"] is True
    assert 'password="********";' in result["diff"]["after"]
    assert NEW not in output
    assert not target.exists()


def test_the_file_is_written_once_with_its_mode(tmp_path):
    result, output, target = run(tmp_path, NEW, "--diff")
    assert result["changed"] is True and NEW not in output
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert NEW in target.read_text()
    again = run(tmp_path, NEW, "--diff")
    assert again[0]["changed"] is False


def test_a_changed_password_shows_as_a_masked_changed_line(tmp_path):
    run(tmp_path, OLD)
    result, output, target = run(tmp_path, NEW, "--diff")
    assert result["changed"] is True
    assert 'password="********";' in result["diff"]["before"]
    assert 'password="******** (changed)";' in result["diff"]["after"]
    assert OLD not in output and NEW not in output
    assert NEW in target.read_text()
