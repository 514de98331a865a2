"""jaas_quote: a value as Java's JAAS parser reads it back."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ecommerce.kafka.plugins.filter.jaas import jaas_quote


@pytest.mark.parametrize("value, quoted", [
    ("s3cret", '"s3cret"'),
    ('with"quote', '"with\\"quote"'),
    ("back\\slash", '"back\\\\slash"'),
    ("semi;colon =x", '"semi;colon =x"'),
])
def test_quotes_and_escapes(value, quoted):
    assert jaas_quote(value) == quoted


@pytest.mark.parametrize("value", ["line\nbreak", "carriage\rreturn"])
def test_refuses_a_line_break(value):
    with pytest.raises(AnsibleFilterError, match="line break"):
        jaas_quote(value)
