import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAddress, parseAddress, parseBootstrap } from '../../src/client/broker-address.ts';
import { KafkaProtocolError, kafkaErrorMessage, throwIfError } from '../../src/client/errors.ts';
import { clientVersionRanges, negotiateVersions } from '../../src/client/version-negotiation.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';

describe('version negotiation', () => {
  it('takes the highest version in both ranges, and nothing when they do not overlap', () => {
    const ours = new Map([
      [0, { apiKey: 0, minVersion: 0, maxVersion: 11 }],
      [1, { apiKey: 1, minVersion: 0, maxVersion: 17 }],
      [3, { apiKey: 3, minVersion: 0, maxVersion: 12 }],
      [9, { apiKey: 9, minVersion: 0, maxVersion: 9 }],
    ]);
    const got = negotiateVersions(
      [
        { apiKey: 0, minVersion: 3, maxVersion: 9 }, // broker lower: its max
        { apiKey: 1, minVersion: 4, maxVersion: 20 }, // broker higher: our max
        { apiKey: 3, minVersion: 13, maxVersion: 14 }, // no overlap
        { apiKey: 99, minVersion: 0, maxVersion: 1 }, // we have no codec
      ],
      ours,
    );
    assert.deepEqual(
      [...got],
      [
        [0, 9],
        [1, 17],
      ],
    );
  });

  it('our ranges come from the generated codecs, optionally capped', () => {
    const all = clientVersionRanges();
    assert.deepEqual(all.get(ApiKey.Metadata), { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 12 });
    const capped = clientVersionRanges({ [ApiKey.Metadata]: 4, [ApiKey.Fetch]: -1 });
    assert.equal(capped.get(ApiKey.Metadata)!.maxVersion, 4);
    assert.equal(capped.has(ApiKey.Fetch), false, 'a cap below the minimum removes the API');
  });
});

describe('broker addresses', () => {
  it('parses host:port lists, IPv6 in brackets, and trims', () => {
    assert.deepEqual(parseBootstrap('localhost:9092'), [{ host: 'localhost', port: 9092 }]);
    assert.deepEqual(parseBootstrap(' a:1 , [::1]:9093,'), [
      { host: 'a', port: 1 },
      { host: '::1', port: 9093 },
    ]);
    assert.equal(formatAddress({ host: '::1', port: 9093 }), '[::1]:9093');
    assert.equal(formatAddress(parseAddress('kafka-1.example.com:19092')), 'kafka-1.example.com:19092');
  });

  it('says which entry is wrong', () => {
    assert.throws(() => parseBootstrap(''), /no broker address in ''/);
    assert.throws(() => parseBootstrap('a:1,b'), /invalid broker address 'b' \(expected host:port\)/);
    assert.throws(() => parseBootstrap('a:0'), /invalid port in broker address 'a:0'/);
    assert.throws(() => parseBootstrap('a:70000'), /invalid port/);
    assert.throws(() => parseBootstrap('::1:9092'), /invalid broker address/);
  });
});

describe('KafkaProtocolError', () => {
  it('carries the code, Kafka name, retriability, subject and message', () => {
    const e = new KafkaProtocolError(16, { subject: "group 'g'" });
    assert.equal(e.code, 16);
    assert.equal(e.name, 'NOT_COORDINATOR');
    assert.equal(e.retriable, true);
    assert.equal(e.subject, "group 'g'");
    assert.equal(e.detail, 'This is not the correct coordinator.');
    assert.equal(e.message, "group 'g': This is not the correct coordinator.");
    assert.ok(e instanceof Error);

    const withBrokerText = new KafkaProtocolError(42, { message: 'bad field' });
    assert.equal(withBrokerText.message, 'bad field');
    assert.equal(withBrokerText.retriable, false);

    const unknown = new KafkaProtocolError(4242);
    assert.equal(unknown.name, 'UNKNOWN_ERROR_CODE_4242');
    assert.equal(kafkaErrorMessage(29), 'TOPIC_AUTHORIZATION_FAILED');
  });

  it('throwIfError passes 0 and undefined', () => {
    throwIfError(0);
    throwIfError(undefined);
    assert.throws(
      () => throwIfError(68),
      (e: unknown) => e instanceof KafkaProtocolError && e.name === 'NON_EMPTY_GROUP',
    );
  });
});
