"""kafka-python 2.0.2 (Debian python3-kafka) side of test/interop/kafka-python.test.ts.

Run with the Debian interpreter: /usr/bin/python3 kafka_python_client.py COMMAND BOOTSTRAP TOPIC [ARG]

  admin    BOOTSTRAP TOPIC PARTITIONS  KafkaAdminClient: create the topic, then list and describe it
  produce  BOOTSTRAP TOPIC CODEC       KafkaProducer (acks=all): messages from stdin, one JSON object
                                       a line {"key", "value", "headers": [[name, value]], "partition"}
                                       (bytes as base64); waits for every acknowledgement
  consume  BOOTSTRAP TOPIC COUNT       KafkaConsumer without a group: assign() every partition,
                                       seek_to_beginning(), poll until COUNT records (or 20 s)

Each command prints one JSON object on stdout; bytes are base64. Errors end the process with a
traceback on stderr and a non-zero exit code.
"""
import base64
import json
import logging
import sys
import time

import kafka
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic


def b64(data):
    return None if data is None else base64.b64encode(data).decode('ascii')


def unb64(text):
    return None if text is None else base64.b64decode(text)


def admin(bootstrap, topic, partitions):
    client = KafkaAdminClient(bootstrap_servers=bootstrap, client_id='samsa-interop-kafka-python',
                              request_timeout_ms=15000)
    try:
        response = client.create_topics(
            [NewTopic(name=topic, num_partitions=int(partitions), replication_factor=1,
                      topic_configs={'retention.ms': '3600000'})],
            timeout_ms=10000)
        errors = [list(e) for e in response.topic_errors]
        topics = client.list_topics()
        described = client.describe_topics([topic])
        return {
            'createTopicsVersion': response.API_VERSION,
            'topicErrors': errors,
            'listed': topic in topics,
            'described': [
                {'topic': t['topic'], 'error': t['error_code'],
                 'partitions': sorted([p['partition'], p['leader'], p['replicas'], p['isr']]
                                      for p in t['partitions'])}
                for t in described
            ],
            'apiVersion': list(client.config['api_version']),
        }
    finally:
        client.close()


def produce(bootstrap, topic, codec):
    producer = KafkaProducer(bootstrap_servers=bootstrap, client_id='samsa-interop-kafka-python',
                             acks='all', retries=0, linger_ms=5,
                             compression_type=None if codec == 'none' else codec)
    try:
        futures = []
        for line in sys.stdin:
            if not line.strip():
                continue
            m = json.loads(line)
            headers = [(name, unb64(value)) for name, value in m['headers']]
            futures.append(producer.send(topic, key=unb64(m['key']), value=unb64(m['value']),
                                         headers=headers, partition=m['partition']))
        producer.flush(timeout=20)
        acks = []
        for f in futures:
            md = f.get(timeout=20)
            acks.append([md.partition, md.offset])
        return {'acks': acks, 'apiVersion': list(producer.config['api_version'])}
    finally:
        producer.close(timeout=5)


def consume(bootstrap, topic, count):
    count = int(count)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id='samsa-interop-kafka-python',
                             group_id=None, enable_auto_commit=False, auto_offset_reset='earliest',
                             fetch_max_wait_ms=200)
    try:
        deadline = time.monotonic() + 20
        partitions = None
        while partitions is None and time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise RuntimeError('no partitions known for topic %s' % topic)
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        records = []
        while len(records) < count and time.monotonic() < deadline:
            for tp, batch in consumer.poll(timeout_ms=500).items():
                for r in batch:
                    records.append({
                        'partition': r.partition, 'offset': r.offset, 'key': b64(r.key),
                        'value': b64(r.value),
                        'headers': [[name, b64(value)] for name, value in r.headers],
                        'timestamp': r.timestamp, 'timestampType': r.timestamp_type,
                    })
        end = consumer.end_offsets(assigned)
        return {
            'records': records,
            'endOffsets': {str(tp.partition): o for tp, o in end.items()},
            'apiVersion': list(consumer.config['api_version']),
        }
    finally:
        consumer.close()


def main(argv):
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    command, rest = argv[1], argv[2:]
    handlers = {'admin': admin, 'produce': produce, 'consume': consume}
    if command not in handlers:
        raise SystemExit('unknown command %r' % command)
    result = handlers[command](*rest)
    result['kafkaPythonVersion'] = kafka.__version__
    sys.stdout.write(json.dumps(result) + '\n')


if __name__ == '__main__':
    main(sys.argv)
