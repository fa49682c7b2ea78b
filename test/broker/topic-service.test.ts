import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { CONFIG_SOURCE } from '../../src/broker/config/describe-config.ts';
import type { CreateTopicSpec } from '../../src/broker/topic-service.ts';
import { createTopic, requestTopicDeletion } from '../../src/controller/topic-admin.ts';
import { Paths } from '../../src/metadata/paths.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { ZERO_UUID } from '../../src/protocol/primitives/reader.ts';
import { fixedRandom, type Props, startTopicCluster, storedAssignment, storedConfig } from './topic-harness.ts';

const T = { timeout: 20_000 };

async function cluster(t: TestContext, options: Parameters<typeof startTopicCluster>[0] = {}) {
  const c = await startTopicCluster(options);
  t.after(() => c.close());
  return c;
}

function spec(name: string, numPartitions = -1, replicationFactor = -1, extra: Partial<CreateTopicSpec> = {}) {
  return { name, numPartitions, replicationFactor, ...extra };
}

const codeOf = (code: number) => Object.entries(ErrorCode).find(([, v]) => v === code)?.[0] ?? String(code);

/** Asserts each result's [code, message] (message checked as a substring when given). */
function expectErrors(results: { errorCode: number; errorMessage: string | null }[], expected: [number, string?][]) {
  assert.equal(results.length, expected.length);
  results.forEach((r, i) => {
    const [code, message] = expected[i]!;
    assert.equal(codeOf(r.errorCode), codeOf(code), `entry ${i}: ${r.errorMessage}`);
    if (message !== undefined) assert.ok(r.errorMessage?.includes(message), `entry ${i}: got "${r.errorMessage}"`);
  });
}

describe('TopicService.createTopics', () => {
  it('creates a topic with the broker defaults and answers once every partition has a leader', T, async (t) => {
    const c = await cluster(t, { props: { 'num.partitions': 3 } });
    const [r] = await c.b0.topics.createTopics([spec('orders')], { timeoutMs: 30_000 });
    assert.equal(r!.errorCode, ErrorCode.NONE);
    assert.equal(r!.errorMessage, null);
    assert.equal(r!.numPartitions, 3);
    assert.equal(r!.replicationFactor, 1);
    assert.notEqual(r!.topicId, ZERO_UUID);
    // What a producer needs right away: this broker's cache has a leader for every partition.
    for (const p of [0, 1, 2]) assert.equal(c.b0.cache.partition('orders', p)?.leader, 0);
    assert.equal(c.b0.cache.topic('orders')?.topicId, r!.topicId);
    assert.deepEqual(
      await storedAssignment(c.b0.store, 'orders'),
      new Map([
        [0, [0]],
        [1, [0]],
        [2, [0]],
      ]),
    );
    assert.equal(c.b0.topics.waitingRequests, 0);
    assert.equal(c.b0.logger.matching(/Created topic orders with 3 partitions and replication factor 1/).length, 1);
  });

  it('spreads replicas over the live brokers from the random start and shift, as Kafka', T, async (t) => {
    const c = await cluster(t, { brokerIds: [0, 1, 2], random: fixedRandom(0.5, 0) });
    const [r] = await c.b0.topics.createTopics([spec('spread', 4, 2)], { timeoutMs: 30_000 });
    assert.equal(r!.errorCode, ErrorCode.NONE);
    // start = floor(0.5 * 3) = 1, shift = 0: partition p leads on broker (p + 1) % 3.
    assert.deepEqual(
      await storedAssignment(c.b0.store, 'spread'),
      new Map([
        [0, [1, 2]],
        [1, [2, 0]],
        [2, [0, 1]],
        [3, [1, 0]],
      ]),
    );
    assert.equal(c.b0.cache.partition('spread', 3)?.leader, 1);
    await c.settle();
    for (const b of c.brokers) assert.equal(b.cache.partition('spread', 3)?.leader, 1, `broker ${b.id}`);
  });

  it('writes a manual assignment and the config overrides as given', T, async (t) => {
    const c = await cluster(t, { brokerIds: [0, 1] });
    const assignments = new Map([
      [0, [1, 0]],
      [1, [0, 1]],
    ]);
    const configs = new Map([
      ['retention.ms', '1000'],
      ['cleanup.policy', 'compact'],
    ]);
    const [r] = await c.b0.topics.createTopics([spec('manual', -1, -1, { assignments, configs })], {
      timeoutMs: 30_000,
    });
    assert.equal(r!.errorCode, ErrorCode.NONE);
    assert.deepEqual([r!.numPartitions, r!.replicationFactor], [2, 2]);
    assert.deepEqual(await storedAssignment(c.b0.store, 'manual'), assignments);
    assert.deepEqual(await storedConfig(c.b0.store, 'manual'), configs);
    assert.equal(c.b0.cache.partition('manual', 0)?.leader, 1);
    assert.equal(c.b0.topics.logConfig('manual').retentionMs, 1000);
    assert.equal(c.b0.topics.logConfig('manual').cleanupPolicy, 'compact');
  });

  it('reports partitions, replication factor and configs (CreateTopics v5+), also for validateOnly', T, async (t) => {
    const c = await cluster(t, { props: { 'log.retention.hours': 24 } });
    const configs = new Map([['max.message.bytes', '2048']]);
    for (const validateOnly of [true, false]) {
      const [r] = await c.b0.topics.createTopics([spec(`cfg-${validateOnly}`, 2, 1, { configs })], {
        timeoutMs: 30_000,
        validateOnly,
        includeConfigs: true,
      });
      assert.equal(r!.errorCode, ErrorCode.NONE);
      assert.deepEqual([r!.numPartitions, r!.replicationFactor], [2, 1]);
      const byName = new Map(r!.configs.map((e) => [e.name, e]));
      assert.equal(byName.get('max.message.bytes')?.value, '2048');
      assert.equal(byName.get('max.message.bytes')?.configSource, CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG);
      assert.equal(byName.get('retention.ms')?.value, String(24 * 3600 * 1000));
      assert.equal(byName.get('segment.bytes')?.configSource, CONFIG_SOURCE.DEFAULT_CONFIG);
      assert.equal(r!.topicId === ZERO_UUID, validateOnly);
    }
  });

  it('validateOnly checks everything and writes nothing', T, async (t) => {
    const c = await cluster(t);
    const results = await c.b0.topics.createTopics([spec('dry', 2, 1), spec('dry-bad', 2, 5)], {
      timeoutMs: 30_000,
      validateOnly: true,
    });
    expectErrors(results, [[ErrorCode.NONE], [ErrorCode.INVALID_REPLICATION_FACTOR]]);
    assert.equal(results[0]!.numPartitions, 2);
    assert.equal(await storedAssignment(c.b0.store, 'dry'), null);
    assert.equal(await c.b0.store.exists(Paths.topicConfig('dry')), null);
    await c.settle();
    assert.equal(c.b0.cache.topic('dry'), undefined);
  });

  it('refuses bad names and names that collide on . and _ (INVALID_TOPIC_EXCEPTION)', T, async (t) => {
    const c = await cluster(t);
    await c.b0.topics.createTopics([spec('metrics_a', 1, 1)], { timeoutMs: 30_000 });
    const results = await c.b0.topics.createTopics(
      [spec('bad name'), spec(''), spec('..'), spec('x'.repeat(250)), spec('metrics.a'), spec('a.b'), spec('a_b')],
      { timeoutMs: 30_000 },
    );
    expectErrors(results, [
      [ErrorCode.INVALID_TOPIC_EXCEPTION, 'contains a character other than ASCII alphanumerics'],
      [ErrorCode.INVALID_TOPIC_EXCEPTION, "it can't be empty"],
      [ErrorCode.INVALID_TOPIC_EXCEPTION, 'cannot be "." or ".."'],
      [ErrorCode.INVALID_TOPIC_EXCEPTION, "can't be longer than 249 characters"],
      [ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic 'metrics.a' collides with existing topics: metrics_a"],
      [ErrorCode.NONE],
      // Created one after another: the second collides with the first of the same request.
      [ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic 'a_b' collides with existing topics: a.b"],
    ]);
  });

  it('answers TOPIC_ALREADY_EXISTS for known, stored and pending-deletion topics', T, async (t) => {
    const c = await cluster(t);
    await c.b0.topics.createTopics([spec('known', 1, 1)], { timeoutMs: 30_000 });
    await c.stopControllers();
    // Written straight to the store with no controller: in the store, not in any cache.
    await createTopic(c.b0.store, 'stored', new Map([[0, [0]]]), new Map());
    await createTopic(c.b0.store, 'doomed', new Map([[0, [0]]]), new Map());
    await requestTopicDeletion(c.b0.store, 'doomed');
    const results = await c.b0.topics.createTopics([spec('known'), spec('stored'), spec('doomed')], {
      timeoutMs: 30_000,
    });
    expectErrors(results, [
      [ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'known' already exists."],
      [ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'stored' already exists."],
      [ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'doomed' is marked for deletion."],
    ]);
    for (const r of results) assert.deepEqual([r.numPartitions, r.replicationFactor, r.configs], [-1, -1, []]);
  });

  it('creates internal topic names on request, as Kafka does', T, async (t) => {
    const c = await cluster(t);
    const [r] = await c.b0.topics.createTopics([spec('__consumer_offsets', 2, 1)], { timeoutMs: 30_000 });
    assert.equal(r!.errorCode, ErrorCode.NONE);
    assert.equal(c.b0.cache.topic('__consumer_offsets')?.partitions.size, 2);
  });

  it('checks partitions and replication factor with Kafka messages', T, async (t) => {
    const c = await cluster(t, { props: { 'default.replication.factor': 2 } });
    const results = await c.b0.topics.createTopics(
      [spec('p0', 0, 1), spec('pneg', -5, 1), spec('r0', 1, 0), spec('rneg', 1, -3), spec('r3', 1, 3), spec('rdef', 1)],
      { timeoutMs: 30_000 },
    );
    expectErrors(results, [
      [ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.'],
      [ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.'],
      [ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.'],
      [ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.'],
      [ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor: 3 larger than available brokers: 1.'],
      [ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor: 2 larger than available brokers: 1.'],
    ]);
    assert.deepEqual(await c.b0.store.getChildren(Paths.topics), []);
  });

  it(
    'checks manual assignments (INVALID_REPLICA_ASSIGNMENT) and refuses counts with them (INVALID_REQUEST)',
    T,
    async (t) => {
      const c = await cluster(t, { brokerIds: [0, 1] });
      const a = (...lists: number[][]) => ({ assignments: new Map(lists.map((r, p) => [p, r])) });
      const results = await c.b0.topics.createTopics(
        [
          spec('uneven', -1, -1, a([0, 1], [1])),
          spec('dup', -1, -1, a([0, 0])),
          spec('gap', -1, -1, { assignments: new Map([[1, [0]]]) }),
          spec('ghost', -1, -1, a([0], [7])),
          spec('empty', -1, -1, a([])),
          spec('both', 1, -1, a([0])),
          spec('both-rf', -1, 1, a([0])),
        ],
        { timeoutMs: 30_000 },
      );
      expectErrors(results, [
        [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'All partitions should have the same number of replicas'],
        [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Duplicate replica assignment found'],
        [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence'],
        [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'includes broker 7, but no such broker is registered'],
        [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'empty replica list'],
        [ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set.'],
        [ErrorCode.INVALID_REQUEST, 'Both cannot be used at the same time.'],
      ]);
    },
  );

  it('checks configs (INVALID_CONFIG) naming the key and the value', T, async (t) => {
    const c = await cluster(t);
    const withConfigs = (name: string, entries: [string, string | null][]) =>
      spec(name, 1, 1, { configs: new Map(entries) });
    const results = await c.b0.topics.createTopics(
      [
        withConfigs('unknown', [['retention.bananas', '1']]),
        withConfigs('bad-value', [['retention.ms', 'soon']]),
        withConfigs('bad-policy', [['cleanup.policy', 'shred']]),
        withConfigs('nulls', [
          ['retention.ms', null],
          ['segment.ms', null],
        ]),
        withConfigs('conflict', [
          ['min.compaction.lag.ms', '10'],
          ['max.compaction.lag.ms', '5'],
        ]),
      ],
      { timeoutMs: 30_000 },
    );
    expectErrors(results, [
      [ErrorCode.INVALID_CONFIG, 'Unknown topic config name: retention.bananas'],
      [ErrorCode.INVALID_CONFIG, 'retention.ms'],
      [ErrorCode.INVALID_CONFIG, 'shred'],
      [ErrorCode.INVALID_CONFIG, 'Null value not supported for topic configs: retention.ms,segment.ms'],
      [ErrorCode.INVALID_CONFIG, 'min.compaction.lag.ms'],
    ]);
    assert.ok(results[1]!.errorMessage!.includes('soon'));
    assert.deepEqual(await c.b0.store.getChildren(Paths.topics), []);
  });

  it('answers INVALID_REQUEST for every entry of a name given twice, and creates the others', T, async (t) => {
    const c = await cluster(t);
    const results = await c.b0.topics.createTopics([spec('twice', 1, 1), spec('once', 1, 1), spec('twice', 2, 1)], {
      timeoutMs: 30_000,
    });
    expectErrors(results, [
      [ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.'],
      [ErrorCode.NONE],
      [ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.'],
    ]);
    assert.equal(await storedAssignment(c.b0.store, 'twice'), null);
  });

  it('refuses more than 10,000 new partitions in one request (POLICY_VIOLATION, as KRaft)', T, async (t) => {
    const c = await cluster(t);
    const results = await c.b0.topics.createTopics([spec('big', 6000, 1), spec('bigger', 6000, 1)], {
      timeoutMs: 30_000,
    });
    expectErrors(results, [
      [ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.'],
      [ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.'],
    ]);
  });

  it('answers REQUEST_TIMED_OUT when the leaders do not appear in time; the topic stays', T, async (t) => {
    const c = await cluster(t);
    await c.stopControllers();
    const pending = c.b0.topics.createTopics([spec('slow', 1, 1)], { timeoutMs: 5000 });
    await c.settle();
    assert.equal(c.b0.topics.waitingRequests, 1);
    c.clock.advance(4900);
    await c.settle();
    assert.equal(c.b0.topics.waitingRequests, 1, 'still waiting before the timeout');
    c.clock.advance(200);
    const [r] = await pending;
    expectErrors([r!], [[ErrorCode.REQUEST_TIMED_OUT]]);
    assert.equal(r!.errorMessage, null);
    assert.notEqual(r!.topicId, ZERO_UUID);
    assert.ok(await storedAssignment(c.b0.store, 'slow'));
  });

  it('does not wait at all for timeoutMs ≤ 0 and answers REQUEST_TIMED_OUT, as Kafka', T, async (t) => {
    const c = await cluster(t);
    const [r] = await c.b0.topics.createTopics([spec('nowait', 1, 1)], { timeoutMs: 0 });
    assert.equal(r!.errorCode, ErrorCode.REQUEST_TIMED_OUT);
    assert.ok(await storedAssignment(c.b0.store, 'nowait'));
  });

  it('answers parked requests when closed', T, async (t) => {
    const c = await cluster(t);
    await c.stopControllers();
    const pending = c.b0.topics.createTopics([spec('closing', 1, 1)], { timeoutMs: 60_000 });
    await c.settle();
    c.b0.topics.close();
    const [r] = await pending;
    assert.equal(r!.errorCode, ErrorCode.REQUEST_TIMED_OUT);
  });
});

describe('TopicService.autoCreate', () => {
  const auto = (props: Props = {}) => ({ props: { 'num.partitions': 2, ...props } });

  it('creates with num.partitions and default.replication.factor and waits for the leaders', T, async (t) => {
    const c = await cluster(t, auto());
    const out = await c.b0.topics.autoCreate(['fresh', 'fresh']);
    assert.deepEqual([...out], [['fresh', ErrorCode.NONE]]);
    assert.equal(c.b0.cache.topic('fresh')?.partitions.size, 2);
    assert.equal(c.b0.cache.partition('fresh', 1)?.leader, 0);
  });

  it('answers NONE at once for a topic that is ready, INVALID_TOPIC_EXCEPTION for a bad name', T, async (t) => {
    const c = await cluster(t, auto());
    await c.b0.topics.createTopics([spec('ready', 1, 1)], { timeoutMs: 30_000 });
    const out = await c.b0.topics.autoCreate(['ready', 'no good', 'x'.repeat(300)]);
    assert.deepEqual(
      [...out.values()],
      [ErrorCode.NONE, ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_TOPIC_EXCEPTION],
    );
  });

  it('does not lower default.replication.factor to the live brokers (INVALID_REPLICATION_FACTOR)', T, async (t) => {
    const c = await cluster(t, auto({ 'default.replication.factor': 3 }));
    const out = await c.b0.topics.autoCreate(['needs-three']);
    assert.equal(out.get('needs-three'), ErrorCode.INVALID_REPLICATION_FACTOR);
    assert.equal(await storedAssignment(c.b0.store, 'needs-three'), null);
  });

  it('answers LEADER_NOT_AVAILABLE while the topic has no leaders yet', T, async (t) => {
    const c = await cluster(t, auto());
    await c.stopControllers();
    const out = await c.b0.topics.autoCreate(['limbo'], { waitMs: 0 });
    assert.equal(out.get('limbo'), ErrorCode.LEADER_NOT_AVAILABLE);
    assert.ok(await storedAssignment(c.b0.store, 'limbo'));
    // Asked again (a client retrying): still being created, not an error.
    assert.equal((await c.b0.topics.autoCreate(['limbo'], { waitMs: 0 })).get('limbo'), ErrorCode.LEADER_NOT_AVAILABLE);
  });

  it('creates a name asked for concurrently only once', T, async (t) => {
    const c = await cluster(t, auto());
    const [a, b] = await Promise.all([c.b0.topics.autoCreate(['shared']), c.b0.topics.autoCreate(['shared'])]);
    assert.equal(a.get('shared'), ErrorCode.NONE);
    assert.equal(b.get('shared'), ErrorCode.NONE);
    assert.equal(c.b0.logger.matching(/Created topic shared/).length, 1);
  });

  it('gives __consumer_offsets its own partitions and compacted config', T, async (t) => {
    const c = await cluster(t, auto({ 'offsets.topic.num.partitions': 3 }));
    const out = await c.b0.topics.autoCreate(['__consumer_offsets']);
    assert.equal(out.get('__consumer_offsets'), ErrorCode.NONE);
    assert.equal(c.b0.cache.topic('__consumer_offsets')?.partitions.size, 3);
    const stored = await storedConfig(c.b0.store, '__consumer_offsets');
    assert.equal(stored?.get('cleanup.policy'), 'compact');
    assert.equal(stored?.get('compression.type'), 'producer');
  });

  it('waitForLeaders resolves false when the time runs out', T, async (t) => {
    const c = await cluster(t);
    const waiting = c.b0.topics.waitForLeaders(['never'], 100);
    await c.settle();
    c.clock.advance(200);
    assert.equal(await waiting, false);
  });
});

describe('TopicService.deleteTopics', () => {
  it('deletes by name and answers once the metadata cache no longer has the topic', T, async (t) => {
    const c = await cluster(t, { brokerIds: [0, 1] });
    await c.b0.topics.createTopics([spec('gone', 2, 2)], { timeoutMs: 30_000 });
    const results = await c.b0.topics.deleteTopics([{ name: 'gone' }], { timeoutMs: 30_000 });
    assert.deepEqual(results, [{ name: 'gone', topicId: ZERO_UUID, errorCode: ErrorCode.NONE, errorMessage: null }]);
    assert.equal(c.b0.cache.topic('gone'), undefined);
    assert.equal(await storedAssignment(c.b0.store, 'gone'), null);
    assert.equal(await c.b0.store.exists(Paths.topicConfig('gone')), null);
  });

  it('deletes by id; an unknown id is UNKNOWN_TOPIC_ID, an unknown name UNKNOWN_TOPIC_OR_PARTITION', T, async (t) => {
    const c = await cluster(t);
    const [created] = await c.b0.topics.createTopics([spec('by-id', 1, 1)], { timeoutMs: 30_000 });
    const results = await c.b0.topics.deleteTopics(
      [{ topicId: created!.topicId }, { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }, { name: 'nope' }],
      { timeoutMs: 30_000 },
    );
    assert.deepEqual(results, [
      { name: 'by-id', topicId: created!.topicId, errorCode: ErrorCode.NONE, errorMessage: null },
      { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: null },
      { name: 'nope', topicId: ZERO_UUID, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null },
    ]);
    assert.equal(c.b0.cache.topic('by-id'), undefined);
  });

  it('answers TOPIC_DELETION_DISABLED with delete.topic.enable=false and keeps the topic', T, async (t) => {
    const c = await cluster(t, { props: { 'delete.topic.enable': false } });
    await c.b0.topics.createTopics([spec('kept', 1, 1)], { timeoutMs: 30_000 });
    const [r] = await c.b0.topics.deleteTopics([{ name: 'kept' }], { timeoutMs: 30_000 });
    assert.equal(r!.errorCode, ErrorCode.TOPIC_DELETION_DISABLED);
    assert.ok(c.b0.cache.topic('kept'));
    assert.equal(await c.b0.store.exists(Paths.deleteTopic('kept')), null);
  });

  it('deletes internal topics like any other, as Kafka does', T, async (t) => {
    const c = await cluster(t);
    await c.b0.topics.autoCreate(['__consumer_offsets']);
    const [r] = await c.b0.topics.deleteTopics([{ name: '__consumer_offsets' }], { timeoutMs: 30_000 });
    assert.equal(r!.errorCode, ErrorCode.NONE);
  });

  it('answers REQUEST_TIMED_OUT when the topic is still there at the timeout (or for timeout 0)', T, async (t) => {
    const c = await cluster(t);
    await c.b0.topics.createTopics([spec('sticky', 1, 1), spec('sticky2', 1, 1)], { timeoutMs: 30_000 });
    await c.stopControllers();
    const pending = c.b0.topics.deleteTopics([{ name: 'sticky' }], { timeoutMs: 1000 });
    await c.settle();
    assert.equal(c.b0.topics.waitingRequests, 1);
    c.clock.advance(1100);
    assert.equal((await pending)[0]!.errorCode, ErrorCode.REQUEST_TIMED_OUT);
    assert.ok(await c.b0.store.exists(Paths.deleteTopic('sticky')), 'marked for deletion all the same');
    const [now] = await c.b0.topics.deleteTopics([{ name: 'sticky2' }], { timeoutMs: 0 });
    assert.equal(now!.errorCode, ErrorCode.REQUEST_TIMED_OUT);
  });
});

describe('TopicService.createPartitions', () => {
  it(
    'adds partitions, continuing the assignment from partition 0’s first replica, and waits for leaders',
    T,
    async (t) => {
      const c = await cluster(t, { brokerIds: [0, 1, 2] });
      await c.b0.topics.createTopics([spec('grow', -1, -1, { assignments: new Map([[0, [1, 2]]]) })], {
        timeoutMs: 30_000,
      });
      const [r] = await c.b0.topics.createPartitions([{ name: 'grow', count: 4, assignments: null }], {
        timeoutMs: 30_000,
      });
      assert.deepEqual(r, { name: 'grow', errorCode: ErrorCode.NONE, errorMessage: null });
      // Start index = position of broker 1 = 1, and shift 1 (Kafka's createNewPartitionsAssignment);
      // the shift grows by one at partition 3.
      assert.deepEqual(
        await storedAssignment(c.b0.store, 'grow'),
        new Map([
          [0, [1, 2]],
          [1, [2, 1]],
          [2, [0, 2]],
          [3, [1, 2]],
        ]),
      );
      for (const p of [1, 2, 3]) assert.ok((c.b0.cache.partition('grow', p)?.leader ?? -1) >= 0);
    },
  );

  it('takes a manual assignment of the new partitions', T, async (t) => {
    const c = await cluster(t, { brokerIds: [0, 1] });
    await c.b0.topics.createTopics([spec('manual-grow', 1, 2)], { timeoutMs: 30_000 });
    const [r] = await c.b0.topics.createPartitions([{ name: 'manual-grow', count: 2, assignments: [[1, 0]] }], {
      timeoutMs: 30_000,
    });
    assert.equal(r!.errorCode, ErrorCode.NONE);
    assert.deepEqual((await storedAssignment(c.b0.store, 'manual-grow'))?.get(1), [1, 0]);
    assert.equal(c.b0.cache.partition('manual-grow', 1)?.leader, 1);
  });

  it('checks counts, topics and assignments with Kafka codes and messages', T, async (t) => {
    const c = await cluster(t, { brokerIds: [0, 1] });
    await c.b0.topics.createTopics([spec('three', 3, 2), spec('one', 1, 2)], { timeoutMs: 30_000 });
    const results = await c.b0.topics.createPartitions(
      [
        { name: 'three', count: 2, assignments: null },
        { name: 'three-again', count: 3, assignments: null },
        { name: 'one', count: 3, assignments: [[0, 1]] },
        { name: 'missing', count: 2, assignments: null },
        { name: 'bad/name', count: 2, assignments: null },
      ],
      { timeoutMs: 30_000 },
    );
    expectErrors(results, [
      [ErrorCode.INVALID_PARTITIONS, 'Topic currently has 3 partitions, which is higher than the requested 2.'],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'three-again' does not exist."],
      [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Increasing the number of partitions by 2 but 1 assignments provided.'],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'missing' does not exist."],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const more = await c.b0.topics.createPartitions(
      [
        { name: 'three', count: 3, assignments: null },
        { name: 'one', count: 2, assignments: [[0, 9]] },
      ],
      { timeoutMs: 30_000 },
    );
    expectErrors(more, [
      [ErrorCode.INVALID_PARTITIONS, 'Topic already has 3 partitions.'],
      [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Unknown broker(s) in replica assignment: 9.'],
    ]);
    const shapes = await Promise.all(
      [[[0]], [[0, 0]], [[]]].map(async (assignments) => {
        const [r] = await c.b0.topics.createPartitions([{ name: 'one', count: 2, assignments }], { timeoutMs: 30_000 });
        return r!;
      }),
    );
    expectErrors(shapes, [
      [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Inconsistent replication factor between partitions, partition 0 has 2'],
      [
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'Duplicate brokers not allowed in replica assignment: 0, 0 for partition id 1.',
      ],
      [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Cannot have replication factor of 0 for partition id 1.'],
    ]);
    assert.equal((await storedAssignment(c.b0.store, 'one'))?.size, 1);
  });

  it('answers INVALID_REPLICATION_FACTOR when the topic has more replicas than live brokers', T, async (t) => {
    const c = await cluster(t, { brokerIds: [0, 1] });
    await c.stopControllers();
    await createTopic(c.b0.store, 'wide', new Map([[0, [0, 1, 5]]]), new Map());
    const [r] = await c.b0.topics.createPartitions([{ name: 'wide', count: 2, assignments: null }], {
      timeoutMs: 30_000,
    });
    expectErrors(
      [r!],
      [[ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor: 3 larger than available brokers: 2.']],
    );
  });

  it(
    'answers INVALID_REQUEST once for a name given twice, INVALID_TOPIC_EXCEPTION while it is being deleted',
    T,
    async (t) => {
      const c = await cluster(t);
      await c.b0.topics.createTopics([spec('dup', 1, 1)], { timeoutMs: 30_000 });
      await c.stopControllers();
      await createTopic(c.b0.store, 'doomed', new Map([[0, [0]]]), new Map());
      await requestTopicDeletion(c.b0.store, 'doomed');
      const results = await c.b0.topics.createPartitions(
        [
          { name: 'dup', count: 2, assignments: null },
          { name: 'doomed', count: 2, assignments: null },
          { name: 'dup', count: 3, assignments: null },
        ],
        { timeoutMs: 30_000 },
      );
      expectErrors(results, [
        [ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.'],
        [ErrorCode.INVALID_TOPIC_EXCEPTION, 'The topic is queued for deletion.'],
      ]);
    },
  );

  it('validateOnly checks and writes nothing; a wait that runs out is REQUEST_TIMED_OUT', T, async (t) => {
    const c = await cluster(t);
    await c.b0.topics.createTopics([spec('later', 1, 1)], { timeoutMs: 30_000 });
    const [dry] = await c.b0.topics.createPartitions([{ name: 'later', count: 5, assignments: null }], {
      timeoutMs: 30_000,
      validateOnly: true,
    });
    assert.equal(dry!.errorCode, ErrorCode.NONE);
    assert.equal((await storedAssignment(c.b0.store, 'later'))?.size, 1);
    await c.stopControllers();
    const pending = c.b0.topics.createPartitions([{ name: 'later', count: 2, assignments: null }], { timeoutMs: 500 });
    await c.settle();
    c.clock.advance(600);
    assert.equal((await pending)[0]!.errorCode, ErrorCode.REQUEST_TIMED_OUT);
    assert.equal((await storedAssignment(c.b0.store, 'later'))?.size, 2);
  });

  it('refuses more than 10,000 new partitions in one request (POLICY_VIOLATION)', T, async (t) => {
    const c = await cluster(t);
    await c.b0.topics.createTopics([spec('huge', 1, 1)], { timeoutMs: 30_000 });
    const [r] = await c.b0.topics.createPartitions([{ name: 'huge', count: 2 ** 31 - 1, assignments: null }], {
      timeoutMs: 30_000,
    });
    expectErrors([r!], [[ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.']]);
  });
});
