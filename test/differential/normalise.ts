/**
 * The one place that says which response fields may legitimately differ between Kafka and Samsa.
 * Each rule has a name and a reason; a rule rewrites a field's value into a placeholder that
 * keeps what matters (null stays null, zero stays zero, the Nth distinct generated id on one
 * broker matches the Nth on the other). A scenario may add its own rules: they are defined here
 * too, in the section "Scenario-specific rules", and each must be listed in docs/compatibility.md.
 *
 * Everything else is compared exactly, after turning Buffers into hex strings so that a
 * difference in record bytes is printed readably.
 */

import { HandlerTable } from '../../src/broker/handler.ts';
import { builtinHandlers } from '../../src/broker/handlers/index.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import type { ApiVersionsResponse } from '../../src/protocol/messages/generated/api-versions.ts';
import { BatchCursor } from '../../src/protocol/records/batch-cursor.ts';
import { CRC_OFFSET, PRODUCER_ID_OFFSET } from '../../src/protocol/records/batch-format.ts';

export interface Normaliser {
  /** The rule's name, shown in docs/compatibility.md. */
  readonly name: string;
  /** Why the field may differ. */
  readonly why: string;
  /** True when the field `key` (a property name; `path` is the dotted path to it) is this rule's. */
  applies(key: string, path: string): boolean;
  /**
   * The placeholder for `value`; `ids` numbers distinct generated values per broker and rule.
   * A rule that only reorders or filters hands what it keeps to `inner`, which normalises its
   * contents with every rule of the scenario.
   */
  replace(value: unknown, ids: IdNumbering, inner: (value: unknown) => unknown): unknown;
}

/** Numbers distinct values in order of first appearance, per rule (one per broker and scenario). */
export class IdNumbering {
  private readonly seen = new Map<string, Map<unknown, number>>();

  number(rule: string, value: unknown): number {
    let ids = this.seen.get(rule);
    if (!ids) {
      ids = new Map();
      this.seen.set(rule, ids);
    }
    let n = ids.get(value);
    if (n === undefined) {
      n = ids.size + 1;
      ids.set(value, n);
    }
    return n;
  }
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

function keyRule(name: string, why: string, keys: string[], replace: Normaliser['replace']): Normaliser {
  const set = new Set(keys);
  return { name, why, applies: (key) => set.has(key), replace };
}

/** Placeholder `<label-N>` for the Nth distinct value; `keep` values stay as they are. */
function numbered(label: string, keep: (v: unknown) => boolean): Normaliser['replace'] {
  return (v, ids) => (keep(v) ? v : `<${label}-${ids.number(label, v)}>`);
}

export const standardRules: readonly Normaliser[] = [
  keyRule('cluster-id', 'each cluster generates its own id at format/first start', ['clusterId'], (v) =>
    v === null ? null : '<cluster-id>',
  ),
  keyRule('port', 'each broker listens on its own free port', ['port'], () => '<port>'),
  keyRule(
    'topic-id',
    'topic ids are random UUIDs generated at creation',
    ['topicId'],
    numbered('topic-id', (v) => v === ZERO_UUID || v === undefined),
  ),
  keyRule('throttle-time', 'quota throttling depends on load, not on the protocol', ['throttleTimeMs'], (v) =>
    v === undefined ? undefined : 0,
  ),
  keyRule(
    'fetch-session-id',
    'fetch session ids are random (0 = no session stays 0)',
    ['sessionId'],
    numbered('session', (v) => v === 0),
  ),
  keyRule(
    'member-id',
    'generated member ids embed a random UUID (empty stays empty)',
    ['memberId', 'leader'],
    numbered('member', (v) => v === '' || v === null || v === undefined),
  ),
  keyRule(
    'producer-id',
    'producer ids come from a cluster-wide block allocated differently (-1 stays -1)',
    ['producerId'],
    numbered('producer-id', (v) => v === -1 || v === undefined),
  ),
  keyRule(
    'log-append-time',
    'the broker clock at append (-1, meaning CreateTime, stays -1)',
    ['logAppendTimeMs'],
    (v) => (v === -1 || v === undefined ? v : '<append-time>'),
  ),
  keyRule(
    'error-message',
    'free text for people; clients act on the error code (null stays null)',
    ['errorMessage'],
    (v) => (v === null || v === undefined ? v : '<message>'),
  ),
  keyRule(
    'config-order',
    'Kafka lists config entries in its hash-map order; the protocol gives them no order and clients look them up by name',
    ['configs'],
    (v, _ids, inner) => inner(Array.isArray(v) && v.every(isNamed) ? [...v].sort(byName) : v),
  ),
];

function isNamed(v: unknown): v is { name: string } {
  return v !== null && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string';
}

/** Orders entries by name (a null name as the empty one). */
function byName<T extends { name: string | null }>(a: T, b: T): number {
  const x = a.name ?? '';
  const y = b.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A JSON-like copy of `value` with `rules` applied and Buffers as hex strings. */
export function normalise(value: unknown, rules: readonly Normaliser[], ids: IdNumbering, path = ''): unknown {
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (Array.isArray(value)) return value.map((v, i) => normalise(v, rules, ids, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      const rule = rules.find((r) => r.applies(key, at));
      out[key] = rule ? rule.replace(v, ids, (kept) => normalise(kept, rules, ids, at)) : normalise(v, rules, ids, at);
    }
    return out;
  }
  return value;
}

// ---- Scenario-specific rules (each listed in docs/compatibility.md) ------------------------------------------------
//
// A scenario passes the ones it needs to `scenario(..., { rules })`. They are grouped as the
// sections of docs/compatibility.md are; each keeps the name and reason shown there.

// ---- ApiVersions, Metadata, topics and configs ---------------------------------------------------------------------

/** The API keys Samsa serves (its handler table, the source of its ApiVersions answer). */
export const SAMSA_KEYS: ReadonlySet<number> = new Set(
  new HandlerTable(builtinHandlers).apiVersions.map((a) => a.apiKey),
);

/**
 * Versions below these are the legacy message formats (magic 0 and 1) that Samsa does not serve;
 * Kafka 4 dropped them too (KIP-896). Documented in docs/compatibility.md.
 */
const LEGACY_FORMAT_MINIMUMS: ReadonlyMap<number, number> = new Map([
  [ApiKey.Produce, 3],
  [ApiKey.Fetch, 4],
]);

/**
 * Scenario rule `served-api-ranges` (ApiVersions): keeps the API keys Samsa serves and reads the
 * minimum of Produce and Fetch as at least their first version without legacy message formats.
 */
export const servedApiRanges: Normaliser = {
  name: 'served-api-ranges',
  why: 'Samsa serves a subset of the APIs of Kafka 3.9 (the others are a documented list, checked separately), and no Produce v0-2 / Fetch v0-3 (legacy message formats)',
  applies: (key) => key === 'apiKeys',
  replace: (value, _ids, inner) =>
    inner(
      Array.isArray(value)
        ? (value as ApiVersionsResponse['apiKeys'])
            .filter((a) => SAMSA_KEYS.has(a.apiKey))
            .map((a) => {
              const floor = LEGACY_FORMAT_MINIMUMS.get(a.apiKey);
              return floor === undefined ? a : { ...a, minVersion: Math.max(a.minVersion, floor) };
            })
        : value,
    ),
};

/** DescribeConfigs resource type BROKER (4): the resources the `broker-config-subset` rule trims. */
export const BROKER_RESOURCE_TYPE = 4;

/** Rule `metadata-all-topics`: of an all-topics answer, this scenario's topics, by name. */
export function onlyTopicsStartingWith(prefix: string): Normaliser {
  return {
    name: 'metadata-all-topics',
    why: "an all-topics answer lists every topic of the broker (other scenarios' too) in Kafka's hash-map order",
    applies: (key) => key === 'topics',
    replace: (value, _ids, inner) =>
      inner((value as { name: string | null }[]).filter((t) => t.name?.startsWith(prefix) === true).sort(byName)),
  };
}

/** Rule `delete-records-order`: topics by name, partitions by index. */
export const deleteRecordsOrder: Normaliser = {
  name: 'delete-records-order',
  why: 'Kafka groups its DeleteRecords answer by topic through a hash map: topics and partitions come in hash order',
  applies: (key) => key === 'topics',
  replace: (value, _ids, inner) =>
    inner(
      (value as { name: string; partitions: { partitionIndex: number }[] }[])
        .map((t) => ({ ...t, partitions: [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex) }))
        .sort(byName),
    ),
};

/** Rule `partition-order`: partitions by index. */
export const metadataPartitionOrder: Normaliser = {
  name: 'partition-order',
  why: "Kafka's ZooKeeper-mode metadata cache lists a big topic's partitions in hash-map order",
  applies: (key) => key === 'partitions',
  replace: (value, _ids, inner) =>
    inner([...(value as { partitionIndex: number }[])].sort((a, b) => a.partitionIndex - b.partitionIndex)),
};

/** Rule `config-documentation`: the documentation text of a config. */
export const configDocumentation: Normaliser = {
  name: 'config-documentation',
  why: "Samsa writes its own one-line documentation of each config (Kafka's text is not copied); null (not asked) stays null",
  applies: (key) => key === 'documentation',
  replace: (value) => (value === null || value === undefined ? value : '<documentation>'),
};

/** Rule `describe-configs-v0-is-default`: DescribeConfigs v0's isDefault. */
export const v0IsDefault: Normaliser = {
  name: 'describe-configs-v0-is-default',
  why: 'Kafka 3.9 answers isDefault false for every entry at v0 (it no longer fills the field); Samsa answers true for defaults, as Kafka 2.x did',
  applies: (key) => key === 'isDefault',
  replace: () => '<is-default>',
};

/**
 * Broker configs both brokers describe alike (same value, source, synonyms, read-only-ness and
 * type) with the harness's settings. The others differ for reasons docs/compatibility.md lists.
 */
export const SHARED_BROKER_CONFIGS = [
  'auto.create.topics.enable',
  'default.replication.factor',
  'delete.topic.enable',
  'fetch.max.bytes',
  'group.initial.rebalance.delay.ms',
  'group.max.session.timeout.ms',
  'group.min.session.timeout.ms',
  'log.retention.check.interval.ms',
  'log.retention.hours',
  'num.partitions',
  'offsets.retention.minutes',
  'offsets.topic.num.partitions',
  'offsets.topic.segment.bytes',
  'replica.lag.time.max.ms',
  'request.timeout.ms',
  'socket.request.max.bytes',
  'transaction.state.log.num.partitions',
];

/** Rule `broker-config-subset`: of a broker's configs, those in SHARED_BROKER_CONFIGS. */
export const brokerConfigSubset: Normaliser = {
  name: 'broker-config-subset',
  why: "Kafka 3.9 has about twice Samsa's broker configs, marks the dynamically updatable ones writable, and differs in some defaults",
  applies: (key) => key === 'results',
  replace: (value, _ids, inner) =>
    inner(
      (value as { resourceType: number; configs: { name: string }[] }[]).map((r) =>
        r.resourceType === BROKER_RESOURCE_TYPE
          ? { ...r, configs: r.configs.filter((c) => SHARED_BROKER_CONFIGS.includes(c.name)) }
          : r,
      ),
    ),
};

// ---- Produce, Fetch and ListOffsets --------------------------------------------------------------------------------

/**
 * A rule for scenarios whose fetched batches come from idempotent producers: the producer id in
 * each batch header (and so its CRC) is the id the broker handed out, numbered like the
 * `producer-id` rule's, so the Nth id on one broker matches the Nth on the other.
 */
export const producerIdInRecords: Normaliser = {
  name: 'producer-id-in-records',
  why: 'stored batches carry the producer id each broker allocated (and a CRC over it)',
  applies: (key) => key === 'records',
  replace(value, ids) {
    if (!Buffer.isBuffer(value)) return value;
    const parts: string[] = [];
    const c = new BatchCursor(value);
    let end = 0;
    while (c.next()) {
      const b = c.bytes();
      end = c.position + c.size;
      const pid = Number(b.readBigInt64BE(PRODUCER_ID_OFFSET));
      if (pid < 0) {
        parts.push(b.toString('hex'));
        continue;
      }
      parts.push(
        b.subarray(0, CRC_OFFSET).toString('hex'),
        '<crc>',
        b.subarray(CRC_OFFSET + 4, PRODUCER_ID_OFFSET).toString('hex'),
        `<producer-id-${ids.number('producer-id', pid)}>`,
        b.subarray(PRODUCER_ID_OFFSET + 8).toString('hex'),
      );
    }
    parts.push(value.subarray(end).toString('hex'));
    return parts.join('');
  },
};

// ---- Consumer groups -----------------------------------------------------------------------------------------------

/**
 * Kafka keeps a group's members in a hash map keyed by member id, and member ids embed a random
 * UUID: the leader's JoinGroup answer and DescribeGroups list members in an order that changes
 * from run to run (Samsa lists them in joining order). This rule puts `members` lists in the
 * order the members' ids first appeared in the trace (the `member-id` numbering); the members
 * themselves are normalised by the scenario's rules. Scenarios using it make every member id appear (in their
 * own answers) before a list that holds it.
 */
export const memberOrder: Normaliser = {
  name: 'member-order',
  why: "Kafka lists a group's members in hash-map order (random member ids); the order carries no meaning",
  applies: (key) => key === 'members',
  replace: (value, ids, inner) => {
    if (!Array.isArray(value)) return inner(value);
    const rank = (m: unknown): number => {
      const id = (m as { memberId?: unknown }).memberId;
      return id === undefined || id === '' ? 0 : ids.number('member', id);
    };
    return inner([...value].sort((a, b) => rank(a) - rank(b)));
  },
};

interface TopicLike {
  name?: unknown;
  partitions?: unknown;
}

/**
 * Kafka builds OffsetCommit and OffsetFetch answers from hash maps keyed by topic-partition (and
 * puts partitions it rejected before asking the coordinator first), so their order follows hash
 * codes; Samsa answers in request order (all committed partitions: in commit order). This rule
 * sorts `topics` lists by name and each topic's `partitions` by index. Clients look answers up by topic-partition.
 */
export const offsetPartitionOrder: Normaliser = {
  name: 'offset-partition-order',
  why: 'Kafka lists the topic-partitions of offset answers in hash-map order; clients look them up by name and index',
  applies: (key) => key === 'topics',
  replace: (value, _ids, inner) => {
    if (!Array.isArray(value)) return inner(value);
    const byTopicName = (a: TopicLike, b: TopicLike) => String(a.name).localeCompare(String(b.name));
    const byIndex = (a: { partitionIndex?: unknown }, b: { partitionIndex?: unknown }) =>
      Number(a.partitionIndex) - Number(b.partitionIndex);
    return inner(
      [...(value as TopicLike[])]
        .sort(byTopicName)
        .map((t) => (Array.isArray(t.partitions) ? { ...t, partitions: [...t.partitions].sort(byIndex) } : t)),
    );
  },
};

/**
 * Kafka 3.9 in ZooKeeper mode keeps OffsetCommit v0 offsets in ZooKeeper, which stores the offset
 * without its metadata, and OffsetFetch v0 reads them from there (Samsa keeps v0 commits in
 * __consumer_offsets like every other version): the metadata read back differs.
 */
export const zookeeperOffsetMetadata: Normaliser = {
  name: 'zookeeper-offset-metadata',
  why: 'Kafka stores OffsetCommit v0 offsets in ZooKeeper, without their metadata',
  applies: (key) => key === 'metadata',
  replace: (value) => (value === null ? null : '<metadata>'),
};

/**
 * Kafka answers DeleteGroups from a map keyed by group id, so `results` come in hash order;
 * Samsa answers in request order. This rule sorts them by group id. Clients look them up by id.
 */
export const groupOrder: Normaliser = {
  name: 'group-order',
  why: 'Kafka lists DeleteGroups results in hash-map order; clients look them up by group id',
  applies: (key) => key === 'results',
  replace: (value, _ids, inner) => {
    if (!Array.isArray(value)) return inner(value);
    return inner(
      [...(value as { groupId?: unknown }[])].sort((a, b) => String(a.groupId).localeCompare(String(b.groupId))),
    );
  },
};
