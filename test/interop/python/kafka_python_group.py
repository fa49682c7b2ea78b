"""kafka-python 2.0.2 (Debian python3-kafka) side of test/interop/kafka-python-groups.test.ts.

Run with the Debian interpreter: /usr/bin/python3 kafka_python_group.py COMMAND BOOTSTRAP ...

  consume BOOTSTRAP TOPIC GROUP COUNT  KafkaConsumer in GROUP with auto-commit every 100 ms: poll
                                       until COUNT records (or 20 s), close() (which commits), and
                                       report the records, the assignment and the committed offsets
  admin   BOOTSTRAP GROUP              KafkaAdminClient: list_consumer_groups,
                                       describe_consumer_groups, list_consumer_group_offsets

Each command prints one JSON object on stdout. Errors end the process with a traceback on stderr
and a non-zero exit code.
"""
import json
import sys
import time

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient


def consume(bootstrap, topic, group, count):
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id='samsa-interop-kafka-python-group',
        auto_offset_reset='earliest',
        enable_auto_commit=True,
        auto_commit_interval_ms=100,
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
        request_timeout_ms=15000,
    )
    records = []
    deadline = time.time() + 20
    while len(records) < count and time.time() < deadline:
        for batch in consumer.poll(timeout_ms=200).values():
            for r in batch:
                records.append([r.partition, r.offset, r.value.decode('utf-8')])
    assignment = sorted(tp.partition for tp in consumer.assignment())
    consumer.close(autocommit=True)
    # A second consumer object reads the committed offsets back (OffsetFetch v1).
    probe = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    partitions = sorted(probe.partitions_for_topic(topic) or [])
    committed = {str(p): probe.committed(TopicPartition(topic, p)) for p in partitions}
    probe.close(autocommit=False)
    return {'records': records, 'assignment': assignment, 'committed': committed}


def admin(bootstrap, group):
    client = KafkaAdminClient(bootstrap_servers=bootstrap, client_id='samsa-interop-kafka-python-admin',
                              request_timeout_ms=15000)
    try:
        listed = [list(g) for g in client.list_consumer_groups()]
        described = [
            {'group': d.group, 'state': d.state, 'protocol_type': d.protocol_type, 'members': len(d.members)}
            for d in client.describe_consumer_groups([group])
        ]
        offsets = {f'{tp.topic}-{tp.partition}': om.offset
                   for tp, om in client.list_consumer_group_offsets(group).items()}
        return {'listed': listed, 'described': described, 'offsets': offsets}
    finally:
        client.close()


def main(argv):
    command = argv[1]
    if command == 'consume':
        result = consume(argv[2], argv[3], argv[4], int(argv[5]))
    elif command == 'admin':
        result = admin(argv[2], argv[3])
    else:
        raise SystemExit(f'unknown command {command}')
    print(json.dumps(result))


if __name__ == '__main__':
    main(sys.argv)
