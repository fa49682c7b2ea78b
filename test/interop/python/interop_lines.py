"""JSON lines shared by the PyPI-client scripts (kafka_python_pypi.py, confluent_kafka_pypi.py).

The record format is described in test/interop/client-records.ts: records to produce come on
stdin, one JSON object a line, with base64 keys, values and header values; results go to stdout,
one JSON object a line, flushed at once so the test sees them as they happen.
"""
import base64
import json
import sys


def b64(data):
    return None if data is None else base64.b64encode(data).decode('ascii')


def unb64(text):
    return None if text is None else base64.b64decode(text)


def read_records():
    """The records on stdin: dicts with key, value (bytes), headers [(str, bytes)], partition, timestamp."""
    records = []
    for line in sys.stdin:
        if not line.strip():
            continue
        r = json.loads(line)
        records.append({
            'key': unb64(r['key']),
            'value': unb64(r['value']),
            'headers': [(h['key'], unb64(h['value'])) for h in r['headers']],
            'partition': r['partition'],
            'timestamp': r['timestamp'],
        })
    return records


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def record_line(member, partition, offset, key, value, headers, timestamp):
    return {
        'type': 'record',
        'member': member,
        'partition': partition,
        'offset': offset,
        'key': b64(key),
        'value': b64(value),
        'headers': [{'key': k, 'value': b64(v)} for k, v in (headers or [])],
        'timestamp': timestamp,
    }
