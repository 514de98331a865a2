"""Real ZooKeeper, Kafka broker and Apicurio Registry processes on loopback,
and the schema registry role's HAProxy in front of the registry.

The pytest fixtures, the benchmarks and the compose tests start the platform
from the archives that `make artifacts` stages, so every test that claims Kafka
behaviour talks to the real thing. Readiness is probed, never slept on.
"""
import glob
import logging
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tarfile
import time
import urllib.error
import urllib.request

from confluent_kafka.schema_registry.error import SchemaRegistryError
from cryptography.hazmat.primitives import serialization

from tests.bench.tls import CertificateAuthority
from tests.bench.versions import ROOT, version
from tests.unit.roles.conftest import Renderer, role_variables

ARTIFACTS = pathlib.Path(os.environ.get("ARTIFACTS_DIR", ROOT / ".cache" / "artifacts"))
UNPACKED = ROOT / ".cache" / "unpacked"
START_TIMEOUT = float(os.environ.get("BENCH_START_TIMEOUT", "120"))


REGISTRY_TIMEOUT = 30
QUIET_LOGGER = logging.getLogger("tests.bench.librdkafka")
QUIET_LOGGER.addHandler(logging.NullHandler())
QUIET_LOGGER.propagate = False


class ServiceError(RuntimeError):
    pass


def kafka_archive():
    return ARTIFACTS / f"kafka_2.13-{version('kafka')}.tgz"


def kafka_home():
    """The unpacked Kafka release, whose libs/ every Kafka JVM here runs from."""
    return unpack(kafka_archive()) / f"kafka_2.13-{version('kafka')}"


def apicurio_archive():
    return ARTIFACTS / f"apicurio-registry-app-{version('apicurio')}-all.tar.gz"


def unpack(archive):
    """Unpack a staged archive once; later sessions reuse the folder."""
    if not archive.is_file():
        raise ServiceError(f"{archive} is missing: run `make artifacts` first")
    target = UNPACKED / archive.name
    done = target / ".unpacked"
    if not done.exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="tar")
        done.touch()
    return target


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(what, probe, process, log, timeout=START_TIMEOUT):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"{what} exited with {process.returncode}\n{tail(log)}")
        try:
            if probe():
                return
        except Exception as exc:  # the probe's own failure is the signal to retry
            last_error = exc
        time.sleep(0.2)
    raise ServiceError(f"{what} not ready after {timeout:.0f}s ({last_error})\n{tail(log)}")


def tail(path, lines=40):
    try:
        text = pathlib.Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {path})"
    return f"--- last {lines} lines of {path} ---\n" + "\n".join(text[-lines:])


class Service:
    """A process started directly, as the roles' systemd units do, in a
    process group of its own that stop() ends."""

    name = "service"

    def __init__(self, workdir):
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log = self.workdir / f"{self.name}.out"
        self.process = None

    def spawn(self, argv, env=None, cwd=None):
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                env={**os.environ, **(env or {})}, start_new_session=True)

    def stop(self, timeout=30):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class JavaService(Service):
    """A JVM started directly, as the roles' systemd units do."""


def java_home(minimum):
    """A JDK of at least `minimum`: Apicurio 3.3 is built for Java 21, the
    Debian host's default java is 17, and this machine type ships a newer
    Temurin beside it. JAVA_HOME wins when it is new enough."""
    candidates = [os.environ.get("JAVA_HOME", "")] + sorted(glob.glob("/usr/lib/jvm/*"))
    for home in candidates:
        release = pathlib.Path(home, "release")
        if release.is_file():
            match = re.search(r'JAVA_VERSION="(\d+)', release.read_text())
            if match and int(match.group(1)) >= minimum:
                return pathlib.Path(home)
    raise ServiceError(f"no Java {minimum}+ found in JAVA_HOME or /usr/lib/jvm")


def java_cmd(home, heap_mb, main, *args, log4j=None, logs_dir=None):
    cmd = ["java", f"-Xms{heap_mb}m", f"-Xmx{heap_mb}m", "-XX:+UseG1GC",
           "-Djava.awt.headless=true", "-cp", str(home / "libs" / "*")]
    if log4j:
        cmd += [f"-Dlog4j.configuration=file:{log4j}", f"-Dkafka.logs.dir={logs_dir}"]
    return cmd + [main, *map(str, args)]


LOG4J = """log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File={path}
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
"""


class ZooKeeper(JavaService):
    name = "zookeeper"

    def start(self):
        home = kafka_home()
        self.port = free_port()
        cfg = self.workdir / "zoo.cfg"
        cfg.write_text(
            f"dataDir={self.workdir / 'data'}\nclientPort={self.port}\n"
            "clientPortAddress=127.0.0.1\ntickTime=2000\nadmin.enableServer=false\n"
            "4lw.commands.whitelist=srvr,ruok,mntr\n")
        log4j = self.workdir / "log4j.properties"
        self.log_file = self.workdir / "zookeeper.log"
        log4j.write_text(LOG4J.format(path=self.log_file))
        self.spawn(java_cmd(home, 128, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                            cfg, log4j=log4j, logs_dir=self.workdir))
        wait_until("ZooKeeper", self.serving, self.process, self.log)
        return self

    def serving(self):
        """The server answers requests. `ruok` says imok as soon as the port is
        open, before the server runs: a client then gets "ZooKeeperServer not
        running" and ConnectionLoss. `srvr` names the mode only once it serves."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            sock.sendall(b"srvr")
            answer = b""
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        return b"\nMode: " in answer


class KafkaBroker(JavaService):
    """A PLAINTEXT broker: any client may do anything. Its ZooKeeper chroot is
    its name, so brokers of another name on the same ZooKeeper are another cluster."""

    name = "kafka"

    def __init__(self, workdir, zookeeper, broker_id=0):
        super().__init__(workdir)
        self.zookeeper = zookeeper
        self.broker_id = broker_id

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def client_config(self):
        """librdkafka settings for a client that may do anything on this broker."""
        return {"bootstrap.servers": self.bootstrap}

    def module_params(self):
        """The same client as the collection's modules' connection options."""
        return {"bootstrap_servers": self.bootstrap}

    def security_properties(self):
        """The server.properties lines that say who may connect and do what."""
        return [f"listeners=PLAINTEXT://127.0.0.1:{self.port}"]

    def start(self):
        home = kafka_home()
        self.port = free_port()
        props = self.workdir / "server.properties"
        props.write_text("\n".join([
            f"broker.id={self.broker_id}",
            *self.security_properties(),
            f"log.dirs={self.workdir / 'data'}",
            f"zookeeper.connect=127.0.0.1:{self.zookeeper.port}/{self.name}",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            "num.partitions=1",
        ]) + "\n")
        log4j = self.workdir / "log4j.properties"
        self.log_file = self.workdir / "server.log"
        log4j.write_text(LOG4J.format(path=self.log_file))
        self.spawn(java_cmd(home, 512, "kafka.Kafka", props, log4j=log4j, logs_dir=self.workdir))
        wait_until(f"Kafka broker {self.name}", self.registered, self.process, self.log_file)
        return self

    def registered(self):
        from confluent_kafka.admin import AdminClient

        # Ask the cluster only once the port listens: before that librdkafka
        # would fill the log with refused connections.
        socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
        admin = AdminClient({**self.client_config(), "logger": QUIET_LOGGER})
        cluster = admin.describe_cluster(request_timeout=5).result(timeout=10)
        return any(node.id == self.broker_id for node in cluster.nodes)


SCRAM_MECHANISM = "SCRAM-SHA-512"
# A loopback address the broker certificate does not name (Linux routes all of
# 127.0.0.0/8 to the loopback interface, so a listener can bind it).
ADDRESS_NOT_IN_CERTIFICATE = "127.0.0.2"


class SecureKafkaBroker(KafkaBroker):
    """A broker secured throughout: clients authenticate with SASL (SCRAM-SHA-512,
    or PLAIN as the seed guide does) over TLS, the brokers with mutual TLS, and
    the ACL authorizer refuses whatever no ACL allows.

    Users: `admin`, a super user, and `app`, with no ACL. Two more listeners
    exist for the tests of the connection options: the same SASL_SSL one on an
    address outside the broker certificate, and the brokers' own, which asks
    for a client certificate."""

    name = "kafka-secure"

    def __init__(self, workdir, zookeeper, broker_id=0):
        super().__init__(workdir, zookeeper, broker_id)
        self.passwords = {user: secrets.token_urlsafe(16) for user in ("admin", "app")}
        self.tls_dir = self.workdir / "tls"
        self.tls_dir.mkdir(exist_ok=True)
        authority = CertificateAuthority("ecommerce.kafka test CA")
        self.ca = authority.write(self.tls_dir / "ca.pem")
        self.untrusted_ca = CertificateAuthority("an unrelated CA").write(self.tls_dir / "untrusted-ca.pem")
        broker = authority.issue("broker", hosts=("localhost", "127.0.0.1"))
        self.broker_principal = broker.principal
        self.key_store = broker.write_key_store(self.tls_dir / "broker.pem")
        self.client_key_password = secrets.token_urlsafe(16)
        self.client_certificate, self.client_key = authority.issue("client").write_pair(
            self.tls_dir / "client.pem", self.tls_dir / "client.key", self.client_key_password)

    @property
    def bootstrap_not_in_certificate(self):
        return f"{ADDRESS_NOT_IN_CERTIFICATE}:{self.port_not_in_certificate}"

    @property
    def bootstrap_mutual_tls(self):
        return f"127.0.0.1:{self.inter_broker_port}"

    def client_config(self, user="admin"):
        return {"bootstrap.servers": self.bootstrap, "security.protocol": "SASL_SSL",
                "sasl.mechanism": SCRAM_MECHANISM, "sasl.username": user, "sasl.password": self.passwords[user],
                "ssl.ca.location": str(self.ca)}

    def module_params(self, user="admin"):
        return {"bootstrap_servers": self.bootstrap, "security_protocol": "SASL_SSL",
                "sasl_mechanism": SCRAM_MECHANISM, "sasl_username": user, "sasl_password": self.passwords[user],
                "ssl_ca_location": str(self.ca)}

    def security_properties(self):
        plain_users = " ".join(f'user_{user}="{password}"' for user, password in self.passwords.items())
        login_modules = {
            SCRAM_MECHANISM.lower(): "org.apache.kafka.common.security.scram.ScramLoginModule required;",
            "plain": f"org.apache.kafka.common.security.plain.PlainLoginModule required {plain_users};",
        }
        return [
            f"listeners=CLIENTS://127.0.0.1:{self.port},"
            f"NOT_IN_CERTIFICATE://{self.bootstrap_not_in_certificate},BROKERS://{self.bootstrap_mutual_tls}",
            "listener.security.protocol.map=CLIENTS:SASL_SSL,NOT_IN_CERTIFICATE:SASL_SSL,BROKERS:SSL",
            "inter.broker.listener.name=BROKERS",
            "listener.name.brokers.ssl.client.auth=required",
            f"sasl.enabled.mechanisms={SCRAM_MECHANISM},PLAIN",
            *(f"listener.name.{listener}.{mechanism}.sasl.jaas.config={module}"
              for listener in ("clients", "not_in_certificate") for mechanism, module in login_modules.items()),
            # PEM files, the key unencrypted PKCS#8: Kafka 3.9 then needs no ssl.key.password.
            "ssl.keystore.type=PEM",
            f"ssl.keystore.location={self.key_store}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={self.ca}",
            "authorizer.class.name=kafka.security.authorizer.AclAuthorizer",
            "allow.everyone.if.no.acl.found=false",
            f"super.users=User:admin;{self.broker_principal}",
        ]

    def start(self):
        self.inter_broker_port, self.port_not_in_certificate = free_port(), free_port()
        self.create_scram_users()
        return super().start()

    def create_scram_users(self):
        """Kafka's documented bootstrap of SCRAM users in ZooKeeper mode, before
        the broker starts; each password goes in a file, never on a command line."""
        zookeeper = f"127.0.0.1:{self.zookeeper.port}"
        # ConfigCommand writes below the chroot but does not create it.
        finish_tool(f"creating the ZooKeeper chroot /{self.name}",
                    start_tool("org.apache.zookeeper.ZooKeeperMain", "-server", zookeeper, "create", f"/{self.name}"))
        tools = {}
        for user, password in self.passwords.items():
            config = self.workdir / f"scram-{user}.properties"
            config.write_text(f"{SCRAM_MECHANISM}=password={password}\n")
            tools[user] = start_tool("kafka.admin.ConfigCommand", "--zookeeper", f"{zookeeper}/{self.name}",
                                     "--alter", "--entity-type", "users", "--entity-name", user,
                                     "--add-config-file", config)
        for user, tool in tools.items():
            finish_tool(f"creating the SCRAM user {user}", tool, secret=self.passwords[user])


def start_tool(main, *args):
    """A command line tool of the Kafka release, Kafka's or ZooKeeper's, started in the background."""
    return subprocess.Popen(java_cmd(kafka_home(), 128, main, *args),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish_tool(what, tool, secret=None):
    output = tool.communicate(timeout=START_TIMEOUT)[0]
    if tool.returncode:
        if secret:  # ConfigCommand quotes a credential it cannot parse
            output = output.replace(secret, "***")
        raise ServiceError(f"{what} failed ({tool.returncode}):\n{output}")


class Apicurio(JavaService):
    name = "apicurio"

    def __init__(self, workdir, broker):
        super().__init__(workdir)
        self.broker = broker

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/apis/ccompat/v7"

    def client_config(self):
        """SchemaRegistryClient's settings for this registry, with a timeout: without one a request that gets no
        answer waits forever."""
        return {"url": self.url, "timeout": REGISTRY_TIMEOUT}

    def module_params(self):
        """The same client as the registry modules' connection options."""
        return {"registry_url": self.url}

    def start(self):
        home = unpack(apicurio_archive())
        self.port, self.management_port = free_port(), free_port()
        java = java_home(21) / "bin" / "java"
        self.spawn([str(java), "-Xms256m", "-Xmx512m", "-jar", str(home / "quarkus-run.jar")],
                   cwd=self.workdir, env={
                       "APICURIO_STORAGE_KIND": "kafkasql",
                       "APICURIO_KAFKASQL_BOOTSTRAP_SERVERS": self.broker.bootstrap,
                       "QUARKUS_HTTP_HOST": "127.0.0.1",
                       "QUARKUS_HTTP_PORT": str(self.port),
                       "QUARKUS_MANAGEMENT_HOST": "127.0.0.1",
                       "QUARKUS_MANAGEMENT_PORT": str(self.management_port)})
        wait_until("Apicurio Registry", self.ready, self.process, self.log)
        return self

    def ready(self):
        url = f"http://127.0.0.1:{self.management_port}/health/ready"
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return resp.status == 200
        except urllib.error.HTTPError:
            return False


def delete_topics(admin, names, timeout=60):
    """Delete whichever of `names` exist and wait until the metadata no longer
    shows them: tests that share the session broker leave it as they found it."""
    present = [name for name in names if name in admin.list_topics(timeout=10).topics]
    for future in (admin.delete_topics(present, operation_timeout=30).values() if present else []):
        future.result(timeout)
    deadline = time.monotonic() + timeout
    while set(names) & set(admin.list_topics(timeout=10).topics):
        if time.monotonic() > deadline:
            raise ServiceError(f"topics {sorted(set(names) & set(admin.list_topics(timeout=10).topics))} "
                               f"still listed {timeout}s after their deletion")
        time.sleep(0.2)


def delete_subjects(registry, names):
    """Delete the registry's subjects for good (a soft delete first, as the
    registry asks); a subject that is not there is no error."""
    for name in names:
        for permanent in (False, True):
            try:
                registry.delete_subject(name, permanent=permanent)
            except SchemaRegistryError as exc:
                if exc.http_status_code != 404:
                    raise


def haproxy_command():
    """HAProxy from the Debian package, which installs it in /usr/sbin: not on
    every user's PATH."""
    command = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if not command:
        raise ServiceError("haproxy is missing (Debian package haproxy): run 'make setup' as root, "
                           "which installs tools/system-packages.txt")
    return command


def write_client_pair(identity, certificate_path, key_path):
    """A registry client's certificate and key files, the key unencrypted: the
    registry modules take no key password."""
    certificate_path.write_bytes(identity.certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(identity.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
    return certificate_path, key_path


class RegistryTlsProxy(Service):
    """HTTPS in front of a bench Apicurio as the schema_registry role runs it
    with schema_registry_tls: HAProxy with the role's own haproxy.cfg.j2,
    which lets in only clients with a certificate of the CA, here one of its
    own. Apicurio stays plain HTTP on loopback, the proxy's backend."""

    name = "haproxy"

    def __init__(self, workdir, registry):
        super().__init__(workdir)
        self.registry = registry
        # Where the role's _schema_registry_tls_dir puts the proxy's files,
        # schema_registry_config_dir being this folder.
        tls_dir = self.workdir / "tls"
        tls_dir.mkdir(exist_ok=True)
        authority = CertificateAuthority("ecommerce.kafka registry test CA")
        self.ca = authority.write(tls_dir / "ca.pem")
        authority.issue("schema-registry", hosts=("localhost", "127.0.0.1")).write_key_store(tls_dir / "keystore.pem")
        self.client_certificate, self.client_key = write_client_pair(
            authority.issue("schema-registry-admin"), self.workdir / "admin.pem", self.workdir / "admin.key")

    @property
    def url(self):
        return f"https://127.0.0.1:{self.port}/apis/ccompat/v7"

    def client_config(self):
        """SchemaRegistryClient's settings for the admin through the proxy."""
        return {"url": self.url, "timeout": REGISTRY_TIMEOUT, "ssl.ca.location": str(self.ca),
                "ssl.certificate.location": str(self.client_certificate), "ssl.key.location": str(self.client_key)}

    def module_params(self):
        return {"registry_url": self.url, "registry_ca_location": str(self.ca),
                "registry_certificate_location": str(self.client_certificate),
                "registry_key_location": str(self.client_key)}

    def start(self):
        command = haproxy_command()
        self.port = free_port()
        config = self.workdir / "haproxy.cfg"
        config.write_text(self.role_config())
        # -db: in the foreground, where stop() ends it as it ends the JVMs.
        self.spawn([command, "-db", "-f", str(config)])
        wait_until("HAProxy in front of Apicurio Registry", self.ready, self.process, self.log)
        return self

    def role_config(self):
        """haproxy.cfg as the role renders it, from its own defaults and vars
        with the bench's addresses: what is tested is the role's configuration."""
        variables = role_variables("schema_registry/defaults/main.yml", "schema_registry/vars/main.yml")
        variables.update(ansible_managed="ecommerce.kafka test bench", schema_registry_config_dir=str(self.workdir),
                         schema_registry_bind_address="127.0.0.1", schema_registry_port=self.port,
                         schema_registry_backend_port=self.registry.port)
        return Renderer(variables).template("schema_registry", "haproxy.cfg.j2")

    def ready(self):
        """The admin's request goes through to the registry: the proxy has
        loaded its certificates and reaches its backend."""
        context = ssl.create_default_context(cafile=self.ca)
        context.load_cert_chain(self.client_certificate, self.client_key)
        with urllib.request.urlopen(f"{self.url}/subjects", timeout=5, context=context) as resp:
            return resp.status == 200
