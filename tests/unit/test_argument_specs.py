"""Every role declares in meta/argument_specs.yml exactly the variables of its
defaults/main.yml: each default is documented and typed, and each documented
option without a default is required (the per-host ids, the environment's
replication settings) or a secret (no_log), which never has a default. Each
spec mirrors its default, so that `ansible-doc -t role` shows it; Ansible reads
the value from defaults/main.yml, and the test below keeps the two equal."""
import pytest
import yaml

from tests.bench.versions import ROOT

ROLES = sorted(path.parent.parent for path in (ROOT / "roles").glob("*/meta/argument_specs.yml"))


def load(path):
    return yaml.safe_load(path.read_text()) if path.is_file() else {}


def entry_points(role):
    return load(role / "meta" / "argument_specs.yml")["argument_specs"]


def test_every_role_has_argument_specs():
    roles = sorted(path for path in (ROOT / "roles").iterdir() if path.is_dir())
    assert roles == ROLES


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name)
def test_main_options_are_exactly_the_defaults_plus_required_ones(role):
    defaults = load(role / "defaults" / "main.yml") or {}
    options = entry_points(role)["main"]["options"] or {}
    # Secrets (no_log) have no default: the inventory's vault gives them where they are needed.
    optional = {name for name, spec in options.items() if not spec.get("required") and not spec.get("no_log")}
    required = {name for name, spec in options.items() if spec.get("required")}
    assert not {name for name, spec in options.items() if spec.get("no_log")} & set(defaults), "a secret has a default"
    assert optional == set(defaults), (
        f"undocumented defaults: {sorted(set(defaults) - optional)}; "
        f"optional options without a default: {sorted(optional - set(defaults))}")
    assert not required & set(defaults), f"required options with a default: {sorted(required & set(defaults))}"


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name)
def test_main_options_show_exactly_the_defaults(role):
    defaults = load(role / "defaults" / "main.yml") or {}
    options = entry_points(role)["main"]["options"] or {}
    differ = {name: (option.get("default"), defaults.get(name)) for name, option in options.items()
              if not option.get("required") and option.get("default") != defaults.get(name)}
    assert not differ, f"spec default vs defaults/main.yml: {differ}"


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name)
def test_options_are_typed_documented_and_prefixed(role):
    prefix = role.name.lstrip("_") if role.name.startswith("_") else role.name
    for entry, spec in entry_points(role).items():
        for name, option in (spec.get("options") or {}).items():
            where = f"{role.name}:{entry}:{name}"
            assert option.get("type"), f"{where} has no type"
            assert option.get("description"), f"{where} has no description"
            assert name.lstrip("_").startswith(prefix + "_"), f"{where} lacks the role prefix"
