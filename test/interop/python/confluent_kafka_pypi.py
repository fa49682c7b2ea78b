"""confluent-kafka from PyPI (the version pinned in requirements.txt; its wheel bundles librdkafka)
side of test/interop/pypi-clients.test.ts. Run with the venv's interpreter (.venv/interop/bin/python):

  create  BOOTSTRAP TOPIC PARTITIONS    AdminClient.create_topics
  group   BOOTSTRAP TOPIC GROUP CODEC   two Consumers in GROUP (subscribe, no auto-commit) poll until
                                        each holds its share of the partitions; then an idempotent
                                        Producer (CODEC compression) sends the records on stdin
                                        (explicit partitions and timestamps); the two consumers poll
                                        until every record is in, each commits synchronously, and
                                        they print the records (with the member that got each), their
                                        assignments and committed() offsets
  produce BOOTSTRAP TOPIC CODEC         the idempotent Producer alone, one ack line per record
  consume BOOTSTRAP TOPIC GROUP COUNT   one Consumer in GROUP: poll until COUNT records, commit,
                                        print as above

Lines are described in interop_lines.py. Errors end the process with a message on stderr and a
non-zero exit code.
"""
import sys
import time

import confluent_kafka
from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from interop_lines import emit, read_records, record_line

CLIENT_ID = 'samsa-interop-confluent-kafka-pypi'


def fail(message):
    sys.stderr.write(message + '\n')
    sys.exit(1)


def create(bootstrap, topic, partitions):
    admin = AdminClient({'bootstrap.servers': bootstrap, 'client.id': CLIENT_ID})
    for future in admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)],
                                      operation_timeout=15).values():
        future.result(timeout=30)
    emit({'type': 'created', 'topic': topic, 'version': confluent_kafka.version(),
          'librdkafka': confluent_kafka.libversion()[0]})


def produce_records(bootstrap, topic, codec, records):
    producer = Producer({
        'bootstrap.servers': bootstrap,
        'client.id': CLIENT_ID,
        'enable.idempotence': True,
        'compression.type': codec,
        'linger.ms': 5,
    })
    acks = {}

    def delivered(index):
        def callback(err, msg):
            if err is not None:
                fail(f'record {index} not delivered: {err}')
            acks[index] = (msg.partition(), msg.offset())
        return callback

    for i, r in enumerate(records):
        producer.produce(topic, key=r['key'], value=r['value'], headers=r['headers'], partition=r['partition'],
                         timestamp=r['timestamp'], on_delivery=delivered(i))
        producer.poll(0)
    left = producer.flush(30)
    if left != 0:
        fail(f'{left} records still undelivered after 30 s')
    for i in range(len(records)):
        partition, offset = acks[i]
        emit({'type': 'ack', 'index': i, 'partition': partition, 'offset': offset})


def new_consumer(bootstrap, group, member, assignments):
    def on_assign(_consumer, partitions):
        assignments[member] = sorted(tp.partition for tp in partitions)

    def on_revoke(_consumer, _partitions):
        assignments[member] = []

    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'client.id': f'{CLIENT_ID}-{member}',
        'group.id': group,
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
        'session.timeout.ms': 6000,
        'heartbeat.interval.ms': 500,
        'fetch.wait.max.ms': 100,
    })
    return consumer, on_assign, on_revoke


def poll_into(consumer, member, timeout):
    msg = consumer.poll(timeout)
    if msg is None:
        return 0
    if msg.error():
        raise KafkaException(msg.error())
    emit(record_line(member, msg.partition(), msg.offset(), msg.key(), msg.value(), msg.headers(),
                     msg.timestamp()[1]))
    return 1


def finish(consumers, topic, assignments):
    """Commits each consumer's position, prints what it reads back, and leaves the group."""
    for member, consumer in enumerate(consumers):
        emit({'type': 'assignment', 'member': member, 'partitions': assignments[member]})
        consumer.commit(asynchronous=False)
        mine = [confluent_kafka.TopicPartition(topic, p) for p in assignments[member]]
        committed = consumer.committed(mine, timeout=15)
        emit({'type': 'committed', 'member': member,
              'offsets': {str(tp.partition): tp.offset for tp in committed}})
    for consumer in consumers:
        consumer.close()


def group(bootstrap, topic, group_id, codec):
    records = read_records()
    assignments = {0: [], 1: []}
    consumers = []
    for member in (0, 1):
        consumer, on_assign, on_revoke = new_consumer(bootstrap, group_id, member, assignments)
        consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        consumers.append(consumer)
    seen = 0
    deadline = time.monotonic() + 30
    # Both members in the group, each with its share: the records come only after that, so each
    # partition is read by one member, from the start.
    while not (assignments[0] and assignments[1]):
        if time.monotonic() > deadline:
            fail(f'no assignment for both members within 30 s: {assignments}')
        for member, consumer in enumerate(consumers):
            seen += poll_into(consumer, member, 0.05)
    emit({'type': 'stable', 'assignments': {str(m): a for m, a in assignments.items()}})
    produce_records(bootstrap, topic, codec, records)
    deadline = time.monotonic() + 30
    while seen < len(records):
        if time.monotonic() > deadline:
            fail(f'timed out with {seen} of {len(records)} records')
        for member, consumer in enumerate(consumers):
            seen += poll_into(consumer, member, 0.05)
    finish(consumers, topic, assignments)


def consume(bootstrap, topic, group_id, count):
    assignments = {0: []}
    consumer, on_assign, on_revoke = new_consumer(bootstrap, group_id, 0, assignments)
    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    seen = 0
    deadline = time.monotonic() + 30
    while seen < count:
        if time.monotonic() > deadline:
            fail(f'timed out with {seen} of {count} records')
        seen += poll_into(consumer, 0, 0.2)
    finish([consumer], topic, assignments)


def main(argv):
    command = argv[1]
    if command == 'create':
        create(argv[2], argv[3], int(argv[4]))
    elif command == 'group':
        group(argv[2], argv[3], argv[4], argv[5])
    elif command == 'produce':
        produce_records(argv[2], argv[3], argv[4], read_records())
    elif command == 'consume':
        consume(argv[2], argv[3], argv[4], int(argv[5]))
    else:
        fail(f'unknown command {command}')


if __name__ == '__main__':
    main(sys.argv)
