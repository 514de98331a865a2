"""The kafka_monitoring role's alert rules and Prometheus configuration, as
the role renders them, through promtool: `check rules`, `check config`, and
the rules' unit tests in kafka_monitoring/alerts.test.yml."""
import shutil
import subprocess

import pytest
import yaml

from tests.bench.versions import ROOT
from tests.unit.roles.conftest import Renderer, role_variables

HERE = ROOT / "tests" / "unit" / "roles" / "kafka_monitoring"
RULES_DELIMITERS = {"variable_start_string": "[[", "variable_end_string": "]]"}


def promtool(*args):
    path = shutil.which("promtool")
    assert path, "promtool is missing: `make setup` installs Debian's prometheus package, which has it"
    return subprocess.run([path, *args], capture_output=True, text=True, timeout=60, check=False)


def facts(fqdn):
    return {"ansible_facts": {"fqdn": fqdn}}


@pytest.fixture
def monitoring(tmp_path):
    """The role's variables over a prod-like inventory, its rules written where its configuration names them."""
    variables = {
        **role_variables("kafka_monitoring/defaults/main.yml", "kafka_monitoring/vars/main.yml"),
        "ansible_managed": "Ansible managed",
        "kafka_monitoring_rules_file": str(tmp_path / "rules.yml"),
        "groups": {"zookeeper": ["zk-1", "zk-2", "zk-3"], "kafka_broker": ["kafka-1", "kafka-2", "kafka-3"],
                   "schema_registry": ["kafka-1"]},
        "hostvars": {name: facts(name + ".example") for name in
                     ("zk-1", "zk-2", "zk-3", "kafka-1", "kafka-2", "kafka-3")},
    }
    return Renderer(variables)


def write_rules(renderer, path):
    path.write_text(renderer.template("kafka_monitoring", "rules.yml.j2", **RULES_DELIMITERS))
    return path


def test_rules_pass_promtool_and_every_alert_has_a_summary_and_a_runbook_section(monitoring, tmp_path):
    rules = write_rules(monitoring, tmp_path / "rules.yml")
    checked = promtool("check", "rules", str(rules))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 11 rules found" in checked.stdout

    troubleshooting = (ROOT / "docs" / "troubleshooting.md").read_text()
    for group in yaml.safe_load(rules.read_text())["groups"]:
        for rule in group["rules"]:
            assert rule["annotations"]["summary"]
            section = rule["annotations"]["runbook_url"].split("#")[1]
            assert f"### {rule['alert']}\n" in troubleshooting and section == rule["alert"].lower()


def test_configuration_passes_promtool_and_scrapes_each_component(monitoring, tmp_path):
    write_rules(monitoring, tmp_path / "rules.yml")
    config = tmp_path / "prometheus.yml"
    config.write_text(monitoring.template("kafka_monitoring", "prometheus.yml.j2"))
    checked = promtool("check", "config", str(config))
    assert checked.returncode == 0, checked.stdout + checked.stderr

    jobs = {job["job_name"]: job["static_configs"][0]["targets"]
            for job in yaml.safe_load(config.read_text())["scrape_configs"]}
    assert jobs == {
        "zookeeper": ["zk-1:7072", "zk-2:7072", "zk-3:7072"],
        "kafka": ["kafka-1.example:7071", "kafka-2.example:7071", "kafka-3.example:7071"],
        "schema_registry": ["kafka-1.example:9000"],
        "kafka_node": ["kafka-1.example:9100", "kafka-2.example:9100", "kafka-3.example:9100"],
    }


def test_a_group_without_hosts_and_the_node_exporter_turned_off_are_not_scraped(monitoring):
    monitoring.variables.update(kafka_monitoring_node_exporter_port=0)
    monitoring.variables["groups"].pop("schema_registry")
    config = monitoring.expression("{{ _kafka_monitoring_config }}")
    assert [job["job_name"] for job in config["scrape_configs"]] == ["zookeeper", "kafka"]


def test_alerts_fire_and_resolve_as_their_unit_tests_expect(monitoring, tmp_path):
    write_rules(monitoring, tmp_path / "rules.yml")
    shutil.copy(HERE / "alerts.test.yml", tmp_path)
    tested = promtool("test", "rules", str(tmp_path / "alerts.test.yml"))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_the_targets_that_prometheus_does_not_scrape_are_named(monitoring):
    scraped = ["zk-1:7072", "zk-2:7072", "zk-3:7072", "kafka-1.example:7071", "kafka-2.example:7071",
               "kafka-1.example:9000", "kafka-1.example:9100", "kafka-2.example:9100", "kafka-3.example:9100"]
    monitoring.variables["__kafka_monitoring_targets"] = {
        "status": 200, "json": {"data": {"activeTargets": [{"labels": {"instance": each}} for each in scraped]}}}
    assert monitoring.expression("{{ __kafka_monitoring_missing_targets }}") == ["kafka-3.example:7071"]

    monitoring.variables["__kafka_monitoring_targets"] = {"status": -1, "msg": "Connection refused"}
    assert len(monitoring.expression("{{ __kafka_monitoring_missing_targets }}")) == 10
