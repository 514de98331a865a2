"""Render the roles' own variables and templates with Ansible's templating, as a
play would, to test the rules they encode without a host."""
import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from tests.bench.versions import ROOT


def trusted(value):
    """Role files are trusted templates; mark them so, as Ansible does when it loads a role."""
    if isinstance(value, dict):
        return {key: trusted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [trusted(item) for item in value]
    return trust_as_template(value) if isinstance(value, str) else value


def role_variables(*files):
    variables = {}
    for name in files:
        variables.update(trusted(yaml.safe_load((ROOT / "roles" / name).read_text())))
    return variables


class Renderer:
    def __init__(self, variables):
        self.variables = variables

    def expression(self, text):
        return Templar(loader=DataLoader(), variables=self.variables).template(trust_as_template(text))

    def template(self, role, name, **overrides):
        """A role template as the template module renders it; overrides are its
        delimiter options, such as variable_start_string."""
        source = (ROOT / "roles" / role / "templates" / name).read_text()
        templar = Templar(loader=DataLoader(), variables=self.variables)
        return templar.template(trust_as_template(source), escape_backslashes=False, overrides=overrides or None)

    def properties_file(self, settings):
        """The file _common's properties.j2 writes for the settings the expression `settings` evaluates to."""
        variables = {**self.variables, "__common_properties": self.expression(settings)}
        return Renderer(variables).template("_common", "properties.j2")


@pytest.fixture
def render():
    """render(variables) -> Renderer; variables are the role files' merged with the test's."""
    return Renderer
