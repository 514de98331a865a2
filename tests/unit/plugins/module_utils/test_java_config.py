"""The .properties text of java_properties; tests/real_cluster/test_client_profiles.py
has a Java client read such files back."""
import pytest

from ansible_collections.ecommerce.kafka.plugins.module_utils.java_config import java_properties


def test_keys_sorted_and_booleans_as_java_writes_them():
    assert java_properties({"linger.ms": 10, "enable.idempotence": True, "acks": "all"}) == (
        "acks=all\nenable.idempotence=true\nlinger.ms=10\n")


@pytest.mark.parametrize("value, line", [
    ('ScramLoginModule required username="u" password="a\\\\b";',
     'k=ScramLoginModule required username\\="u" password\\="a\\\\\\\\b";\n'),
    ("a:b#c!d", "k=a\\:b\\#c\\!d\n"),
    (" leading space", "k=\\ leading space\n"),
    ("two\nlines", "k=two\\nlines\n"),
    ("café", "k=caf\\u00e9\n"),
    ("", "k=\n"),
])
def test_values_escaped_for_properties_load(value, line):
    assert java_properties({"k": value}) == line


def test_keys_escape_spaces_too():
    assert java_properties({"a b": "c d"}) == "a\\ b=c d\n"
