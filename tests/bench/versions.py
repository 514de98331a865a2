"""Read component versions from the roles' defaults, where they are defined once."""
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]

VERSION_KEYS = {
    "kafka": ("kafka_broker", "kafka_broker_version"),
    "apicurio": ("schema_registry", "schema_registry_version"),
}


def version(component):
    role, key = VERSION_KEYS[component]
    defaults = yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())
    return str(defaults[key])


if __name__ == "__main__":
    print(version(sys.argv[1]))
