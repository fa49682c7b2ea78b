/**
 * ApiVersions against Kafka 3.9 (ZooKeeper mode): every version 0-4, the KIP-511 answers to a
 * version the broker does not know, KIP-511's check of the client software name and version, and
 * what an unknown API or version does to the connection. The ranges of the APIs Samsa serves are
 * compared exactly (rule `served-api-ranges`); the APIs Kafka has and Samsa does not are a
 * documented list, checked by its own test (docs/compatibility.md).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ApiKey, apiTable } from '../../src/protocol/messages/generated/api-table.ts';
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/request.ts';
import { brokers, closeBrokers, RawConnection, scenario } from './harness.ts';
import { SAMSA_KEYS, servedApiRanges } from './normalise.ts';

after(closeBrokers);

const rules = [servedApiRanges];

/**
 * The API keys Kafka has and Samsa does not serve, per Kafka mode of the harness
 * (SAMSA_DIFF_KAFKA): listed in docs/compatibility.md with the reason for each group.
 */
const KAFKA_ONLY_KEYS: Record<string, readonly number[]> = {
  // LeaderAndIsr, StopReplica, UpdateMetadata, ControlledShutdown (inter-broker, ZooKeeper mode);
  // SaslHandshake; AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, WriteTxnMarkers, TxnOffsetCommit;
  // DescribeAcls, CreateAcls, DeleteAcls; AlterReplicaLogDirs; SaslAuthenticate; CreateDelegationToken,
  // RenewDelegationToken, ExpireDelegationToken, DescribeDelegationToken; ElectLeaders;
  // AlterPartitionReassignments, ListPartitionReassignments; DescribeClientQuotas, AlterClientQuotas;
  // DescribeUserScramCredentials, AlterUserScramCredentials; AlterPartition, UpdateFeatures;
  // Envelope; DescribeProducers; DescribeTransactions, ListTransactions, AllocateProducerIds;
  // ConsumerGroupHeartbeat, ConsumerGroupDescribe.
  zookeeper: [
    4, 5, 6, 7, 17, 24, 25, 26, 27, 28, 29, 30, 31, 34, 36, 38, 39, 40, 41, 43, 45, 46, 48, 49, 50, 51, 56, 57, 58, 61,
    65, 66, 67, 68, 69,
  ],
  // KRaft 3.9: the same without the ZooKeeper-mode ones, plus DescribeQuorum, GetTelemetrySubscriptions,
  // PushTelemetry, ListClientMetricsResources, DescribeTopicPartitions.
  kraft: [
    17, 24, 25, 26, 27, 28, 29, 30, 31, 34, 36, 38, 39, 40, 41, 43, 45, 46, 48, 49, 50, 51, 55, 57, 61, 64, 65, 66, 68,
    69, 74, 75, 80, 81,
  ],
  // Kafka 4.4 adds the share-group, streams-group and other KIPs' APIs.
  '4': [
    17, 24, 25, 26, 27, 28, 29, 30, 31, 34, 36, 38, 39, 40, 41, 43, 45, 46, 48, 49, 50, 51, 55, 57, 61, 64, 65, 66, 68,
    69, 74, 75, 76, 77, 78, 79, 80, 81, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94,
  ],
};

for (const version of [0, 1, 2, 3, 4]) {
  scenario(
    `ApiVersions v${version}: the ranges of every API Samsa serves`,
    async (s) => {
      await s.request(ApiKey.ApiVersions, version, {
        ...(version >= 3 ? { clientSoftwareName: 'samsa-differential', clientSoftwareVersion: '1.0' } : {}),
      });
    },
    { rules },
  );
}

async function apiKeysOf(port: number): Promise<number[]> {
  const c = await RawConnection.connect(port);
  try {
    const frame = encodeRequestFrame(
      { apiKey: ApiKey.ApiVersions, correlationId: c.correlationId(), clientId: 'samsa-differential' },
      { clientSoftwareName: 'samsa-differential', clientSoftwareVersion: '1.0' },
      3,
    );
    const res = decodeResponseFrame(ApiKey.ApiVersions, 3, await c.exchange(frame)).body;
    assert.equal(res.errorCode, 0);
    return res.apiKeys.map((a) => a.apiKey);
  } finally {
    c.close();
  }
}

const named = (keys: readonly number[]) => keys.map((k) => `${k} ${apiTable.get(k)?.name ?? '?'}`);

test('ApiVersions: the APIs Kafka has and Samsa does not serve are exactly the documented ones', async () => {
  const { kafka, samsa } = await brokers();
  const [kafkaKeys, samsaKeys] = await Promise.all([apiKeysOf(kafka.port), apiKeysOf(samsa.port)]);
  assert.deepEqual(new Set(samsaKeys), SAMSA_KEYS, 'Samsa advertises its handler table');
  const mode = process.env['SAMSA_DIFF_KAFKA'] ?? 'zookeeper';
  assert.deepEqual(
    named(kafkaKeys.filter((k) => !SAMSA_KEYS.has(k))),
    named(KAFKA_ONLY_KEYS[mode] ?? []),
    'update KAFKA_ONLY_KEYS and docs/compatibility.md when Samsa serves a new API',
  );
  assert.deepEqual(named(samsaKeys.filter((k) => !kafkaKeys.includes(k))), [], 'Samsa serves no API Kafka lacks');
});

/** A request frame written by hand: header v1 (or v2 with an empty tag buffer) and `body`. */
function frame(apiKey: number, version: number, flexibleHeader: boolean, body = Buffer.alloc(0)): Buffer {
  const clientId = Buffer.from('samsa-differential');
  const header = Buffer.alloc(10 + clientId.length + (flexibleHeader ? 1 : 0));
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(version, 2);
  header.writeInt32BE(7, 4);
  header.writeInt16BE(clientId.length, 8);
  clientId.copy(header, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length);
  return Buffer.concat([size, header, body]);
}

/** An ApiVersions v3 body: compact strings "ab" and "1.0", no tagged fields. */
const V3_BODY = Buffer.from([0x03, 0x61, 0x62, 0x04, 0x31, 0x2e, 0x30, 0x00]);

scenario(
  'ApiVersions at versions the broker does not know: error 35 in a v0 body with its ApiVersions range, then v0 works',
  async (s) => {
    for (const [label, version, body] of [
      ['v99, empty body', 99, Buffer.alloc(0)],
      ['v99, a v3 body', 99, V3_BODY],
      ['v5', 5, V3_BODY],
      ['v32767', 32767, Buffer.alloc(0)],
    ] as const) {
      const c = await s.connect();
      await c.raw(frame(ApiKey.ApiVersions, version, true, body), { apiKey: ApiKey.ApiVersions, version: 0 }, label);
      await c.request(ApiKey.ApiVersions, 0, {}, `${label}, then v0 on the same connection`);
    }
    // Below 0 the header is v1 (no tag buffer), as for v0-2.
    const c = await s.connect();
    await c.raw(frame(ApiKey.ApiVersions, -1, false), { apiKey: ApiKey.ApiVersions, version: 0 }, 'v-1');
    await c.request(ApiKey.ApiVersions, 1, {}, 'v-1, then v1 on the same connection');
  },
  { rules },
);

scenario(
  'ApiVersions v99 whose header is not the flexible one the version implies: the connection is closed',
  async (s) => {
    const c = await s.connect();
    await c.raw(frame(ApiKey.ApiVersions, 99, false), { apiKey: ApiKey.ApiVersions, version: 0 }, 'v99, header v1');
  },
  { rules },
);

scenario(
  'ApiVersions v3/v4 with a client software name or version KIP-511 forbids: INVALID_REQUEST, no API list',
  async (s) => {
    for (const version of [3, 4]) {
      for (const [name, softwareVersion] of [
        ['', '1.0'],
        ['bad name!', '1.0'],
        ['-abc', '1.0'],
        ['abc-', '1.0'],
        ['ok', '1.0 beta'],
        ['ok', ''],
        ['a', '1'],
        ['a.b-c', '2.0.2'],
      ]) {
        await s.request(
          ApiKey.ApiVersions,
          version,
          { clientSoftwareName: name!, clientSoftwareVersion: softwareVersion! },
          `v${version} ${JSON.stringify(name)} ${JSON.stringify(softwareVersion)}`,
        );
      }
    }
  },
  { rules },
);

scenario(
  'An unknown API key, or a version of another API the broker does not know: the connection is closed',
  async (s) => {
    const unknownKey = await s.connect();
    await unknownKey.raw(frame(200, 0, false), { apiKey: ApiKey.ApiVersions, version: 0 }, 'API key 200');
    const metadataV13 = await s.connect();
    await metadataV13.raw(
      frame(ApiKey.Metadata, 13, true, Buffer.from([0x01, 0x00, 0x00, 0x00])),
      { apiKey: ApiKey.Metadata, version: 12 },
      'Metadata v13',
    );
    const negative = await s.connect();
    await negative.raw(frame(ApiKey.Metadata, -1, false), { apiKey: ApiKey.Metadata, version: 0 }, 'Metadata v-1');
  },
);
