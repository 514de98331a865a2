"""How the real-cluster tests judge a module's result, the same for every module."""


def succeeded(result):
    assert not result.get("failed"), result.get("msg")
    return result


def assert_failed(result, *fragments):
    """A failure is one line naming its cause, never a traceback; returns that line."""
    assert result.get("failed"), result
    message = result["msg"]
    assert "\n" not in message and "Traceback" not in message + result["_stderr"]
    assert "exception" not in result
    for fragment in fragments:
        assert fragment in message, message
    return message
