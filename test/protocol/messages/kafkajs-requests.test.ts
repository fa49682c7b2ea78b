import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { apiTable, getApi } from '../../../src/protocol/messages/generated/api-table.ts';
import { Reader } from '../../../src/protocol/primitives/reader.ts';
import { emptyToNull, kafkajsRequest, type Loose, overridesFor, RUNS, schemaOf } from './kafkajs.ts';
import { arbMessage, type Overrides, withDefaults } from './random-messages.ts';

// Cross-check against an independent implementation, kafkajs 2.2.4: its request encoders write
// bytes our decoders must read back to the same values. Messages are random (from schema.ts) and
// mapped to kafkajs's own parameter shapes.

interface RequestCase {
  /** Our API name and kafkajs's folder name. */
  api: string;
  kafkajs: string;
  versions: number[];
  toKafkajs(m: Loose, v: number): Loose;
  /** Adjusts our expected decoding where kafkajs cannot express the value exactly. */
  adjust?(expected: Loose, v: number): void;
  overrides?: Overrides;
  /** Bytes kafkajs puts before the body (the header tag section of a flexible request). */
  skip?: number;
}

const requestCases: RequestCase[] = [
  {
    api: 'Fetch',
    kafkajs: 'fetch',
    versions: [4, 11],
    toKafkajs: (m) => ({
      replicaId: m.replicaId,
      maxWaitTime: m.maxWaitMs,
      minBytes: m.minBytes,
      maxBytes: m.maxBytes,
      isolationLevel: m.isolationLevel,
      sessionId: m.sessionId,
      sessionEpoch: m.sessionEpoch,
      rackId: m.rackId,
      forgottenTopics: (m.forgottenTopicsData ?? []).map((t: Loose) => ({ topic: t.topic, partitions: t.partitions })),
      topics: m.topics.map((t: Loose) => ({
        topic: t.topic,
        partitions: t.partitions.map((p: Loose) => ({
          partition: p.partition,
          currentLeaderEpoch: p.currentLeaderEpoch,
          fetchOffset: p.fetchOffset,
          logStartOffset: p.logStartOffset,
          maxBytes: p.partitionMaxBytes,
        })),
      })),
    }),
  },
  {
    api: 'ListOffsets',
    kafkajs: 'listOffsets',
    versions: [0, 1, 2, 3],
    toKafkajs: (m) => ({
      replicaId: m.replicaId,
      isolationLevel: m.isolationLevel,
      topics: m.topics.map((t: Loose) => ({
        topic: t.name,
        partitions: t.partitions.map((p: Loose) => ({
          partition: p.partitionIndex,
          timestamp: p.timestamp,
          maxNumOffsets: p.maxNumOffsets,
        })),
      })),
    }),
  },
  {
    api: 'Metadata',
    kafkajs: 'metadata',
    versions: [0, 1, 2, 3, 4, 5, 6],
    toKafkajs: (m) => ({
      topics: (m.topics ?? []).map((t: Loose) => t.name),
      allowAutoTopicCreation: m.allowAutoTopicCreation,
    }),
    adjust: (e, v) => {
      if (v >= 1) e.topics = emptyToNull(e.topics);
    },
  },
  {
    api: 'OffsetCommit',
    kafkajs: 'offsetCommit',
    versions: [0, 1, 2, 3, 4, 5],
    toKafkajs: (m) => ({
      groupId: m.groupId,
      groupGenerationId: m.generationIdOrMemberEpoch,
      memberId: m.memberId,
      retentionTime: m.retentionTimeMs,
      topics: m.topics.map((t: Loose) => ({
        topic: t.name,
        partitions: t.partitions.map((p: Loose) => ({
          partition: p.partitionIndex,
          offset: p.committedOffset,
          timestamp: p.commitTimestamp,
          metadata: p.committedMetadata,
        })),
      })),
    }),
  },
  {
    api: 'OffsetFetch',
    kafkajs: 'offsetFetch',
    versions: [1, 2, 3, 4],
    toKafkajs: (m) => ({
      groupId: m.groupId,
      topics: (m.topics ?? []).map((t: Loose) => ({
        topic: t.name,
        partitions: t.partitionIndexes.map((p: number) => ({ partition: p })),
      })),
    }),
    adjust: (e, v) => {
      if (v >= 3) e.topics = emptyToNull(e.topics);
      if (v === 2 && e.topics === null) e.topics = [];
    },
    // v2 allows null topics on the wire, but kafkajs v2 always writes an array.
  },
  {
    api: 'FindCoordinator',
    kafkajs: 'findCoordinator',
    versions: [0, 1, 2],
    toKafkajs: (m, v) => (v === 0 ? { groupId: m.key } : { coordinatorKey: m.key, coordinatorType: m.keyType }),
  },
  {
    api: 'JoinGroup',
    kafkajs: 'joinGroup',
    versions: [0, 1, 2, 3, 4, 5],
    toKafkajs: (m) => ({
      groupId: m.groupId,
      sessionTimeout: m.sessionTimeoutMs,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      protocolType: m.protocolType,
      groupProtocols: m.protocols.map((p: Loose) => ({ name: p.name, metadata: p.metadata })),
    }),
  },
  {
    api: 'SyncGroup',
    kafkajs: 'syncGroup',
    versions: [0, 1, 2, 3],
    toKafkajs: (m) => ({
      groupId: m.groupId,
      generationId: m.generationId,
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      groupAssignment: m.assignments.map((a: Loose) => ({ memberId: a.memberId, memberAssignment: a.assignment })),
    }),
  },
  {
    api: 'Heartbeat',
    kafkajs: 'heartbeat',
    versions: [0, 1, 2, 3],
    toKafkajs: (m) => ({
      groupId: m.groupId,
      groupGenerationId: m.generationId,
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
    }),
  },
  {
    api: 'LeaveGroup',
    kafkajs: 'leaveGroup',
    versions: [0, 1, 2, 3],
    toKafkajs: (m) => ({ groupId: m.groupId, memberId: m.memberId, members: m.members }),
  },
  { api: 'ApiVersions', kafkajs: 'apiVersions', versions: [0, 1, 2], toKafkajs: () => undefined },
  {
    api: 'CreateTopics',
    kafkajs: 'createTopics',
    versions: [0, 1, 2, 3],
    toKafkajs: (m) => ({
      timeout: m.timeoutMs,
      validateOnly: m.validateOnly,
      topics: m.topics.map((t: Loose) => ({
        topic: t.name,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        replicaAssignment: t.assignments.map((a: Loose) => ({ partition: a.partitionIndex, replicas: a.brokerIds })),
        configEntries: t.configs,
      })),
    }),
  },
  {
    api: 'DeleteTopics',
    kafkajs: 'deleteTopics',
    versions: [0, 1],
    toKafkajs: (m) => ({ topics: m.topicNames, timeout: m.timeoutMs }),
  },
  {
    api: 'InitProducerId',
    kafkajs: 'initProducerId',
    versions: [0, 1],
    toKafkajs: (m) => ({ transactionalId: m.transactionalId, transactionTimeout: m.transactionTimeoutMs }),
  },
  {
    api: 'DescribeConfigs',
    kafkajs: 'describeConfigs',
    versions: [0, 1, 2],
    toKafkajs: (m) => ({
      includeSynonyms: m.includeSynonyms,
      resources: m.resources.map((r: Loose) => ({
        type: r.resourceType,
        name: r.resourceName,
        configNames: r.configurationKeys ?? [],
      })),
    }),
    adjust: (e) => {
      for (const r of e.resources) r.configurationKeys = emptyToNull(r.configurationKeys);
    },
  },
  {
    api: 'CreatePartitions',
    kafkajs: 'createPartitions',
    versions: [0, 1],
    toKafkajs: (m) => ({
      timeout: m.timeoutMs,
      validateOnly: m.validateOnly,
      topicPartitions: m.topics.map((t: Loose) => ({
        topic: t.name,
        count: t.count,
        assignments: (t.assignments ?? []).map((a: Loose) => a.brokerIds),
      })),
    }),
    adjust: (e) => {
      for (const t of e.topics) t.assignments = emptyToNull(t.assignments);
    },
    // kafkajs writes an empty broker id list as null, which the spec does not allow.
    overrides: (f) => (f.name === 'brokerIds' ? fc.array(fc.integer(), { minLength: 1, maxLength: 3 }) : undefined),
  },
  {
    api: 'DeleteGroups',
    kafkajs: 'deleteGroups',
    versions: [0, 1],
    toKafkajs: (m) => m.groupsNames,
  },
  { api: 'SaslHandshake', kafkajs: 'saslHandshake', versions: [0, 1], toKafkajs: (m) => ({ mechanism: m.mechanism }) },
  {
    api: 'SaslAuthenticate',
    kafkajs: 'saslAuthenticate',
    versions: [0, 1],
    // kafkajs's SASL mechanisms hand it bytes that already carry their int32 length.
    toKafkajs: (m) => {
      const b = Buffer.alloc(4 + m.authBytes.length);
      b.writeInt32BE(m.authBytes.length, 0);
      b.set(m.authBytes, 4);
      return { authBytes: b };
    },
  },
  {
    api: 'ListPartitionReassignments',
    kafkajs: 'listPartitionReassignments',
    versions: [0],
    toKafkajs: (m) => ({
      timeout: m.timeoutMs,
      topics:
        m.topics === null ? null : m.topics.map((t: Loose) => ({ topic: t.name, partitions: t.partitionIndexes })),
    }),
    skip: 1, // kafkajs writes header v1 and starts the body with the header v2 tag section (0x00)
  },
];

describe('kafkajs 2.2.4 request encoders → our decoders', () => {
  for (const c of requestCases) {
    it(`${c.api} v${c.versions.join(', v')}`, async () => {
      const schema = schemaOf(c.api);
      const api = apiTable.get(schema.apiKey)!;
      for (const v of c.versions) {
        const encode = kafkajsRequest(c.kafkajs, v);
        const samples = fc.sample(arbMessage(schema.request, v, overridesFor(c.overrides)), RUNS);
        for (const m of samples) {
          const req = encode(c.toKafkajs(m, v));
          assert.equal(req.apiKey, schema.apiKey);
          assert.equal(req.apiVersion, v);
          const body = (await req.encode()).buffer;
          const r = new Reader(body, c.skip ?? 0);
          const decoded = api.decodeRequest(r, v);
          r.check();
          assert.equal(r.pos, body.length, `${c.api} v${v}: bytes left over`);
          const expected = withDefaults(schema.request.fields, v, m) as Loose;
          c.adjust?.(expected, v);
          assert.deepStrictEqual(decoded, expected, `${c.api} v${v}`);
        }
      }
    });
  }

  it('Produce v0-v7: header fields and record bytes (message sets v0-2, batches v3+)', async () => {
    const produce = getApi(0);
    for (let v = 0; v <= 7; v++) {
      const req = kafkajsRequest(
        'produce',
        v,
      )({
        acks: -1,
        timeout: 30000,
        transactionalId: v >= 3 ? 'tx-é' : undefined,
        topicData: [
          {
            topic: 'orders',
            partitions: [
              { partition: 2, messages: [{ key: 'k1', value: 'v1' }, { value: 'v2' }] },
              { partition: 5, messages: [{ key: null, value: 'x' }] },
            ],
          },
        ],
      });
      const body = (await req.encode()).buffer;
      const r = new Reader(body);
      const decoded = produce.decodeRequest(r, v);
      r.check();
      assert.equal(r.pos, body.length);
      assert.equal(decoded.acks, -1);
      assert.equal(decoded.timeoutMs, 30000);
      assert.equal(decoded.transactionalId, v >= 3 ? 'tx-é' : null);
      assert.equal(decoded.topicData.length, 1);
      assert.equal(decoded.topicData[0]!.name, 'orders');
      const parts = decoded.topicData[0]!.partitionData;
      assert.deepEqual(
        parts.map((p) => p.index),
        [2, 5],
      );
      for (const [i, p] of parts.entries()) {
        const records = p.records!;
        // Both formats start with offset int64, size int32, then 4 bytes, then the magic byte.
        assert.equal(records.readInt32BE(8) + 12, v >= 3 ? records.length : records.readInt32BE(8) + 12);
        assert.equal(records.readInt8(16), v >= 3 ? 2 : v === 2 ? 1 : 0);
        if (v >= 3) assert.equal(records.readInt32BE(57), i === 0 ? 2 : 1); // record count
      }
    }
  });
});
