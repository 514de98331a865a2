"""The roles' guards on real systemd hosts: each change that would destroy data
is refused before anything changes, with one line that names the host, the
value found and the value asked; the services keep running and the data stays.

One platform for the module, grown as the tests go: ZooKeeper on host 1 and
brokers on hosts 1 and 2, then, with permission, a ZooKeeper ensemble on all
three hosts."""
import json
import time

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import wait_until

TOPIC = "guarded"
RECORDS = 200
HEALTH_TIMEOUT_WHEN_REFUSED = 20


class Platform:
    def __init__(self, hosts):
        self.hosts = hosts
        self.first, self.second, self.third = hosts.names
        self.zookeeper = {self.first: 1}
        self.brokers = {self.first: 1, self.second: 2}

    def inventory(self, zookeeper=None, brokers=None, **variables):
        zookeeper = self.zookeeper if zookeeper is None else zookeeper
        brokers = self.brokers if brokers is None else brokers
        return {"all": {
            "hosts": {name: dict(self.hosts.connection_vars) for name in self.hosts.names},
            "vars": {
                "ansible_become": False,
                "zookeeper_heap_size": "128m", "zookeeper_limit_nofile": 20000,
                "kafka_broker_heap_size": "384m", "kafka_broker_limit_nofile": 20000,
                "kafka_broker_advertised_host": "{{ ansible_default_ipv4.address }}",
                "kafka_broker_health_timeout": 120, "zookeeper_health_timeout": 120,
                **variables},
            "children": {
                "zookeeper": {"hosts": {name: {"zookeeper_id": number} for name, number in zookeeper.items()}},
                "kafka_broker": {"hosts": {name: {"kafka_broker_id": number} for name, number in brokers.items()}},
            }}}

    def converge(self, *args, **inventory):
        for playbook in ("playbooks/zookeeper.yml", "playbooks/kafka_broker.yml"):
            self.hosts.playbook(playbook, self.inventory(**inventory), *args).succeeded()

    @property
    def bootstrap(self):
        return ",".join(f"{self.hosts.address(name)}:9092" for name in self.brokers)

    def produce(self):
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        admin.create_topics([NewTopic(TOPIC, 2, 2)])[TOPIC].result(30)
        producer = Producer({"bootstrap.servers": self.bootstrap, "acks": "all", "enable.idempotence": True})
        for number in range(RECORDS):
            producer.produce(TOPIC, key=str(number), value=b"order-%d" % number)
        assert producer.flush(60) == 0

    def records(self):
        """Every record of the topic, read from the beginning by an assigned consumer that commits nothing."""
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "guards-reader",
                             "enable.auto.commit": False, "auto.offset.reset": "earliest"})
        consumer.assign([TopicPartition(TOPIC, partition, 0) for partition in range(2)])
        read = set()

        def all_read():
            message = consumer.poll(0.5)
            if message is not None and not message.error():
                read.add(message.value())
            return len(read) == RECORDS

        try:
            wait_until(all_read, 60, interval=0)
        finally:
            consumer.close()
        return len(read)

    def snapshot(self, host, service, *paths):
        """What a refused run must leave alone: the service's process and the files."""
        return dict(pid=self.hosts.main_pid(host, service), files=self.hosts.digest(host, *paths))

    def zookeeper_stats(self, host):
        """`srvr` and `monitor` of a member's AdminServer, asked on the member."""
        script = ("import json, urllib.request\n"
                  "get = lambda command: json.load(urllib.request.urlopen("
                  "'http://127.0.0.1:8180/commands/' + command, timeout=5))\n"
                  "print(json.dumps(dict(state=get('srvr')['server_stats']['server_state'],"
                  " znodes=get('monitor')['znode_count'])))")
        return json.loads(self.hosts.sh(host, "python3", "-c", script).stdout)


@pytest.fixture(scope="module")
def platform(hosts_of):
    platform = Platform(hosts_of("ecommerce-kafka-guard", 3))
    platform.converge()
    platform.produce()
    return platform


BROKER_FILES = ("/etc/kafka/server.properties", "/var/lib/kafka/data/meta.properties")
ZOOKEEPER_FILES = ("/etc/zookeeper/zoo.cfg", "/var/lib/zookeeper/myid")


def test_a_changed_broker_id_is_refused(platform):
    before = platform.snapshot(platform.first, "kafka", *BROKER_FILES)
    brokers = {**platform.brokers, platform.first: 3}
    platform.hosts.playbook("playbooks/kafka_broker.yml", platform.inventory(brokers=brokers)).refused(
        f"{platform.first}: kafka_broker_id is 3, but /var/lib/kafka/data/meta.properties holds broker.id=1")
    assert platform.snapshot(platform.first, "kafka", *BROKER_FILES) == before
    assert platform.records() == RECORDS


def test_a_changed_zookeeper_id_is_refused(platform):
    before = platform.snapshot(platform.first, "zookeeper", *ZOOKEEPER_FILES)
    platform.hosts.playbook("playbooks/zookeeper.yml", platform.inventory(zookeeper={platform.first: 7})).refused(
        f"{platform.first}: zookeeper_id is 7, but /var/lib/zookeeper/myid holds 1")
    assert platform.snapshot(platform.first, "zookeeper", *ZOOKEEPER_FILES) == before
    assert platform.records() == RECORDS


def test_dropping_a_log_folder_that_holds_data_is_refused(platform):
    before = platform.snapshot(platform.first, "kafka", *BROKER_FILES)
    inventory = platform.inventory(kafka_broker_data_dirs=["/var/lib/kafka/elsewhere"])
    platform.hosts.playbook("playbooks/kafka_broker.yml", inventory).refused(
        f"{platform.first}: kafka_broker_data_dirs is /var/lib/kafka/elsewhere, but the broker runs with "
        "log.dirs=/var/lib/kafka/data, and /var/lib/kafka/data still hold")
    assert platform.snapshot(platform.first, "kafka", *BROKER_FILES) == before
    assert platform.hosts.sh(platform.first, "test", "-e", "/var/lib/kafka/elsewhere", check=False).returncode == 1
    assert platform.records() == RECORDS


def test_switching_a_member_with_data_to_tls_is_refused(platform):
    before = platform.snapshot(platform.first, "zookeeper", *ZOOKEEPER_FILES)
    platform.hosts.playbook("playbooks/zookeeper.yml", platform.inventory(zookeeper_tls=True)).refused(
        f"{platform.first}: zookeeper_tls is true, but this member holds data and runs with TLS off")
    assert platform.snapshot(platform.first, "zookeeper", *ZOOKEEPER_FILES) == before
    assert platform.hosts.sh(platform.first, "test", "-e", "/etc/zookeeper/tls", check=False).returncode == 1
    assert platform.records() == RECORDS


def test_growing_the_ensemble_of_a_member_with_data_is_refused_by_default(platform):
    before = platform.snapshot(platform.first, "zookeeper", *ZOOKEEPER_FILES)
    grown = {platform.first: 1, platform.second: 2, platform.third: 3}
    platform.hosts.playbook("playbooks/zookeeper.yml", platform.inventory(zookeeper=grown)).refused(
        f"{platform.first}: the ensemble would change from standalone to "
        f"1={platform.first}:2888:3888, 2={platform.second}:2888:3888, 3={platform.third}:2888:3888 "
        "while /var/lib/zookeeper holds data. Set zookeeper_allow_membership_change: true to add them")
    assert platform.snapshot(platform.first, "zookeeper", *ZOOKEEPER_FILES) == before
    for new_member in (platform.second, platform.third):
        assert platform.hosts.sh(new_member, "test", "-e", "/etc/systemd/system/zookeeper.service",
                                 check=False).returncode == 1, f"{new_member} was touched"
    assert platform.records() == RECORDS


def test_growing_the_ensemble_with_permission_keeps_the_data(platform):
    znodes_before = platform.zookeeper_stats(platform.first)["znodes"]
    grown = {platform.first: 1, platform.second: 2, platform.third: 3}
    platform.converge("-e", "zookeeper_allow_membership_change=true", zookeeper=grown)
    platform.zookeeper = grown
    stats = {name: platform.zookeeper_stats(name) for name in grown}
    assert sorted(stat["state"] for stat in stats.values()) == ["follower", "follower", "leader"], stats
    # The members that joined empty hold the first member's tree: they synced from it, not it from them.
    assert {stat["znodes"] for stat in stats.values()} == {stats[platform.first]["znodes"]}, stats
    assert stats[platform.first]["znodes"] >= znodes_before
    assert platform.records() == RECORDS
    connect = platform.hosts.sh(platform.first, "grep", "^zookeeper.connect=", BROKER_FILES[0]).stdout
    assert all(name in connect for name in grown), connect


def test_a_second_converge_of_the_grown_platform_changes_nothing(platform):
    for playbook in ("playbooks/zookeeper.yml", "playbooks/kafka_broker.yml"):
        platform.hosts.playbook(playbook, platform.inventory()).succeeded().unchanged()


def test_a_rolling_restart_of_an_under_replicated_cluster_is_refused(platform):
    platform.hosts.sh(platform.second, "systemctl", "stop", "kafka")
    try:
        before = platform.snapshot(platform.first, "kafka", *BROKER_FILES)
        started = time.monotonic()
        run = platform.hosts.playbook(
            "playbooks/rolling_restart.yml", platform.inventory(kafka_broker_health_timeout=HEALTH_TIMEOUT_WHEN_REFUSED),
            "-e", "component=kafka_broker")
        elapsed = time.monotonic() - started
        run.refused(f"not healthy after {HEALTH_TIMEOUT_WHEN_REFUSED}s (wait_timeout): broker 2 not registered; ",
                    "under-replicated partitions (", f"{TOPIC}: 2")
        assert platform.snapshot(platform.first, "kafka", *BROKER_FILES) == before
        assert platform.hosts.sh(platform.second, "systemctl", "is-active", "kafka", check=False).stdout.strip() \
            == "inactive", "the stopped broker was started by a refused restart"
        assert elapsed < HEALTH_TIMEOUT_WHEN_REFUSED + 60, f"the refusal took {elapsed:.0f}s"
    finally:
        platform.hosts.sh(platform.second, "systemctl", "start", "kafka")
    platform.converge()
    assert platform.records() == RECORDS


def test_a_rolling_restart_with_a_zookeeper_member_down_is_refused(platform):
    down = list(platform.zookeeper)[-1]
    platform.hosts.sh(down, "systemctl", "stop", "zookeeper")
    try:
        before = {name: platform.hosts.main_pid(name, "zookeeper") for name in platform.zookeeper if name != down}
        run = platform.hosts.playbook(
            "playbooks/rolling_restart.yml", platform.inventory(zookeeper_health_timeout=HEALTH_TIMEOUT_WHEN_REFUSED),
            "-e", "component=zookeeper")
        run.refused(f"ZooKeeper members not serving after {HEALTH_TIMEOUT_WHEN_REFUSED}s (zookeeper_health_timeout): "
                    f"{down} (")
        assert {name: platform.hosts.main_pid(name, "zookeeper") for name in before} == before
        assert platform.hosts.main_pid(down, "zookeeper") == 0, "the stopped member was started by a refused restart"
    finally:
        platform.hosts.sh(down, "systemctl", "start", "zookeeper")
    platform.converge()
    assert platform.records() == RECORDS
