/**
 * Metadata, CreateTopics, DescribeConfigs and DeleteRecords against Kafka 3.9 (ZooKeeper mode).
 * Every scenario uses its own topics (prefix `adm-`), created the same way on both brokers; the
 * scenario-specific rules (in ./normalise.ts) are listed in docs/compatibility.md ("ApiVersions,
 * Metadata, topics and configs"), and so are the differences no scenario checks.
 *
 * Kafka answers a Metadata request in the order of a Scala Set of the names asked, which keeps the
 * request order only up to four names: requests here name at most four topics.
 */
import { after } from 'node:test';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import type { DeleteRecordsRequestDeleteRecordsTopic } from '../../src/protocol/messages/generated/delete-records.ts';
import type { DescribeConfigsRequestDescribeConfigsResource } from '../../src/protocol/messages/generated/describe-configs.ts';
import type { MetadataRequestMetadataRequestTopic } from '../../src/protocol/messages/generated/metadata.ts';
import { createTopics, offsetsTopicReady, produce, quiet, topic, topicReady, ZERO_UUID } from './admin-helpers.ts';
import { closeBrokers, type Session, scenario } from './harness.ts';
import {
  BROKER_RESOURCE_TYPE,
  brokerConfigSubset,
  configDocumentation,
  deleteRecordsOrder,
  metadataPartitionOrder,
  onlyTopicsStartingWith,
  SHARED_BROKER_CONFIGS,
  v0IsDefault,
} from './normalise.ts';

after(closeBrokers);

const TOPIC = 2;
const BROKER = BROKER_RESOURCE_TYPE;
const BROKER_LOGGER = 8;
const CLIENT_METRICS = 16;
const GROUP = 32;

// ---- Helpers -------------------------------------------------------------------------------------------

const named = (...names: string[]): MetadataRequestMetadataRequestTopic[] =>
  names.map((name) => ({ name, topicId: ZERO_UUID }));

/** Metadata at `version` for `names`, with the fields each version has (operations not asked). */
function metadata(
  s: Session,
  version: number,
  topics: MetadataRequestMetadataRequestTopic[] | null,
  allowAutoTopicCreation: boolean,
  label: string,
  operations = false,
) {
  return s.request(
    ApiKey.Metadata,
    version,
    {
      topics: version >= 10 || topics === null ? topics : topics.map((t) => ({ name: t.name })),
      ...(version >= 4 ? { allowAutoTopicCreation } : {}),
      ...(version >= 8 && version <= 10 ? { includeClusterAuthorizedOperations: operations } : {}),
      ...(version >= 8 ? { includeTopicAuthorizedOperations: operations } : {}),
    },
    label,
  );
}

function describeConfigs(
  s: Session,
  version: number,
  resources: DescribeConfigsRequestDescribeConfigsResource[],
  label: string,
  options: { synonyms?: boolean; documentation?: boolean } = {},
) {
  return s.request(
    ApiKey.DescribeConfigs,
    version,
    {
      resources,
      ...(version >= 1 ? { includeSynonyms: options.synonyms ?? false } : {}),
      ...(version >= 3 ? { includeDocumentation: options.documentation ?? false } : {}),
    },
    label,
  );
}

const topicResource = (name: string, keys: string[] | null = null) => ({
  resourceType: TOPIC,
  resourceName: name,
  configurationKeys: keys,
});

function deleteRecords(s: Session, version: number, topics: DeleteRecordsRequestDeleteRecordsTopic[], label: string) {
  return s.request(ApiKey.DeleteRecords, version, { topics, timeoutMs: 30_000 }, label);
}

// ---- Metadata ------------------------------------------------------------------------------------------

scenario('Metadata of an unknown topic without auto-creation (v4, v9, v12): UNKNOWN_TOPIC_OR_PARTITION', async (s) => {
  for (const v of [4, 9, 12]) await metadata(s, v, named('adm-md-unknown'), false, `v${v}`);
  await metadata(s, 9, named('adm-md-unknown'), false, 'v9 with authorized operations', true);
});

scenario(
  'Metadata v12 of an unknown topic with auto-creation: LEADER_NOT_AVAILABLE at once, then the topic with num.partitions partitions',
  async (s) => {
    await metadata(s, 12, named('adm-md-auto'), true, 'the request that starts the creation');
    await topicReady(s, 'adm-md-auto');
    await metadata(s, 12, named('adm-md-auto'), true, 'once led');
    await metadata(s, 4, named('adm-md-auto'), false, 'v4, auto-creation not allowed');
  },
);

scenario('Metadata v0 and v1 always auto-create: LEADER_NOT_AVAILABLE, then the topic', async (s) => {
  await metadata(s, 0, named('adm-md-auto-v0'), true, 'v0 starts the creation');
  await topicReady(s, 'adm-md-auto-v0');
  await metadata(s, 0, named('adm-md-auto-v0'), true, 'v0 once led');
  await metadata(s, 1, named('adm-md-auto-v1'), true, 'v1 starts the creation');
  await topicReady(s, 'adm-md-auto-v1');
  await metadata(s, 1, named('adm-md-auto-v1'), true, 'v1 once led');
});

scenario('Metadata of illegal topic names: INVALID_TOPIC_EXCEPTION, with or without auto-creation', async (s) => {
  for (const allow of [false, true]) {
    await metadata(s, 9, named('', '.', '..', 'a/b'), allow, `'', '.', '..', 'a/b' (auto-creation ${allow})`, true);
    await metadata(
      s,
      12,
      named('x'.repeat(250), 'adm md', 'adm-md-\u00e9'),
      allow,
      `too long, space, non-ASCII (${allow})`,
    );
  }
  await metadata(s, 1, named('a/b'), true, 'v1');
});

scenario('Metadata answers each topic once: known ones first, then unknown ones, illegal before created', async (s) => {
  await createTopics(s, [topic('adm-md-known', { numPartitions: 2 })]);
  await metadata(
    s,
    4,
    named('adm-md-nope', 'adm-md-known', 'adm-md-nope', 'adm-md-known'),
    false,
    'duplicates, no auto-creation',
  );
  await metadata(s, 9, named('adm-md-created', 'a/b', 'adm-md-known'), true, 'one to create, one illegal, one known');
  await topicReady(s, 'adm-md-created');
  await metadata(s, 9, named('adm.md.dots', 'adm-md-known'), true, 'a name with dots to create');
  await topicReady(s, 'adm.md.dots');
  await metadata(s, 9, named('adm_md_dots'), true, "a name colliding with it ('.' vs '_')");
});

scenario('Metadata by topic id: v12 looks ids up; v10 and v11 refuse ids and null names as a whole', async (s) => {
  await createTopics(s, [topic('adm-md-ids', { numPartitions: 2 }), topic('adm-md-ids-other')]);
  const c = await s.connect();
  const known = await quiet(c, ApiKey.Metadata, 12, {
    topics: named('adm-md-ids'),
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  const id = known.topics[0]!.topicId!;
  const unknownId = 'AAAAAAAAAAAAAAAAAAAAAQ';
  await metadata(s, 12, [{ name: null, topicId: id }], false, 'v12 by id');
  await metadata(
    s,
    12,
    [
      { name: null, topicId: id },
      { name: null, topicId: id },
    ],
    false,
    'v12 the same id twice',
    true,
  );
  await metadata(s, 12, [{ name: null, topicId: unknownId }], false, 'v12 an unknown id', true);
  await metadata(s, 12, [{ name: 'adm-md-ids', topicId: id }], false, 'v12 name and id');
  await metadata(
    s,
    12,
    [{ name: null, topicId: unknownId }, ...named('adm-md-ids-other')],
    false,
    'v12 ids and names: only the ids count',
  );
  await metadata(s, 10, [{ name: 'adm-md-ids', topicId: id }], false, 'v10 with an id');
  await metadata(s, 11, [{ name: null, topicId: id }], false, 'v11 with a null name');
  await metadata(s, 10, named('adm-md-ids'), false, 'v10 by name');
});

scenario(
  'Metadata of all topics (v0 empty list, v1+ null) and of none (v1+ empty list)',
  async (s) => {
    await createTopics(s, [topic('adm-all-a', { numPartitions: 2 }), topic('adm-all-b')]);
    await metadata(s, 0, [], true, 'v0 empty list: all');
    for (const v of [1, 4, 9, 12]) {
      await metadata(s, v, null, true, `v${v} null: all`, v >= 8);
      await metadata(s, v, [], true, `v${v} empty list: none`);
    }
  },
  { rules: [onlyTopicsStartingWith('adm-all-')] },
);

scenario('Metadata of a three-partition topic at v0, v1, v4, v9 and v12', async (s) => {
  await createTopics(s, [topic('adm-md-versions', { numPartitions: 3 })]);
  for (const v of [0, 1, 4, 9, 12]) await metadata(s, v, named('adm-md-versions'), false, `v${v}`);
  await metadata(s, 9, named('adm-md-versions'), false, 'v9 with authorized operations', true);
});

scenario(
  'The internal topics: isInternal for unknown ones; __consumer_offsets auto-created by Metadata, then described, kept from DeleteRecords',
  async (s) => {
    await metadata(s, 9, named('__consumer_offsets', '__transaction_state'), false, 'both unknown');
    await metadata(s, 9, named('__consumer_offsets'), true, 'auto-creation starts __consumer_offsets');
    await offsetsTopicReady(s);
    await metadata(s, 9, named('__consumer_offsets'), false, 'v9 once led');
    await metadata(s, 1, named('__consumer_offsets'), false, 'v1 once led');
    await describeConfigs(
      s,
      4,
      [
        topicResource('__consumer_offsets', [
          'cleanup.policy',
          'compression.type',
          'segment.bytes',
          'min.insync.replicas',
        ]),
      ],
      'its configs',
      { synonyms: true },
    );
    await deleteRecords(
      s,
      2,
      [{ name: '__consumer_offsets', partitions: [{ partitionIndex: 0, offset: 0 }] }],
      'DeleteRecords',
    );
  },
  { rules: [metadataPartitionOrder] },
);

// ---- CreateTopics --------------------------------------------------------------------------------------

scenario('CreateTopics with illegal names at v0, v4, v5 and v7: INVALID_TOPIC_EXCEPTION each', async (s) => {
  const illegal = ['', '.', '..', 'x'.repeat(250), 'a/b', 'adm ct'].map((name) => topic(name));
  await s.request(ApiKey.CreateTopics, 0, { topics: illegal, timeoutMs: 30_000 }, 'v0');
  for (const v of [4, 5, 7]) {
    await s.request(
      ApiKey.CreateTopics,
      v,
      { topics: [...illegal, topic('y'.repeat(249))], timeoutMs: 30_000, validateOnly: true },
      `v${v} (validate only; the 249-character name is legal)`,
    );
  }
});

scenario('CreateTopics of an existing topic: TOPIC_ALREADY_EXISTS, also validate-only, also at v0', async (s) => {
  await s.request(
    ApiKey.CreateTopics,
    7,
    { topics: [topic('adm-ct-exists')], timeoutMs: 30_000, validateOnly: false },
    'create',
  );
  await s.request(
    ApiKey.CreateTopics,
    7,
    { topics: [topic('adm-ct-exists')], timeoutMs: 30_000, validateOnly: false },
    'again',
  );
  await s.request(
    ApiKey.CreateTopics,
    7,
    { topics: [topic('adm-ct-exists')], timeoutMs: 30_000, validateOnly: true },
    'validate only',
  );
  await s.request(ApiKey.CreateTopics, 0, { topics: [topic('adm-ct-exists')], timeoutMs: 30_000 }, 'v0');
  await s.request(
    ApiKey.CreateTopics,
    7,
    { topics: [topic('adm-ct-dup'), topic('adm-ct-dup')], timeoutMs: 30_000, validateOnly: false },
    'one name twice in a request',
  );
  await s.request(
    ApiKey.CreateTopics,
    7,
    { topics: [topic('adm.ct.dots')], timeoutMs: 30_000, validateOnly: false },
    'dots',
  );
  await s.request(
    ApiKey.CreateTopics,
    7,
    { topics: [topic('adm_ct_dots')], timeoutMs: 30_000, validateOnly: false },
    "colliding with it ('.' vs '_')",
  );
});

scenario(
  'CreateTopics with bad configs: unknown name, bad values, null value — INVALID_CONFIG, nothing created',
  async (s) => {
    const withConfig = (name: string, key: string, value: string | null) =>
      topic(name, { configs: [{ name: key, value }] });
    const bad = [
      withConfig('adm-ct-cfg-unknown', 'no.such.config', '1'),
      withConfig('adm-ct-cfg-retention', 'retention.ms', 'abc'),
      withConfig('adm-ct-cfg-policy', 'cleanup.policy', 'bogus'),
      withConfig('adm-ct-cfg-null', 'retention.ms', null),
      withConfig('adm-ct-cfg-isr', 'min.insync.replicas', '0'),
      withConfig('adm-ct-cfg-codec', 'compression.type', 'brotli'),
      withConfig('adm-ct-cfg-size', 'max.message.bytes', '-1'),
    ];
    await s.request(ApiKey.CreateTopics, 7, { topics: bad, timeoutMs: 30_000, validateOnly: false }, 'v7');
    await s.request(ApiKey.CreateTopics, 4, { topics: bad, timeoutMs: 30_000, validateOnly: true }, 'v4 validate only');
    await metadata(
      s,
      9,
      named('adm-ct-cfg-unknown', 'adm-ct-cfg-retention', 'adm-ct-cfg-policy'),
      false,
      'none exists',
    );
  },
);

scenario(
  'CreateTopics with bad counts: replication factor above the brokers (3), 0, -2; partitions 0, -5; defaults -1',
  async (s) => {
    await s.request(
      ApiKey.CreateTopics,
      7,
      {
        topics: [
          topic('adm-ct-rf3', { replicationFactor: 3 }),
          topic('adm-ct-rf0', { replicationFactor: 0 }),
          topic('adm-ct-rf-2', { replicationFactor: -2 }),
          topic('adm-ct-p0', { numPartitions: 0 }),
          topic('adm-ct-p-5', { numPartitions: -5 }),
          topic('adm-ct-defaults', { numPartitions: -1, replicationFactor: -1 }),
        ],
        timeoutMs: 30_000,
        validateOnly: false,
      },
      'v7',
    );
    await s.request(
      ApiKey.CreateTopics,
      0,
      {
        topics: [topic('adm-ct-v0-rf3', { replicationFactor: 3 }), topic('adm-ct-v0-p0', { numPartitions: 0 })],
        timeoutMs: 30_000,
      },
      'v0',
    );
    await metadata(s, 1, named('adm-ct-defaults', 'adm-ct-rf3'), false, 'what exists');
  },
);

scenario(
  'CreateTopics validate-only: a valid topic is checked and described, not created; invalid ones fail',
  async (s) => {
    await s.request(
      ApiKey.CreateTopics,
      7,
      {
        topics: [
          topic('adm-ct-vo', { numPartitions: 3, configs: [{ name: 'retention.ms', value: '1000' }] }),
          topic('adm-ct-vo-rf', { replicationFactor: 4 }),
          topic('adm-ct-vo-cfg', { configs: [{ name: 'segment.bytes', value: '1' }] }),
        ],
        timeoutMs: 30_000,
        validateOnly: true,
      },
      'v7',
    );
    await s.request(
      ApiKey.CreateTopics,
      1,
      { topics: [topic('adm-ct-vo', { numPartitions: 2 })], timeoutMs: 30_000, validateOnly: true },
      'v1',
    );
    await metadata(s, 4, named('adm-ct-vo'), false, 'not created');
  },
);

scenario('CreateTopics with manual assignments: valid, with counts too, a gap, a broker twice', async (s) => {
  const manual = (name: string, assignments: [number, number[]][], more = {}) =>
    topic(name, {
      numPartitions: -1,
      replicationFactor: -1,
      assignments: assignments.map(([partitionIndex, brokerIds]) => ({ partitionIndex, brokerIds })),
      ...more,
    });
  await s.request(
    ApiKey.CreateTopics,
    7,
    {
      topics: [
        manual('adm-ct-manual', [
          [0, [1]],
          [1, [1]],
        ]),
        manual('adm-ct-manual-counts', [[0, [1]]], { numPartitions: 1 }),
        manual('adm-ct-manual-gap', [[1, [1]]]),
        manual('adm-ct-manual-twice', [[0, [1, 1]]]),
      ],
      timeoutMs: 30_000,
      validateOnly: false,
    },
    'v7',
  );
  await metadata(s, 1, named('adm-ct-manual'), false, 'the valid one');
});

scenario('CreateTopics at v0, v4, v5 and v7 with config overrides: what each version answers', async (s) => {
  const configs = [
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'retention.ms', value: '3600000' },
  ];
  await s.request(ApiKey.CreateTopics, 0, { topics: [topic('adm-ct-v0', { configs })], timeoutMs: 30_000 }, 'v0');
  for (const v of [4, 5, 7]) {
    await s.request(
      ApiKey.CreateTopics,
      v,
      { topics: [topic(`adm-ct-v${v}`, { numPartitions: 2, configs })], timeoutMs: 30_000, validateOnly: false },
      `v${v}`,
    );
  }
  await describeConfigs(s, 1, [topicResource('adm-ct-v7', ['cleanup.policy', 'retention.ms'])], 'the overrides stored');
});

scenario('CreateTopics with timeout 0: REQUEST_TIMED_OUT, the topic is created anyway', async (s) => {
  await s.request(ApiKey.CreateTopics, 7, { topics: [topic('adm-ct-zero')], timeoutMs: 0, validateOnly: false }, 'v7');
  await topicReady(s, 'adm-ct-zero');
  await metadata(s, 4, named('adm-ct-zero'), false, 'it exists');
});

// ---- DescribeConfigs ---------------------------------------------------------------------------------

scenario(
  'DescribeConfigs of a topic with defaults only, v0-v4, with and without synonyms',
  async (s) => {
    await createTopics(s, [topic('adm-dc-defaults')]);
    await describeConfigs(s, 0, [topicResource('adm-dc-defaults')], 'v0');
    for (const v of [1, 2, 3, 4]) {
      for (const synonyms of [false, true]) {
        await describeConfigs(s, v, [topicResource('adm-dc-defaults')], `v${v} synonyms ${synonyms}`, { synonyms });
      }
    }
  },
  { rules: [v0IsDefault] },
);

scenario(
  'DescribeConfigs of a topic with overrides: sources, synonyms, key filters (unknown names skipped), documentation',
  async (s) => {
    await createTopics(s, [
      topic('adm-dc-over', {
        configs: [
          { name: 'retention.ms', value: '12345' },
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'max.message.bytes', value: '2000' },
          { name: 'min.insync.replicas', value: '1' },
        ],
      }),
    ]);
    await describeConfigs(s, 4, [topicResource('adm-dc-over')], 'v4 all, synonyms', { synonyms: true });
    await describeConfigs(
      s,
      1,
      [topicResource('adm-dc-over', ['retention.ms', 'cleanup.policy', 'segment.bytes', 'no.such.config'])],
      'v1 some names, synonyms',
      { synonyms: true },
    );
    await describeConfigs(s, 4, [topicResource('adm-dc-over', [])], 'v4 an empty name list: all');
    await describeConfigs(s, 4, [topicResource('adm-dc-over', ['no.such.config'])], 'v4 only an unknown name');
    await describeConfigs(
      s,
      3,
      [topicResource('adm-dc-over', ['retention.ms', 'cleanup.policy'])],
      'v3 documentation',
      {
        documentation: true,
      },
    );
  },
  { rules: [configDocumentation, v0IsDefault] },
);

scenario(
  'DescribeConfigs of the broker: the configs both know alike, all of them and by name',
  async (s) => {
    await describeConfigs(
      s,
      4,
      [{ resourceType: BROKER, resourceName: '1', configurationKeys: null }],
      'v4 all, synonyms',
      {
        synonyms: true,
      },
    );
    await describeConfigs(
      s,
      1,
      [{ resourceType: BROKER, resourceName: '1', configurationKeys: [...SHARED_BROKER_CONFIGS, 'no.such.config'] }],
      'v1 by name',
      { synonyms: true },
    );
    await describeConfigs(
      s,
      4,
      [{ resourceType: BROKER, resourceName: '', configurationKeys: null }],
      'the cluster default (empty name)',
    );
  },
  { rules: [brokerConfigSubset] },
);

scenario('DescribeConfigs errors: unknown and illegal topics, other brokers, loggers, resource types', async (s) => {
  await describeConfigs(
    s,
    4,
    [topicResource('adm-dc-unknown'), topicResource('a/b'), topicResource(''), topicResource('adm-dc-unknown')],
    'topics',
  );
  await describeConfigs(
    s,
    4,
    [
      { resourceType: BROKER, resourceName: '2', configurationKeys: null },
      { resourceType: BROKER, resourceName: 'x', configurationKeys: null },
      { resourceType: BROKER_LOGGER, resourceName: '', configurationKeys: null },
      { resourceType: BROKER_LOGGER, resourceName: '2', configurationKeys: ['root'] },
    ],
    'brokers and loggers',
  );
  await describeConfigs(s, 0, [topicResource('adm-dc-unknown')], 'v0 unknown topic');
  await describeConfigs(
    s,
    4,
    [topicResource('adm-dc-unknown'), { resourceType: CLIENT_METRICS, resourceName: 'm', configurationKeys: null }],
    'client metrics (a KRaft feature) next to a topic',
  );
  for (const type of [GROUP, 0, 99]) {
    await describeConfigs(
      s,
      4,
      [topicResource('adm-dc-unknown'), { resourceType: type, resourceName: 'g', configurationKeys: null }],
      `resource type ${type} next to a topic: the whole request fails`,
    );
  }
  await describeConfigs(s, 4, [], 'no resources');
});

// ---- DeleteRecords -----------------------------------------------------------------------------------

scenario(
  'DeleteRecords: before an offset, below the start, at and beyond the high watermark, -1, at v0-v2',
  async (s) => {
    await createTopics(s, [topic('adm-dr', { numPartitions: 2 })]);
    await produce(s, 'adm-dr', 0, 5);
    const at = (partitionIndex: number, offset: number) => [
      { name: 'adm-dr', partitions: [{ partitionIndex, offset }] },
    ];
    await deleteRecords(s, 2, at(0, 2), 'before offset 2');
    await deleteRecords(s, 2, at(0, 1), 'before offset 1: below the log start offset');
    await deleteRecords(s, 2, at(0, 6), 'beyond the high watermark: OFFSET_OUT_OF_RANGE');
    await deleteRecords(s, 1, at(0, -2), 'offset -2: OFFSET_OUT_OF_RANGE');
    await deleteRecords(s, 2, at(0, 5), 'at the high watermark');
    await s.request(
      ApiKey.ListOffsets,
      1,
      { replicaId: -1, topics: [{ name: 'adm-dr', partitions: [{ partitionIndex: 0, timestamp: -2 }] }] },
      'the earliest offset',
    );
    await produce(s, 'adm-dr', 0, 3);
    await deleteRecords(
      s,
      0,
      [
        {
          name: 'adm-dr',
          partitions: [
            { partitionIndex: 0, offset: -1 },
            { partitionIndex: 1, offset: -1 },
          ],
        },
      ],
      'v0 offset -1: up to the high watermark, an empty partition too',
    );
    await deleteRecords(s, 2, at(1, 0), 'an empty partition, offset 0');
    await deleteRecords(s, 2, at(1, 1), 'an empty partition, offset 1');
  },
  { rules: [deleteRecordsOrder] },
);

scenario(
  'DeleteRecords: unknown topics and partitions, an illegal name, a partition named twice',
  async (s) => {
    await createTopics(s, [topic('adm-dr-known')]);
    await produce(s, 'adm-dr-known', 0, 4);
    await deleteRecords(
      s,
      2,
      [
        { name: 'adm-dr-known', partitions: [{ partitionIndex: 7, offset: 0 }] },
        { name: 'adm-dr-unknown', partitions: [{ partitionIndex: 0, offset: 0 }] },
        { name: 'a/b', partitions: [{ partitionIndex: 0, offset: 0 }] },
      ],
      'unknown partition, unknown topic, illegal name',
    );
    await deleteRecords(
      s,
      2,
      [
        {
          name: 'adm-dr-known',
          partitions: [
            { partitionIndex: 0, offset: 1 },
            { partitionIndex: 0, offset: 3 },
          ],
        },
      ],
      'the same partition twice: once, the last offset',
    );
    await deleteRecords(
      s,
      2,
      [
        { name: 'adm-dr-known', partitions: [{ partitionIndex: 0, offset: 4 }] },
        { name: 'adm-dr-known', partitions: [{ partitionIndex: 0, offset: 3 }] },
      ],
      'the same topic in two entries',
    );
    await deleteRecords(s, 2, [], 'no topics');
  },
  { rules: [deleteRecordsOrder] },
);
