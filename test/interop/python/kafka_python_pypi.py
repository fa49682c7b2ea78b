"""kafka-python from PyPI (the version pinned in requirements.txt) side of
test/interop/pypi-clients.test.ts. Run with the venv's interpreter (.venv/interop/bin/python):

  create  BOOTSTRAP TOPIC PARTITIONS   KafkaAdminClient.create_topics
  produce BOOTSTRAP TOPIC CODEC        KafkaProducer (idempotent, acks=all, CODEC compression) sends
                                       the records on stdin (explicit partitions and timestamps),
                                       one ack line each, in order
  consume BOOTSTRAP TOPIC GROUP COUNT  KafkaConsumer in GROUP (subscribe, no auto-commit) polls
                                       until COUNT records, commits synchronously, and prints the
                                       records, its assignment and committed() for each partition

Lines are described in interop_lines.py. Errors end the process with a traceback on stderr and a
non-zero exit code.
"""
import sys
import time

import kafka
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

from interop_lines import emit, read_records, record_line

CLIENT_ID = 'samsa-interop-kafka-python-pypi'


def create(bootstrap, topic, partitions):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=CLIENT_ID, request_timeout_ms=15000)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
        emit({'type': 'created', 'topic': topic, 'version': kafka.__version__})
    finally:
        admin.close()


def produce(bootstrap, topic, codec):
    records = read_records()
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=CLIENT_ID,
        acks='all',
        enable_idempotence=True,
        compression_type=None if codec == 'none' else codec,
        linger_ms=5,
        request_timeout_ms=15000,
    )
    futures = [
        producer.send(topic, key=r['key'], value=r['value'], headers=r['headers'],
                      partition=r['partition'], timestamp_ms=r['timestamp'])
        for r in records
    ]
    producer.flush(timeout=30)
    for i, f in enumerate(futures):
        md = f.get(timeout=30)
        emit({'type': 'ack', 'index': i, 'partition': md.partition, 'offset': md.offset})
    producer.close(timeout=10)


def consume(bootstrap, topic, group, count):
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        client_id=CLIENT_ID,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset='earliest',
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
        request_timeout_ms=15000,
    )
    consumer.subscribe([topic])
    seen = 0
    deadline = time.monotonic() + 30
    while seen < count:
        if time.monotonic() > deadline:
            raise SystemExit(f'timed out with {seen} of {count} records')
        for batch in consumer.poll(timeout_ms=200).values():
            for r in batch:
                emit(record_line(0, r.partition, r.offset, r.key, r.value, r.headers, r.timestamp))
                seen += 1
    consumer.commit()
    assignment = sorted(tp.partition for tp in consumer.assignment())
    emit({'type': 'assignment', 'member': 0, 'partitions': assignment})
    committed = {str(p): consumer.committed(TopicPartition(topic, p)) for p in assignment}
    emit({'type': 'committed', 'member': 0, 'offsets': committed})
    consumer.close(autocommit=False)


def main(argv):
    command = argv[1]
    if command == 'create':
        create(argv[2], argv[3], int(argv[4]))
    elif command == 'produce':
        produce(argv[2], argv[3], argv[4])
    elif command == 'consume':
        consume(argv[2], argv[3], argv[4], int(argv[5]))
    else:
        raise SystemExit(f'unknown command {command}')


if __name__ == '__main__':
    main(sys.argv)
