"""`make bench-offsets`: kafka_consumer_offsets and kafka_info against the broker's floor.

Starts its own ZooKeeper and Kafka broker, and on it a topic of N partitions
(1,000 by default) holding RECORDS records each, the first half an hour old,
and a group that has committed offset RECORDS - 1 on every partition. Each
step is timed three ways:
  raw     confluent-kafka's AdminClient, every request the step needs sent at
          once, no Ansible;
  empty   ansible-playbook on the same play with no task, and with one
          ansible.builtin.ping task;
  module  ansible-playbook with one task of the module.
The steps:
  describe        kafka_consumer_offsets without reset: the group's state,
                  committed offsets, log starts and log ends (lag);
  info            kafka_info, gather consumer_groups with lag_per_partition:
                  every group's state, committed offsets and log ends;
  reset earliest  kafka_consumer_offsets reset=earliest: the group's state,
                  committed offsets, log starts and ends, then the commit;
  reset datetime  kafka_consumer_offsets reset=datetime, half an hour ago:
                  the same, plus the offsets at that time.
It prints each step's ratios to the floors of tests/bench/floor.py and exits 1
if a run fails, a reset does not leave the offsets it should, or module /
(raw + task) is above the target. As in bench-topics, a warm-up raw round comes first, the
rounds run raw, module, module, raw, and each side keeps its better round.
"""
import datetime
import os
import sys
import time

from confluent_kafka import ConsumerGroupTopicPartitions, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic, OffsetSpec

from tests.bench.floor import on_own_broker, play, report, write_playbook
from tests.bench.services import QUIET_LOGGER

PARTITIONS = int(os.environ.get("BENCH_PARTITIONS", "1000"))
RECORDS = 4
TOPIC, GROUP = "bench-offsets", "bench-offsets-group"
TIMEOUT = 120
HALF_AN_HOUR_MS = 30 * 60 * 1000
STEPS = ("describe", "info", "reset earliest", "reset datetime")
# The committed offset each step leaves; describe and info leave the one before.
AFTER = {"reset earliest": 0, "reset datetime": RECORDS // 2}


def settle(futures):
    return {key: future.result() for key, future in futures.items()}


def prepare(admin, bootstrap):
    """The topic, its records (the first half older than the reset's datetime) and the group's commits."""
    admin.create_topics([NewTopic(TOPIC, PARTITIONS, 1)], operation_timeout=TIMEOUT)[TOPIC].result()
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 50, "logger": QUIET_LOGGER})
    now_ms = int(time.time() * 1000)
    for partition in range(PARTITIONS):
        for index in range(RECORDS):
            age = 2 * HALF_AN_HOUR_MS if index < RECORDS // 2 else 0
            producer.produce(TOPIC, b"event", partition=partition, timestamp=now_ms - age)
        producer.poll(0)
    if producer.flush(60):
        sys.exit("the bench records were not all delivered")
    until_coordinator(admin)
    commit(admin, RECORDS - 1)
    return datetime.datetime.fromtimestamp((now_ms - HALF_AN_HOUR_MS) / 1000, datetime.timezone.utc)


def until_coordinator(admin, timeout=60):
    """The first group request creates __consumer_offsets; librdkafka does not retry that lookup within one request."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            admin.describe_consumer_groups([GROUP], request_timeout=5)[GROUP].result()
            return
        except Exception:  # noqa: BLE001 - any failure before the deadline is another try
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def commit(admin, offset):
    partitions = [TopicPartition(TOPIC, partition, offset) for partition in range(PARTITIONS)]
    admin.alter_consumer_group_offsets([ConsumerGroupTopicPartitions(GROUP, partitions)],
                                       request_timeout=TIMEOUT)[GROUP].result()


def committed(admin):
    answer = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(GROUP)],
                                               request_timeout=TIMEOUT)[GROUP].result()
    return {partition.partition: partition.offset for partition in answer.topic_partitions}


def raw_read(admin, specs):
    """The group's state, committed offsets and one list_offsets per spec, all sent at once."""
    group = admin.describe_consumer_groups([GROUP], request_timeout=TIMEOUT)
    offsets = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(GROUP)], request_timeout=TIMEOUT)
    logs = [admin.list_offsets({TopicPartition(TOPIC, partition): spec for partition in range(PARTITIONS)},
                               request_timeout=TIMEOUT) for spec in specs]
    settle(group)
    current = settle(offsets)[GROUP]
    return current, [settle(log) for log in logs]


def raw_step(admin, step, since):
    if step == "describe":
        raw_read(admin, [OffsetSpec.earliest(), OffsetSpec.latest()])
    elif step == "info":
        listing = admin.list_consumer_groups(request_timeout=TIMEOUT)
        offsets = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(GROUP)], request_timeout=TIMEOUT)
        ends = admin.list_offsets({TopicPartition(TOPIC, partition): OffsetSpec.latest()
                                   for partition in range(PARTITIONS)}, request_timeout=TIMEOUT)
        names = [group.group_id for group in listing.result().valid]
        settle(admin.describe_consumer_groups(names, request_timeout=TIMEOUT))
        settle(offsets)
        settle(ends)
    else:
        # The target first; the log start and end bound it, as the module's plan does.
        specs = [OffsetSpec.earliest(), OffsetSpec.latest()]
        if step == "reset datetime":
            specs.insert(0, OffsetSpec.for_timestamp(int(since.timestamp() * 1000)))
        _current, logs = raw_read(admin, specs)
        targets = [TopicPartition(TOPIC, key.partition, info.offset) for key, info in logs[0].items()]
        admin.alter_consumer_group_offsets([ConsumerGroupTopicPartitions(GROUP, targets)],
                                           request_timeout=TIMEOUT)[GROUP].result()


def module_task(step, bootstrap, since):
    connection = {"bootstrap_servers": bootstrap, "request_timeout": TIMEOUT}
    if step == "info":
        return {"ecommerce.kafka.kafka_info": dict(connection, gather=["consumer_groups"], lag_per_partition=True)}
    task = dict(connection, group=GROUP)
    if step == "reset earliest":
        task.update(topics=[TOPIC], reset="earliest")
    elif step == "reset datetime":
        task.update(topics=[TOPIC], reset="datetime", datetime=since.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3])
    return {"ecommerce.kafka.kafka_consumer_offsets": task}


def check_offsets(admin, side, step, problems):
    """After a step, every partition holds the offset the step should leave."""
    wanted = AFTER.get(step)
    if wanted is None:
        return
    offsets = set(committed(admin).values())
    if offsets != {wanted}:
        problems.append(f"{side} {step}: committed offsets {sorted(offsets)}, not {wanted}")


def timed_round(side, admin, workdir, bootstrap, since, problems, empties, pings):
    """One round of every step; the module's from ansible-playbook. Starts from the committed offset RECORDS - 1."""
    commit(admin, RECORDS - 1)
    timings = {}
    for step in STEPS:
        if side == "raw":
            started = time.monotonic()
            raw_step(admin, step, since)
            timings[step] = time.monotonic() - started
        else:
            write_playbook(workdir / "step.yml", [module_task(step, bootstrap, since)])
            write_playbook(workdir / "empty.yml", [])
            write_playbook(workdir / "ping.yml", [{"ansible.builtin.ping": {}}])
            empties.append(play(workdir, "empty.yml")[0])
            pings.append(play(workdir, "ping.yml")[0])
            timings[step], changed = play(workdir, "step.yml")
            if changed != (1 if step.startswith("reset") else 0):
                problems.append(f"module {step}: the task reported changed={changed}")
        check_offsets(admin, side, step, problems)
    return timings


def benchmark(workdir, bootstrap):
    admin = AdminClient({"bootstrap.servers": bootstrap, "logger": QUIET_LOGGER})
    since = prepare(admin, bootstrap)
    problems, empties, pings = [], [], []
    timed_round("raw", admin, workdir, bootstrap, since, [], [], [])
    rounds = {"raw": [], "module": []}
    for side in ("raw", "module", "module", "raw"):
        rounds[side].append(timed_round(side, admin, workdir, bootstrap, since, problems, empties, pings))
    title = (f"group {GROUP} committed on {PARTITIONS} partitions of {TOPIC}, {RECORDS} records each; "
             "rounds raw, module, module, raw")
    problems += report(title, STEPS, rounds["raw"], rounds["module"], empties, pings)
    if problems:
        sys.exit("MISSED: " + "; ".join(problems))


def main():
    on_own_broker("bench-offsets-", benchmark)


if __name__ == "__main__":
    main()
