"""A throwaway certificate authority for the secured test broker.

Everything is made afresh for each session, in its private temporary folder.
Keys are P-256, quick to make. The broker's is unencrypted PKCS#8 PEM, which
Kafka 3.9's PEM key store reads without ssl.key.password.
"""
import datetime
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=2)


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _key_pem(key, encryption=serialization.NoEncryption()):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption).decode()


class CertificateAuthority:
    """A self-signed CA that issues the broker's and the clients' certificates."""

    def __init__(self, common_name):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = _name(common_name)
        self.certificate = self._sign(self.name, self.key.public_key(), x509.BasicConstraints(ca=True, path_length=0))

    def write(self, path):
        """The CA certificate alone: what a client or broker trusts."""
        path.write_text(_pem(self.certificate))
        return path

    def issue(self, common_name, hosts=()):
        """A key and a certificate for `common_name`, valid for both ends of a TLS
        connection (a broker is a client of the other brokers) and for `hosts`."""
        key = ec.generate_private_key(ec.SECP256R1())
        extensions = [x509.BasicConstraints(ca=False, path_length=None),
                      x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH])]
        if hosts:
            extensions.append(x509.SubjectAlternativeName([_subject_alternative(host) for host in hosts]))
        return Identity(self, key, self._sign(_name(common_name), key.public_key(), *extensions))

    def _sign(self, subject, public_key, *extensions):
        now = datetime.datetime.now(datetime.timezone.utc)
        builder = (x509.CertificateBuilder()
                   .subject_name(subject)
                   .issuer_name(self.name)
                   .public_key(public_key)
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + VALIDITY))
        for extension in extensions:
            builder = builder.add_extension(extension, critical=isinstance(extension, x509.BasicConstraints))
        return builder.sign(self.key, hashes.SHA256())


def _subject_alternative(host):
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


class Identity:
    """A certificate and its key, as the files each end of a connection reads."""

    def __init__(self, authority, key, certificate):
        self.authority, self.key, self.certificate = authority, key, certificate

    @property
    def principal(self):
        """The Kafka principal of this certificate under the default SSL principal mapping."""
        return f"User:{self.certificate.subject.rfc4514_string()}"

    def write_key_store(self, path):
        """Kafka's ssl.keystore.type=PEM file: the key, then the chain up to the CA."""
        path.write_text(_key_pem(self.key) + _pem(self.certificate) + _pem(self.authority.certificate))
        return path

    def write_pair(self, certificate_path, key_path, key_password):
        """librdkafka's ssl.certificate.location and ssl.key.location files, the
        key encrypted so that ssl.key.password is needed too."""
        certificate_path.write_text(_pem(self.certificate))
        key_path.write_text(_key_pem(self.key, serialization.BestAvailableEncryption(key_password.encode())))
        return certificate_path, key_path
