"""masked_diff: the --diff of a file with secrets shows which lines changed, never a secret."""
from ansible_collections.ecommerce.kafka.plugins.module_utils.secret_text import masked_diff

JAAS = 'Server {{\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_kafka="{password}";\n}};\n'


def test_a_new_file_shows_its_lines_with_the_secrets_masked():
    diff = masked_diff("", JAAS.format(password="n3w-secret"), ["n3w-secret"])
    assert diff["before"] == ""
    assert 'user_kafka="********";' in diff["after"]
    assert "n3w-secret" not in diff["after"]


def test_a_changed_password_is_marked_on_its_line_and_neither_value_is_shown():
    diff = masked_diff(JAAS.format(password="old-secret"), JAAS.format(password="n3w-secret"), ["n3w-secret"])
    assert 'user_kafka="********";' in diff["before"]
    assert 'user_kafka="******** (changed)";' in diff["after"]
    assert "old-secret" not in diff["before"] + diff["after"]
    assert "n3w-secret" not in diff["before"] + diff["after"]


def test_an_unchanged_password_gives_identical_masked_texts():
    text = JAAS.format(password="same")
    diff = masked_diff(text, text, ["same"])
    assert diff["before"] == diff["after"] and "same" not in diff["after"]


def test_a_line_of_a_removed_user_is_masked_after_its_separator():
    before = "admin=adminpw\nbob=bobs-old-pw\n"
    diff = masked_diff(before, "admin=adminpw\n", ["adminpw"])
    assert diff["before"] == "admin=********\nbob=********\n"
    assert diff["after"] == "admin=********\n"


def test_the_line_of_a_new_user_is_an_addition():
    diff = masked_diff("admin=adminpw\n", "admin=adminpw\ncarol=carolpw\n", ["adminpw", "carolpw"])
    assert diff["before"] == "admin=********\n"
    assert diff["after"] == "admin=********\ncarol=********\n"


def test_new_lines_without_secrets_are_shown_and_old_lines_that_changed_are_masked():
    diff = masked_diff("a=1\nkeep=me\n", "a=2\nkeep=me\nb=3\n", [])
    assert diff == {"before": "a=********\nkeep=me\n", "after": "a=2\nkeep=me\nb=3\n"}


def test_a_secret_that_holds_another_is_masked_whole():
    diff = masked_diff("", "x=abc abcdef\n", ["abc", "abcdef"])
    assert diff["after"] == "x=******** ********\n"
