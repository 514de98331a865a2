"""module_utils/registry: the one line that says why the registry gave no answer."""
import pytest

from ansible_collections.ecommerce.kafka.plugins.module_utils.registry import describe_connection_error

HTTPS = "https://registry-1:8081/apis/ccompat/v7"
HTTP = "http://registry-1:8081/apis/ccompat/v7"


@pytest.mark.parametrize("url, error, line", [
    (HTTPS, "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required (_ssl.c:2580)",
     f"the TLS handshake with registry {HTTPS} failed: tlsv13 alert certificate required"),
    (HTTPS, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate "
            "chain (_ssl.c:1006)",
     f"the TLS handshake with registry {HTTPS} failed: certificate verify failed: self-signed certificate in "
     "certificate chain"),
    (HTTP, "Server disconnected without sending a response.",
     f"registry {HTTP} closed the connection without an answer, as an HTTPS port does to plain HTTP: "
     "is the URL https://?"),
    (HTTPS, "Server disconnected without sending a response.",
     f"registry {HTTPS} could not be reached: Server disconnected without sending a response."),
    (HTTP, "[Errno 111] Connection refused", f"registry {HTTP} could not be reached: [Errno 111] Connection refused"),
], ids=["alert", "verify-failed", "http-to-https", "disconnected", "refused"])
def test_describe_connection_error(url, error, line):
    assert describe_connection_error(url, error) == line
