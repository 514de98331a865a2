"""Read the real state of the prod scenario's cluster from the controller.

Every subcommand checks one claim against the running ZooKeeper ensemble and
brokers, prints what it saw as JSON on stdout, and exits 1 with a one-line
reason on stderr when the claim does not hold. The prod scenario's verify.yml
and side_effect.yml run it with the controller's Python (`ansible_playbook_python`),
the one that has confluent-kafka; the controller reaches the containers'
addresses directly.
Waits poll with a deadline; nothing sleeps for a fixed time to let things settle.
"""
import argparse
import concurrent.futures
import json
import logging
import os
import pathlib
import socket
import ssl
import sys
import threading
import time
import uuid

from confluent_kafka import Consumer, ElectionType, KafkaException, Producer, TopicCollection, TopicPartition
from confluent_kafka.admin import (
    AdminClient, ConfigResource, ConfigSource, NewTopic, ScramCredentialInfo, ScramMechanism, UserScramCredentialDeletion,
    UserScramCredentialUpsertion)
from confluent_kafka.schema_registry import SchemaRegistryClient

try:
    from tests.probes.avro_table import round_trip
    from tests.probes.probe_cli import CheckFailed, run
except ImportError:  # run as a script, which finds its neighbours but not the package
    from avro_table import round_trip
    from probe_cli import CheckFailed, run

REQUEST_TIMEOUT = 15
# The membership log's wait for one metadata answer.
SAMPLE_TIMEOUT = 1
# A longer stretch without a metadata answer means the judge did not see the cluster.
UNSEEN_SECONDS = 3 * SAMPLE_TIMEOUT
# librdkafka reports every refused connection; while a broker is down on purpose
# that is expected noise, so the clients log here instead of on stderr.
CLIENT_LOG = logging.getLogger("cluster_probe.librdkafka")
CLIENT_LOG.addHandler(logging.NullHandler())
CLIENT_LOG.propagate = False


# How every client of the probe connects and logs in (librdkafka keys), read
# from the file --client-config names, so no secret is on a command line.
CLIENT_SECURITY = {}


def client_config(bootstrap, **settings):
    return {"bootstrap.servers": bootstrap, "logger": CLIENT_LOG, **CLIENT_SECURITY, **settings}


def admin_client(bootstrap, **settings):
    return AdminClient(client_config(bootstrap, **{"socket.timeout.ms": REQUEST_TIMEOUT * 1000, **settings}))


def answer(future):
    """The result of an AdminClient future, never waiting past the request timeout."""
    return future.result(timeout=REQUEST_TIMEOUT + 5)


def durable_producer(bootstrap, **extra):
    """The producer every check writes with: nothing counts as written until all in-sync replicas have it."""
    return Producer(client_config(bootstrap, **{"acks": "all", "enable.idempotence": True, "linger.ms": 5, **extra}))


def describe_brokers(admin):
    """Broker id -> advertised "host:port" of the live brokers, from the cluster's metadata.

    Any broker answers a metadata request; describe_cluster waits for a
    controller, which is missing for a while after the controller broker dies."""
    metadata = admin.list_topics(timeout=REQUEST_TIMEOUT)
    return {broker.id: "%s:%d" % (broker.host, broker.port) for broker in metadata.brokers.values()}


def partition_health(admin):
    """Under-replicated and offline partitions over every topic, internal ones included."""
    metadata = admin.list_topics(timeout=REQUEST_TIMEOUT)
    under_replicated, offline = [], []
    for topic in metadata.topics.values():
        for partition in topic.partitions.values():
            name = "%s-%d" % (topic.topic, partition.id)
            if partition.leader < 0:
                offline.append(name)
            if len(partition.isrs) < len(partition.replicas):
                under_replicated.append(name)
    return sorted(under_replicated), sorted(offline)


def four_letter_word(address, word, timeout=5.0, tls=None):
    """ZooKeeper's answer to a four-letter word; tls is an SSLContext for a secure client port."""
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as raw:
        sock = tls.wrap_socket(raw, server_hostname=host) if tls else raw
        sock.sendall(word.encode())
        chunks = []
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                return b"".join(chunks).decode()
            chunks.append(chunk)


def zookeeper_tls(args, with_certificate=True):
    """The TLS context of a ZooKeeper client: the platform's CA, and the client's certificate unless told not to."""
    if not args.ca:
        return None
    context = ssl.create_default_context(cafile=args.ca)
    if with_certificate:
        context.load_cert_chain(args.certificate, args.key)
    return context


def zookeeper_mode(srvr_answer):
    for line in srvr_answer.splitlines():
        if line.startswith("Mode:"):
            return line.split(":", 1)[1].strip()
    raise CheckFailed("srvr answer has no Mode line: %r" % srvr_answer[:200])


def check_zookeeper_ensemble(args):
    modes = {}
    tls = zookeeper_tls(args)
    for node in args.nodes:
        try:
            modes[node] = zookeeper_mode(four_letter_word(node, "srvr", tls=tls))
        except OSError as exc:
            raise CheckFailed("ZooKeeper %s did not answer srvr: %s" % (node, exc))
    leaders = [node for node, mode in modes.items() if mode == "leader"]
    followers = [node for node, mode in modes.items() if mode == "follower"]
    report = {"modes": modes, "leaders": leaders}
    if len(leaders) != 1 or len(followers) != len(modes) - 1:
        raise CheckFailed("the ensemble must have exactly one leader and only followers besides: %s" % modes, report)
    return report


def check_zookeeper_tls(args):
    """Each member's client port answers only a TLS client with a certificate of the CA."""
    report, problems = {}, []
    attempts = {"plaintext": None, "tls_without_certificate": zookeeper_tls(args, with_certificate=False),
                "tls_with_certificate": zookeeper_tls(args)}
    for node in args.nodes:
        seen = {}
        for attempt, tls in attempts.items():
            try:
                seen[attempt] = "answered %r" % four_letter_word(node, "ruok", timeout=args.timeout, tls=tls)
            except (OSError, ssl.SSLError) as exc:
                seen[attempt] = "refused: %s" % (exc.__class__.__name__ if str(exc) in ("", "timed out") else exc)
        report[node] = seen
        if seen["tls_with_certificate"] != "answered 'imok'":
            problems.append("%s did not answer a client with a certificate: %s" % (node, seen["tls_with_certificate"]))
        for attempt in ("plaintext", "tls_without_certificate"):
            if "imok" in seen[attempt]:
                problems.append("%s answered a %s client" % (node, attempt.replace("_", " ")))
    if problems:
        raise CheckFailed("; ".join(problems), report)
    return report


def check_brokers(args):
    expected = dict(pair.split("=", 1) for pair in args.expect)
    admin = admin_client(args.bootstrap)
    cluster = answer(admin.describe_cluster(request_timeout=REQUEST_TIMEOUT))
    brokers = {node.id: "%s:%d" % (node.host, node.port) for node in cluster.nodes}
    seen = {str(broker_id): address.rsplit(":", 1)[0] for broker_id, address in brokers.items()}
    report = {"brokers": brokers, "count": len(brokers), "controller": cluster.controller.id}
    if seen != expected:
        raise CheckFailed("the cluster reports brokers (id=advertised host) %s, expected %s" % (seen, expected), report)
    return report


def check_topics(args):
    admin = admin_client(args.bootstrap)
    descriptions = admin.describe_topics(TopicCollection(args.topics), request_timeout=REQUEST_TIMEOUT)
    configs = admin.describe_configs([ConfigResource("topic", name) for name in args.topics],
                                     request_timeout=REQUEST_TIMEOUT)
    report, problems = {}, []
    for name in args.topics:
        try:
            description = answer(descriptions[name])
        except KafkaException as exc:
            raise CheckFailed("topic %s: %s" % (name, exc.args[0].str()))
        replication_factors = sorted({len(partition.replicas) for partition in description.partitions})
        isr_sizes = sorted({len(partition.isr) for partition in description.partitions})
        config = answer(next(future for resource, future in configs.items() if resource.name == name))
        min_insync = config["min.insync.replicas"]
        report[name] = {"partitions": len(description.partitions), "replication_factors": replication_factors,
                        "isr_sizes": isr_sizes, "min.insync.replicas": min_insync.value,
                        "min.insync.replicas source": ConfigSource(min_insync.source).name}
        if replication_factors != [args.replication_factor]:
            problems.append("%s has replication factors %s" % (name, replication_factors))
        if min_insync.value != str(args.min_insync_replicas):
            problems.append("%s has min.insync.replicas %s" % (name, min_insync.value))
    if problems:
        raise CheckFailed("expected replication factor %d and min.insync.replicas %d: %s"
                          % (args.replication_factor, args.min_insync_replicas, "; ".join(problems)), report)
    return report


def ensure_probe_topic(admin, topic, broker_ids, min_insync_replicas):
    """A topic whose partition N prefers broker N as leader, so each broker leads one partition.

    It inherits min.insync.replicas from the brokers, which must hold the
    production value for acks=all to mean anything."""
    if topic not in admin.list_topics(timeout=REQUEST_TIMEOUT).topics:
        ring = sorted(broker_ids)
        assignment = [ring[start:] + ring[:start] for start in range(len(ring))]
        futures = admin.create_topics([NewTopic(topic, num_partitions=len(assignment), replica_assignment=assignment)],
                                      request_timeout=REQUEST_TIMEOUT)
        try:
            answer(futures[topic])
        except KafkaException as exc:
            if exc.args[0].name() != "TOPIC_ALREADY_EXISTS":
                raise
    # Keep the dict: its futures are completed through it, a popped one never is.
    futures = admin.describe_configs([ConfigResource("topic", topic)], request_timeout=REQUEST_TIMEOUT)
    config = answer(next(iter(futures.values())))
    if config["min.insync.replicas"].value != str(min_insync_replicas):
        raise CheckFailed("probe topic %s has min.insync.replicas %s, the brokers should give it %d"
                          % (topic, config["min.insync.replicas"].value, min_insync_replicas))


def partition_leaders(admin, topic):
    metadata = admin.list_topics(topic, timeout=REQUEST_TIMEOUT).topics[topic]
    if metadata.error is not None:
        raise CheckFailed("topic %s: %s" % (topic, metadata.error.str()))
    return {partition.id: partition.leader for partition in metadata.partitions.values()}


def wait_for(predicate, deadline_seconds, what):
    """Poll `predicate` until it returns a true value; fail naming `what` at the deadline."""
    deadline = time.monotonic() + deadline_seconds
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except KafkaException as exc:
            value, last_error = None, exc.args[0].str()
        except TimeoutError:
            value, last_error = None, "no answer within %ss" % (REQUEST_TIMEOUT + 5)
        if value:
            return value
        time.sleep(1)
    raise CheckFailed("%s within %ss%s" % (what, deadline_seconds, " (last error: %s)" % last_error if last_error else ""))


def check_read_back(args):
    """Produce with acks=all to a partition led by each broker, then read it back from that broker alone."""
    admin = admin_client(args.bootstrap)
    brokers = describe_brokers(admin)
    ensure_probe_topic(admin, args.topic, brokers, args.min_insync_replicas)

    def every_broker_leads():
        # Restarts move leadership; a preferred election hands each partition back to its broker.
        leaders = partition_leaders(admin, args.topic)
        if set(leaders.values()) == set(brokers):
            return leaders
        partitions = [TopicPartition(args.topic, partition) for partition in leaders]
        # No request_timeout: confluent-kafka 2.16.1 raises SystemError on any keyword argument here;
        # the client's socket.timeout.ms and answer() bound the wait instead.
        answer(admin.elect_leaders(ElectionType.PREFERRED, partitions))
        return None

    leaders = wait_for(every_broker_leads, args.deadline, "every broker leading a partition of %s" % args.topic)
    token = uuid.uuid4().hex
    delivered, errors = {}, []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err.str())
        else:
            delivered[msg.partition()] = msg.offset()

    producer = durable_producer(args.bootstrap)
    for partition in leaders:
        producer.produce(args.topic, value=("%s/%d" % (token, partition)).encode(), partition=partition,
                         on_delivery=on_delivery)
    producer.flush(args.deadline)
    if errors or len(delivered) != len(leaders):
        raise CheckFailed("acks=all produce to %s failed: %s" % (args.topic, errors or "no delivery report"))

    report = {}
    for partition, leader in sorted(leaders.items()):
        address = brokers[leader]
        consumer = Consumer(client_config(address, **{"group.id": "molecule-prod-read-back-%s" % token,
                                                      "enable.auto.commit": False}))
        try:
            consumer.assign([TopicPartition(args.topic, partition, delivered[partition])])
            message = wait_for(lambda: consumer.poll(1.0), args.deadline,
                               "a message from broker %d (%s)" % (leader, address))
        finally:
            consumer.close()
        if message.error() is not None or message.value().decode() != "%s/%d" % (token, partition):
            raise CheckFailed("broker %d (%s) returned %r at %s-%d offset %d instead of what was produced"
                              % (leader, address, message.error() or message.value(), args.topic, partition,
                                 delivered[partition]))
        report[str(leader)] = {"bootstrap": address, "partition": partition, "offset": delivered[partition]}
    return {"read_back_per_broker": report}


def check_writable(args):
    """Every partition of the probe topic takes acks=all writes before the deadline."""
    admin = admin_client(args.bootstrap)
    partitions = sorted(partition_leaders(admin, args.topic))
    brokers_at_start = sorted(describe_brokers(admin))
    errors, delivered = [], []
    started = time.monotonic()

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err.str())
        else:
            delivered.append(msg.partition())

    producer = durable_producer(args.bootstrap, **{"delivery.timeout.ms": args.deadline * 1000})
    for partition in partitions * args.per_partition:
        producer.produce(args.topic, value=b"writable-while-degraded", partition=partition, on_delivery=on_delivery)
    undelivered = producer.flush(args.deadline)
    seconds = round(time.monotonic() - started, 1)
    under_replicated, offline = partition_health(admin)
    report = {"brokers_in_metadata_at_start": brokers_at_start, "messages": len(partitions) * args.per_partition,
              "delivered": len(delivered), "errors": errors[:5], "seconds": seconds,
              "under_replicated_after": len(under_replicated), "offline_after": len(offline)}
    if errors or undelivered:
        raise CheckFailed("acks=all writes to %s failed: %d errors, %d undelivered" % (
            args.topic, len(errors), undelivered), report)
    return report


def check_healthy(args):
    """Wait until the cluster has every broker back and no under-replicated or offline partition."""
    admin = admin_client(args.bootstrap)
    started = time.monotonic()
    last = {}

    def healthy():
        brokers = describe_brokers(admin)
        under_replicated, offline = partition_health(admin)
        last.update(brokers=sorted(brokers), under_replicated=len(under_replicated), offline=len(offline),
                    sample=(under_replicated + offline)[:5])
        return len(brokers) == args.expect_brokers and not under_replicated and not offline

    try:
        wait_for(healthy, args.deadline, "%d brokers and no under-replicated or offline partitions"
                 % args.expect_brokers)
    except CheckFailed as exc:
        raise CheckFailed("%s; last seen: %s" % (exc, last), last)
    return dict(last, seconds=round(time.monotonic() - started, 1))


REFUSAL_TIMEOUT = 8


def connection_refused(config):
    """None when a client with `config` reads the cluster's metadata, else the
    first error librdkafka reported (or that it got no answer)."""
    errors = []
    admin = AdminClient({"logger": CLIENT_LOG, "error_cb": lambda error: errors.append(error.str()), **config})
    try:
        admin.list_topics(timeout=REFUSAL_TIMEOUT)
    except KafkaException as exc:
        admin.poll(1)  # serves the error callbacks, which name the cause
        return " | ".join(dict.fromkeys(errors)) or exc.args[0].str()
    return None


def without_login(config):
    return {key: value for key, value in config.items() if not key.startswith("sasl.")}


def host_name_refused(address, ca_file):
    """The TLS handshake with the broker at `address` when the client expects
    another name than the certificate holds."""
    host, port = address.rsplit(":", 1)
    context = ssl.create_default_context(cafile=ca_file)
    try:
        with socket.create_connection((host, int(port)), timeout=REFUSAL_TIMEOUT) as sock:
            with context.wrap_socket(sock, server_hostname="not-in-the-certificate.invalid"):
                return None
    except ssl.SSLCertVerificationError as exc:
        return exc.verify_message


def authorization_errors(bootstrap, topic, login):
    """What a principal with no ACL gets when it writes to and reads from `topic`."""
    config = client_config(bootstrap, **login)
    produced = []
    producer = Producer({**config, "message.timeout.ms": REFUSAL_TIMEOUT * 1000})
    producer.produce(topic, b"no-acl", on_delivery=lambda err, msg: produced.append(err))
    producer.flush(REFUSAL_TIMEOUT + 5)
    consumer = Consumer({**config, "group.id": "cluster-probe-no-acl", "enable.auto.commit": False})
    try:
        consumer.assign([TopicPartition(topic, 0, 0)])
        message = consumer.poll(REFUSAL_TIMEOUT)
        consumed = message.error() if message is not None else None
    finally:
        consumer.close()
    return {"produce": produced[0].name() if produced and produced[0] else None,
            "consume": consumed.name() if consumed else None}


class PrincipalWithoutAcl:
    """A SCRAM user that the check creates as the admin and deletes afterwards,
    with no ACL of its own: what it may do, anyone may."""

    def __init__(self, bootstrap):
        self.bootstrap = bootstrap
        self.admin = admin_client(bootstrap)
        self.mechanism = ScramMechanism[CLIENT_SECURITY["sasl.mechanism"].replace("-", "_")]
        self.name = "cluster-probe-" + uuid.uuid4().hex[:8]
        self.login = {"sasl.username": self.name, "sasl.password": uuid.uuid4().hex}

    def __enter__(self):
        credential = UserScramCredentialUpsertion(self.name, ScramCredentialInfo(self.mechanism, 4096),
                                                  self.login["sasl.password"].encode())
        answer(self.admin.alter_user_scram_credentials([credential])[self.name])
        # Each broker learns of the new user from ZooKeeper, a moment later.
        wait_for(lambda: connection_refused(client_config(self.bootstrap, **self.login)) is None,
                 60, "the brokers to know user %s" % self.name)
        return self.login

    def __exit__(self, *exc_info):
        deletion = UserScramCredentialDeletion(self.name, self.mechanism)
        answer(self.admin.alter_user_scram_credentials([deletion])[self.name])


def check_security(args):
    """Every way in that the cluster must refuse is refused, and the admin is let in."""
    first = args.bootstrap.split(",")[0]
    # Each refusal may take the whole timeout to show, so all are tried at once.
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(args.listeners) + 6) as pool:
        plaintext = dict((address, pool.submit(connection_refused, {"bootstrap.servers": address,
                                                                    "security.protocol": "PLAINTEXT"}))
                         for address in args.listeners)
        checks = {
            "no_credentials": pool.submit(connection_refused, {**without_login(client_config(first)), "security.protocol": "SSL"}),
            "wrong_password": pool.submit(connection_refused, client_config(first, **{"sasl.password": "not-" + uuid.uuid4().hex})),
            "untrusted_ca": pool.submit(connection_refused, client_config(first, **{"ssl.ca.location": args.untrusted_ca})),
            "wrong_host_name": pool.submit(host_name_refused, first, CLIENT_SECURITY["ssl.ca.location"]),
            "admin": pool.submit(connection_refused, client_config(args.bootstrap)),
        }
        with PrincipalWithoutAcl(args.bootstrap) as login:
            report = {"no_acl": authorization_errors(args.bootstrap, args.topic, login)}
        report.update((name, future.result()) for name, future in checks.items())
        report["plaintext"] = dict((address, future.result()) for address, future in plaintext.items())
    let_in = [address for address, refusal in report["plaintext"].items() if refusal is None]
    let_in += [check for check in ("no_credentials", "wrong_password", "untrusted_ca", "wrong_host_name") if report[check] is None]
    if let_in:
        raise CheckFailed("let in: %s" % ", ".join(let_in), report)
    if report["admin"] is not None:
        raise CheckFailed("the admin was refused: %s" % report["admin"], report)
    if report["no_acl"]["produce"] != "TOPIC_AUTHORIZATION_FAILED" or report["no_acl"]["consume"] not in (
            "TOPIC_AUTHORIZATION_FAILED", "GROUP_AUTHORIZATION_FAILED"):
        raise CheckFailed("a principal with no ACL got %s" % report["no_acl"], report)
    return report


def produce_as(config, topic, partition=0):
    """(offset, None) of one acks=all idempotent write with `config`, or (None, the broker's error name)."""
    delivered = []
    producer = Producer({**config, "acks": "all", "enable.idempotence": True,
                         "message.timeout.ms": REFUSAL_TIMEOUT * 1000})
    producer.produce(topic, b"application-rights", partition=partition,
                     on_delivery=lambda err, msg: delivered.append((msg.offset(), err)))
    producer.flush(REFUSAL_TIMEOUT + 5)
    if not delivered:
        return None, "no delivery report"
    offset, error = delivered[0]
    return (None, error.name()) if error else (offset, None)


def read_and_commit_as(config, topic, group, offset):
    """None when the principal reads the message at `offset` of partition 0 and
    commits it in `group`, else the error it got."""
    consumer = Consumer({**config, "group.id": group, "enable.auto.commit": False})
    try:
        consumer.assign([TopicPartition(topic, 0, offset)])
        message = consumer.poll(REFUSAL_TIMEOUT)
        if message is None:
            return "nothing read within %ss" % REFUSAL_TIMEOUT
        if message.error():
            return message.error().name()
        consumer.commit(offsets=[TopicPartition(topic, 0, message.offset() + 1)], asynchronous=False)
    except KafkaException as exc:
        return exc.args[0].name()
    finally:
        consumer.close()
    return None


def join_as(config, topic, group):
    """The error a consumer of `topic` in `group` gets from the group coordinator; None if it joins."""
    consumer = Consumer({**config, "group.id": group, "enable.auto.commit": False})
    joined = []
    try:
        consumer.subscribe([topic], on_assign=lambda _consumer, partitions: joined.append(partitions))
        deadline = time.monotonic() + REFUSAL_TIMEOUT
        while time.monotonic() < deadline and not joined:
            message = consumer.poll(0.5)
            if message is not None and message.error():
                return message.error().name()
    finally:
        consumer.close()
    return None if joined else "neither joined nor refused within %ss" % REFUSAL_TIMEOUT


def check_application_rights(args):
    """An application principal writes and reads its own topics and group, and is refused the rest."""
    login = {"sasl.username": args.user, "sasl.password": pathlib.Path(args.password_file).read_text().strip()}
    as_application = client_config(args.bootstrap, **login)
    as_admin = client_config(args.bootstrap)
    report = {"writes": {}, "reads": {}, "denied_writes": {}, "denied_groups": {}}
    for topic in args.writes:
        report["writes"][topic] = produce_as(as_application, topic)[1]
    for topic in args.reads:
        offset, error = produce_as(as_admin, topic)
        if error:
            report["reads"][topic] = "the admin could not write a message to read: %s" % error
        else:
            report["reads"][topic] = read_and_commit_as(as_application, topic, args.group, offset)
    for topic in args.denied_writes:
        report["denied_writes"][topic] = produce_as(as_application, topic)[1]
    for group in args.denied_groups:
        report["denied_groups"][group] = join_as(as_application, args.reads[0], group)
    refused = ["%s %s: %s" % (kind, name, error) for kind in ("writes", "reads")
               for name, error in report[kind].items() if error]
    let_in = ["write to %s" % topic for topic, error in report["denied_writes"].items()
              if error != "TOPIC_AUTHORIZATION_FAILED"]
    let_in += ["group %s" % group for group, error in report["denied_groups"].items()
               if error != "GROUP_AUTHORIZATION_FAILED"]
    if refused or let_in:
        raise CheckFailed("%s: %s" % (args.user, "; ".join(
            (["refused " + text for text in refused] + ["not refused " + text for text in let_in]))), report)
    return report


def served_certificate(address, ca_file):
    """Serial number and expiry of the certificate the listener at `address` serves, checked against `ca_file`."""
    host, port = address.rsplit(":", 1)
    context = ssl.create_default_context(cafile=ca_file)
    with socket.create_connection((host, int(port)), timeout=REQUEST_TIMEOUT) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            certificate = tls.getpeercert()
    return {"serial": certificate["serialNumber"], "not_after": certificate["notAfter"]}


def check_certificates(args):
    """The certificate each listener serves; with --renewed-since, each one must be another."""
    report = dict((address, served_certificate(address, CLIENT_SECURITY["ssl.ca.location"])) for address in args.listeners)
    if args.renewed_since:
        before = json.loads(pathlib.Path(args.renewed_since).read_text())
        kept = sorted(address for address in args.listeners if before.get(address, {}).get("serial") == report[address]["serial"])
        if kept:
            raise CheckFailed("still the certificate of before: %s" % ", ".join(kept), report)
    return report


def check_table_schemas(args):
    """One Avro record per topic through the schema registered under <topic>-value."""
    registry = SchemaRegistryClient({
        "url": args.registry_url, "timeout": REQUEST_TIMEOUT, "ssl.ca.location": args.registry_ca,
        "ssl.certificate.location": args.registry_certificate, "ssl.key.location": args.registry_key})
    report = {}
    for topic in args.topics:
        try:
            report[topic] = round_trip(client_config(args.bootstrap), registry, topic, 2 * REQUEST_TIMEOUT)
        except ValueError as exc:
            raise CheckFailed(str(exc), report)
    return report


def check_broker_config(args):
    """Every broker runs with the same value of a setting (the given one, if any), as the broker reports it."""
    admin = admin_client(args.bootstrap)
    values = {}
    for broker_id in sorted(describe_brokers(admin)):
        # The brokers answer for themselves: one broker per request.
        futures = admin.describe_configs([ConfigResource("broker", str(broker_id))], request_timeout=REQUEST_TIMEOUT)
        values[str(broker_id)] = answer(next(iter(futures.values())))[args.key].value
    report = {"key": args.key, "values": values}
    if len(set(values.values())) != 1 or args.value not in (None, next(iter(values.values()))):
        raise CheckFailed("brokers run with %s=%s, expected %s everywhere"
                          % (args.key, values, args.value or "one value"), report)
    return dict(report, value=next(iter(values.values())))


class MembershipLog:
    """Which brokers the cluster lists and how many partitions are under-replicated,
    sampled from one metadata answer at a time on the controller's monotonic clock.

    Every 0.1 s: the role starts the next restart within about a second of
    seeing the cluster healthy, and the judge must see that state too. Each
    sample keeps when it was asked and when answered, since the broker read its
    state somewhere in between; a request that a stopping or starting broker
    holds gives up after SAMPLE_TIMEOUT, so one broker cannot blind the log."""

    def __init__(self, bootstrap):
        self.admin = admin_client(bootstrap)
        self.samples = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stopped.is_set():
            try:
                asked = time.monotonic()
                metadata = self.admin.list_topics(timeout=SAMPLE_TIMEOUT)
                under_replicated = sum(1 for topic in metadata.topics.values() for partition in topic.partitions.values()
                                       if len(partition.isrs) < len(partition.replicas))
                self.samples.append((asked, time.monotonic(), sorted(metadata.brokers), under_replicated))
            except (KafkaException, TimeoutError):
                pass  # no answer is not a membership change; the next sample decides
            self.stopped.wait(0.1)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def produce_continuously(args):
    """Write with acks=all and idempotence until the stop file appears, then prove every write landed once."""
    run = uuid.uuid4().hex
    admin = admin_client(args.bootstrap)
    ensure_probe_topic(admin, args.topic, describe_brokers(admin), args.min_insync_replicas)
    membership = MembershipLog(args.bootstrap)
    membership.thread.start()
    sent_at, latencies, errors = {}, [], []

    def on_delivery(err, msg):
        seq = int(msg.key())
        if err is not None:
            errors.append("%d: %s" % (seq, err.str()))
        else:
            latencies.append(time.monotonic() - sent_at[seq])

    producer = durable_producer(args.bootstrap)
    started = next_send = time.monotonic()
    seq = 0
    stop_file = pathlib.Path(args.stop_file)
    max_gap = 0.0
    while not stop_file.exists() and time.monotonic() - started < args.max_seconds and alive(args.watch_pid):
        now = time.monotonic()
        if seq:
            max_gap = max(max_gap, now - sent_at[seq - 1])
        sent_at[seq] = now
        producer.produce(args.topic, key=str(seq).encode(), value=("%s/%d" % (run, seq)).encode(),
                         on_delivery=on_delivery)
        seq += 1
        # Serving delivery reports until the next send is due paces the writer at 1/interval a second.
        next_send += args.interval
        while True:
            remaining = next_send - time.monotonic()
            # Computed once: a negative timeout would make poll() wait forever.
            if remaining <= 0:
                break
            producer.poll(remaining)
        if latencies and not os.path.exists(args.ready_file):
            pathlib.Path(args.ready_file).write_text(run)
    stopped = time.monotonic()
    undelivered = producer.flush(args.deadline)
    membership.stopped.set()
    membership.thread.join()
    found, read_back_error = read_run_back(args.bootstrap, args.topic, run)
    report = {
        "run": run, "started_monotonic": started, "stopped_monotonic": stopped,
        "stopped_by": "stop file" if stop_file.exists() else "max seconds" if alive(args.watch_pid) else "watched process gone",
        "sent": seq, "delivered": len(latencies), "delivery_errors": len(errors), "first_errors": errors[:5],
        "undelivered": undelivered, "max_delivery_seconds": round(max(latencies or [0]), 3),
        "max_send_gap_seconds": round(max_gap, 3),
        "read_back": len(set(found)), "read_back_error": read_back_error, "duplicates": len(found) - len(set(found)),
        "missing": len(set(range(seq)) - set(found)), "membership": membership.samples,
    }
    pathlib.Path(args.report).write_text(json.dumps(report))
    return {key: value for key, value in report.items() if key != "membership"}


def read_run_back(bootstrap, topic, run, deadline_seconds=120):
    """Sequence numbers of one run's messages, as stored, duplicates included, and why reading stopped short."""
    admin = admin_client(bootstrap)
    partitions = sorted(partition_leaders(admin, topic))
    consumer = Consumer(client_config(bootstrap, **{"group.id": "molecule-prod-run-%s" % run, "enable.auto.commit": False}))
    found = []
    try:
        ends = {partition: consumer.get_watermark_offsets(TopicPartition(topic, partition),
                                                          timeout=REQUEST_TIMEOUT)[1] for partition in partitions}
        positions = dict.fromkeys(partitions, 0)
        consumer.assign([TopicPartition(topic, partition, 0) for partition in partitions])
        deadline = time.monotonic() + deadline_seconds
        while any(positions[partition] < ends[partition] for partition in partitions):
            if time.monotonic() > deadline:
                return found, "%s was not read back to its end within %ss: at %s of %s" % (
                    topic, deadline_seconds, positions, ends)
            for message in consumer.consume(1000, timeout=1.0):
                if message.error() is not None:
                    continue
                positions[message.partition()] = message.offset() + 1
                # Other checks write to the topic too; only "<run>/<seq>" values are this writer's.
                message_run, slash, seq = message.value().decode().partition("/")
                if slash and message_run == run:
                    found.append(int(seq))
    finally:
        consumer.close()
    return found, None


def check_rolling_restart(args):
    """The brokers went down one at a time, each back and caught up before the next went down,
    all while the writer ran, and the writer lost or duplicated nothing.

    A broker is back once, after the cluster noticed it leave (it was missing from
    the metadata or a partition was under-replicated), the metadata lists it
    again with no partition under-replicated: the roles' own health gate."""
    report_file = pathlib.Path(args.producer_report)
    if not report_file.exists():
        raise CheckFailed("the writer left no report at %s" % report_file)
    producer = json.loads(report_file.read_text())
    units = {broker_id: dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
             for broker_id, text in json.loads(args.systemd).items()}
    problems = []
    for key in ("delivery_errors", "undelivered", "missing", "duplicates"):
        if producer[key]:
            problems.append("writer: %s=%s %s" % (key, producer[key], producer["first_errors"]))
    if not producer["delivered"]:
        problems.append("writer delivered nothing")
    if producer["read_back_error"]:
        problems.append("writer: %s" % producer["read_back_error"])
    if producer["max_send_gap_seconds"] > args.max_send_gap:
        problems.append("the writer stalled for %ss" % producer["max_send_gap_seconds"])

    started, stopped = producer["started_monotonic"], producer["stopped_monotonic"]
    samples = producer["membership"]
    windows = []
    for broker_id, unit in units.items():
        broker = int(broker_id)
        down = int(unit["ActiveExitTimestampMonotonic"]) / 1e6
        up = int(unit["ActiveEnterTimestampMonotonic"]) / 1e6
        # A state counts as after a moment only if it was asked after it, and
        # as before one only if it was answered before it.
        noticed = next((index for index, (asked, _answered, ids, urp) in enumerate(samples)
                        if asked >= down and (broker not in ids or urp)), None)
        back = None if noticed is None else next(
            (answered for asked, answered, ids, urp in samples[noticed + 1:] if asked >= up and broker in ids and not urp),
            None)
        windows.append({"broker": broker, "down": down, "up": up,
                        "noticed": None if noticed is None else samples[noticed][1], "back": back})
        if not started < down < up < stopped:
            problems.append("broker %s did not stop and start while the writer ran" % broker_id)
        if back is None:
            problems.append("broker %s was not seen leave and come back caught up while the writer ran" % broker_id)
    windows.sort(key=lambda window: window["down"])
    for before, after in zip(windows, windows[1:]):
        if before["back"] is None or before["back"] >= after["down"]:
            silence, silent_since = longest_silence(samples, before["up"], after["down"])
            if silence > UNSEEN_SECONDS:
                # Blindness is the judge's failure, not the role's: say which.
                problems.append("the metadata log got no answer for %.1fs from %ss, so it cannot tell whether broker %d "
                                "was back and caught up before broker %d went down"
                                % (silence, since(silent_since, started), before["broker"], after["broker"]))
            else:
                problems.append("broker %d went down before broker %d was back and caught up"
                                % (after["broker"], before["broker"]))

    sizes = [len(ids) for _asked, _answered, ids, _urp in samples]
    report = {
        "writer": {key: value for key, value in producer.items() if key != "membership"},
        "fewest_brokers_seen": min(sizes) if sizes else None, "membership_samples": len(sizes),
        # Seconds since the writer started.
        "restarts": [{"broker": window["broker"], "stop_began": since(window["down"], started),
                      "started": since(window["up"], started), "cluster_noticed": since(window["noticed"], started),
                      "back_and_caught_up": since(window["back"], started)}
                     for window in windows],
    }
    if not sizes or min(sizes) < len(units) - 1:
        problems.append("the cluster was seen with %s brokers; a rolling restart leaves at most one out"
                        % report["fewest_brokers_seen"])
    if problems:
        raise CheckFailed("; ".join(problems), report)
    return report


def longest_silence(samples, start, end):
    """(seconds, from when) of the longest stretch between start and end with no metadata answer."""
    answers = [start] + [answered for _asked, answered, _ids, _urp in samples if start < answered < end] + [end]
    return max((later - earlier, earlier) for earlier, later in zip(answers, answers[1:]))


def since(moment, origin):
    return None if moment is None else round(moment - origin, 1)


def comma_list(text):
    return [item for item in text.split(",") if item]


def parser():
    root = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root.add_argument("--client-config", help="JSON file of librdkafka security settings for every client")
    commands = root.add_subparsers(dest="command", required=True)

    def command(name, handler, help_text):
        sub = commands.add_parser(name, help=help_text)
        sub.set_defaults(handler=handler)
        return sub

    def zookeeper_client(sub):
        sub.add_argument("--nodes", type=comma_list, required=True, help="host:port,... of the members' client ports")
        sub.add_argument("--ca", help="CA of the members' certificates, for a secure client port")
        sub.add_argument("--certificate", help="PEM certificate of the client, signed by the CA")
        sub.add_argument("--key", help="PEM key of the client's certificate")

    zookeeper_client(command("zookeeper-ensemble", check_zookeeper_ensemble, "exactly one leader, the rest followers"))
    sub = command("zookeeper-tls", check_zookeeper_tls, "client ports answer only TLS clients with a certificate")
    zookeeper_client(sub)
    sub.add_argument("--timeout", type=float, default=5.0)

    sub = command("brokers", check_brokers, "the cluster has exactly these brokers")
    sub.add_argument("--bootstrap", required=True)
    sub.add_argument("--expect", type=comma_list, required=True, help="BROKER_ID=ADVERTISED_HOST,...")

    sub = command("topics", check_topics, "replication factor and min.insync.replicas of topics")
    sub.add_argument("--bootstrap", required=True)
    sub.add_argument("--topics", type=comma_list, required=True)
    sub.add_argument("--replication-factor", type=int, required=True)
    sub.add_argument("--min-insync-replicas", type=int, required=True)

    sub = command("read-back", check_read_back, "acks=all write read back from each broker")
    sub.add_argument("--bootstrap", required=True)
    sub.add_argument("--topic", required=True)
    sub.add_argument("--min-insync-replicas", type=int, required=True)
    sub.add_argument("--deadline", type=int, default=60)

    sub = command("writable", check_writable, "acks=all writes reach every partition")
    sub.add_argument("--bootstrap", required=True)
    sub.add_argument("--topic", required=True)
    sub.add_argument("--per-partition", type=int, default=20)
    sub.add_argument("--deadline", type=int, default=120)

    sub = command("healthy", check_healthy, "all brokers back, nothing under-replicated or offline")
    sub.add_argument("--bootstrap", required=True)
    sub.add_argument("--expect-brokers", type=int, required=True)
    sub.add_argument("--deadline", type=int, default=180)

    sub = command("broker-config", check_broker_config, "every broker runs with this setting")
    sub.add_argument("--bootstrap", required=True)
    sub.add_argument("--key", required=True)
    sub.add_argument("--value", help="the value every broker must run with; without it, any one value")

    sub = command("security", check_security, "every way in without the right login, CA and name is refused")
    sub.add_argument("--bootstrap", required=True, help="the client listeners, where the admin logs in")
    sub.add_argument("--listeners", type=comma_list, required=True, help="host:port of every listener of every broker")
    sub.add_argument("--topic", required=True, help="a topic that a principal without ACL may not write or read")
    sub.add_argument("--untrusted-ca", required=True, help="CA certificates that did not sign the brokers'")

    sub = command("application-rights", check_application_rights,
                  "an application principal may do what it needs and nothing else")
    sub.add_argument("--bootstrap", required=True)
    sub.add_argument("--user", required=True)
    sub.add_argument("--password-file", required=True, help="holds the user's password, so it is on no command line")
    sub.add_argument("--writes", type=comma_list, default=[], help="topics it must be able to write")
    sub.add_argument("--reads", type=comma_list, required=True, help="topics it must be able to read, in --group")
    sub.add_argument("--group", required=True)
    sub.add_argument("--denied-writes", type=comma_list, default=[], help="topics it must not write")
    sub.add_argument("--denied-groups", type=comma_list, default=[], help="groups it must not commit in")

    sub = command("table-schemas", check_table_schemas,
                  "an Avro record per topic round-trips with the schema registered for it")
    sub.add_argument("--bootstrap", required=True)
    sub.add_argument("--topics", type=comma_list, required=True)
    sub.add_argument("--registry-url", required=True)
    sub.add_argument("--registry-ca", required=True)
    sub.add_argument("--registry-certificate", required=True)
    sub.add_argument("--registry-key", required=True)

    sub = command("certificates", check_certificates, "the certificate each TLS listener serves")
    sub.add_argument("--listeners", type=comma_list, required=True, help="host:port of TLS listeners")
    sub.add_argument("--renewed-since", help="an earlier report of this check: every serial must have changed")

    sub = command("produce-continuously", produce_continuously, "acks=all writer for the rolling restart")
    sub.add_argument("--bootstrap", required=True)
    sub.add_argument("--topic", required=True)
    sub.add_argument("--min-insync-replicas", type=int, required=True)
    sub.add_argument("--ready-file", required=True, help="written once the first message is delivered")
    sub.add_argument("--stop-file", required=True, help="the writer stops when this file appears")
    sub.add_argument("--report", required=True)
    sub.add_argument("--interval", type=float, default=0.02)
    # Bounds, so that a writer whose playbook died does not run on.
    sub.add_argument("--max-seconds", type=int, default=900)
    sub.add_argument("--watch-pid", type=int, required=True, help="the writer stops when this process is gone")
    sub.add_argument("--deadline", type=int, default=150)

    sub = command("rolling-restart", check_rolling_restart, "judge a rolling restart from the writer's report")
    sub.add_argument("--producer-report", required=True)
    sub.add_argument("--max-send-gap", type=float, default=2.0,
                     help="seconds; a longer pause between two sends means the writer did not keep writing")
    sub.add_argument("--systemd", required=True,
                     help="JSON: broker id -> output of `systemctl show` with Active{Exit,Enter}TimestampMonotonic")
    return root


def main():
    args = parser().parse_args()
    if args.client_config:
        CLIENT_SECURITY.update(json.loads(pathlib.Path(args.client_config).read_text()))
    return run(args, failures=(
        (KafkaException, lambda exc: exc.args[0].str()),
        (TimeoutError, lambda exc: "the cluster gave no answer within %ss" % (REQUEST_TIMEOUT + 5)),
    ))


if __name__ == "__main__":
    sys.exit(main())
