"""Read component versions from the roles, where each is defined once."""
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _load(path):
    return yaml.safe_load((ROOT / "roles" / path).read_text())


def version(component):
    if component == "kafka":
        return str(_load("_common/vars/main.yml")["_common_kafka_release"]["version"])
    if component == "jmx_exporter":
        return str(_load("_common/vars/main.yml")["_common_metrics_agent_release"]["version"])
    if component == "apicurio":
        return str(_load("schema_registry/defaults/main.yml")["schema_registry_version"])
    raise KeyError(component)


if __name__ == "__main__":
    print(version(sys.argv[1]))
