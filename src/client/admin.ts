/**
 * Administrative operations on a cluster, over a ClusterClient: the group and offset operations
 * `samsa consumer-groups` needs (list, describe and delete groups; fetch and commit a group's
 * offsets; list partition offsets; a topic's partitions). Each operation finds the broker it
 * must talk to (a group's coordinator, a partition's leader, every broker for ListGroups), picks
 * the request form of the negotiated version, retries retriable errors within the client's
 * operation timeout, and turns error codes into KafkaProtocolError naming the group or
 * topic-partition.
 *
 * The Admin does not own the ClusterClient: closing the client is the caller's job.
 */
import { ErrorCode } from '../protocol/error-codes.ts';
import { decodeAssignment } from '../protocol/messages/consumer-protocol.ts';
import { ApiKey } from '../protocol/messages/generated/api-table.ts';
import type { OffsetFetchRequest } from '../protocol/messages/generated/offset-fetch.ts';
import type { BrokerNode, ClusterClient } from './cluster-client.ts';
import { KafkaProtocolError, throwIfError, UnsupportedVersionError } from './errors.ts';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** `topic-partition`, as Kafka prints a TopicPartition. */
export function formatTopicPartition(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Orders by topic, then partition. */
export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** The consumer protocol type of JoinGroup; groups with it (or none: offsets only) are consumer groups. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface GroupListing {
  readonly groupId: string;
  /** 'consumer' for consumer groups; '' for groups that only hold committed offsets. */
  readonly protocolType: string;
  /** Null when the broker's ListGroups is older than v4 and does not say. */
  readonly state: string | null;
}

export interface MemberDescription {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** Decoded from the member's assignment for consumer groups; empty otherwise. */
  readonly assignment: readonly TopicPartition[];
}

export interface GroupDescription {
  readonly groupId: string;
  /** Empty, PreparingRebalance, CompletingRebalance, Stable or Dead (a group that does not exist). */
  readonly state: string;
  readonly protocolType: string;
  /** The chosen protocol: the partition assignor for consumer groups ('' when none). */
  readonly protocol: string;
  readonly members: readonly MemberDescription[];
  readonly coordinator: BrokerNode;
}

export interface CommittedOffset extends TopicPartition {
  /** -1 when the group has no committed offset for the partition. */
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
}

export interface OffsetToCommit extends TopicPartition {
  readonly offset: number;
  readonly metadata?: string;
}

/** Special timestamps of ListOffsets. */
export const OffsetSpec = { LATEST: -1, EARLIEST: -2, MAX_TIMESTAMP: -3 } as const;

export interface OffsetQuery extends TopicPartition {
  /** A time in ms since the epoch (the earliest offset whose record is at or after it), or an OffsetSpec. */
  readonly timestamp: number;
}

export interface ListedOffset extends TopicPartition {
  /** -1 when no record is at or after the timestamp asked. */
  readonly offset: number;
  readonly timestamp: number;
}

export class Admin {
  private readonly client: ClusterClient;

  constructor(client: ClusterClient) {
    this.client = client;
  }

  /**
   * Every group on every broker (ListGroups to each). `states` (v4+) asks the brokers to keep only
   * groups in those states; older brokers return all, with state null.
   */
  async listGroups(options: { states?: readonly string[] } = {}): Promise<GroupListing[]> {
    const meta = await this.client.retry(() => this.client.metadata([]));
    const perBroker = await Promise.all(
      meta.brokers.map((b) =>
        this.client.retry(async () => {
          const conn = await this.client.connectionTo(b.nodeId);
          const res = await conn.send(ApiKey.ListGroups, {
            statesFilter: [...(options.states ?? [])],
            typesFilter: [],
          });
          throwIfError(res.errorCode, { subject: `ListGroups on broker ${b.nodeId}` });
          return res.groups.map((g) => ({
            groupId: g.groupId,
            protocolType: g.protocolType,
            state: g.groupState ?? null,
          }));
        }),
      ),
    );
    const seen = new Map<string, GroupListing>();
    for (const groups of perBroker) for (const g of groups) seen.set(g.groupId, g);
    return [...seen.values()];
  }

  /**
   * Describes groups at their coordinators. A group that does not exist is described as Dead
   * with no members (GROUP_ID_NOT_FOUND from a coordinator is read the same way).
   */
  describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    return Promise.all(groupIds.map((g) => this.describeGroup(g)));
  }

  private describeGroup(groupId: string): Promise<GroupDescription> {
    return this.client.retry(() =>
      this.client.withCoordinator(groupId, async (conn, coordinator) => {
        const res = await conn.send(ApiKey.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false });
        const g = res.groups.find((x) => x.groupId === groupId);
        if (g === undefined) {
          throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, {
            subject: `group '${groupId}'`,
            message: 'the DescribeGroups answer does not mention the group',
          });
        }
        if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) {
          return { groupId, state: 'Dead', protocolType: '', protocol: '', members: [], coordinator };
        }
        throwIfError(g.errorCode, { subject: `group '${groupId}'` });
        const consumer = g.protocolType === CONSUMER_PROTOCOL_TYPE;
        return {
          groupId,
          state: g.groupState,
          protocolType: g.protocolType,
          protocol: g.protocolData,
          coordinator,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId ?? null,
            clientId: m.clientId,
            clientHost: m.clientHost,
            assignment: consumer ? assignedPartitions(m.memberAssignment) : [],
          })),
        };
      }),
    );
  }

  /**
   * A group's committed offsets (OffsetFetch at its coordinator): for `partitions`, or every
   * partition it has committed when null. Partitions answered with an error are left out, as
   * Kafka's admin client does.
   */
  fetchOffsets(groupId: string, partitions: readonly TopicPartition[] | null = null): Promise<CommittedOffset[]> {
    const topics = partitions === null ? null : groupByTopic(partitions);
    return this.client.retry(() =>
      this.client.withCoordinator(groupId, async (conn) => {
        const version = conn.versionFor(ApiKey.OffsetFetch);
        if (version === undefined) {
          throw new UnsupportedVersionError(
            ApiKey.OffsetFetch,
            `the broker at ${conn.address} does not support OffsetFetch`,
          );
        }
        if (topics === null && version < 2) {
          throw new UnsupportedVersionError(ApiKey.OffsetFetch, 'fetching all committed offsets needs OffsetFetch v2+');
        }
        const subject = `group '${groupId}'`;
        const wire = topics?.map(([name, ps]) => ({ name, partitionIndexes: ps })) ?? null;
        const request: OffsetFetchRequest =
          version >= 8
            ? { groups: [{ groupId, memberId: null, memberEpoch: -1, topics: wire }], requireStable: false }
            : { groupId, topics: wire, requireStable: false };
        const res = await conn.send(ApiKey.OffsetFetch, request);
        let answered: {
          name: string;
          partitions: {
            partitionIndex: number;
            committedOffset: number;
            committedLeaderEpoch?: number;
            metadata: string | null;
            errorCode: number;
          }[];
        }[];
        if (version >= 8) {
          const g = res.groups?.find((x) => x.groupId === groupId);
          if (g === undefined)
            throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, {
              subject,
              message: 'the OffsetFetch answer does not mention the group',
            });
          throwIfError(g.errorCode, { subject });
          answered = g.topics;
        } else {
          throwIfError(res.errorCode, { subject });
          answered = res.topics ?? [];
        }
        const out: CommittedOffset[] = [];
        for (const t of answered) {
          for (const p of t.partitions) {
            if (p.errorCode !== ErrorCode.NONE) {
              // Retriable ones (UNSTABLE_OFFSET_COMMIT, a coordinator loading) are worth another try.
              const e = new KafkaProtocolError(p.errorCode, {
                subject: `${subject}, topic-partition ${t.name}-${p.partitionIndex}`,
              });
              if (e.retriable) throw e;
              continue;
            }
            out.push({
              topic: t.name,
              partition: p.partitionIndex,
              offset: p.committedOffset,
              leaderEpoch: p.committedLeaderEpoch ?? -1,
              metadata: p.metadata,
            });
          }
        }
        return out.sort(compareTopicPartitions);
      }),
    );
  }

  /**
   * Commits offsets for a group without being a member of it (generation -1, no member id), as
   * Kafka's alterConsumerGroupOffsets does; the coordinator refuses it while the group has
   * members (UNKNOWN_MEMBER_ID / REBALANCE_IN_PROGRESS).
   */
  commitOffsets(groupId: string, offsets: readonly OffsetToCommit[]): Promise<void> {
    const byTopic = new Map<string, OffsetToCommit[]>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (list === undefined) byTopic.set(o.topic, (list = []));
      list.push(o);
    }
    return this.client.retry(() =>
      this.client.withCoordinator(groupId, async (conn) => {
        const res = await conn.send(ApiKey.OffsetCommit, {
          groupId,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          retentionTimeMs: -1,
          topics: [...byTopic].map(([name, list]) => ({
            name,
            partitions: list.map((o) => ({
              partitionIndex: o.partition,
              committedOffset: o.offset,
              committedLeaderEpoch: -1,
              commitTimestamp: -1,
              committedMetadata: o.metadata ?? '',
            })),
          })),
        });
        for (const t of res.topics) {
          for (const p of t.partitions) {
            throwIfError(p.errorCode, { subject: `group '${groupId}', topic-partition ${t.name}-${p.partitionIndex}` });
          }
        }
      }),
    );
  }

  /** Deletes groups at their coordinators; resolves with each group's error (null: deleted). */
  async deleteGroups(groupIds: readonly string[]): Promise<Map<string, KafkaProtocolError | null>> {
    const results = await Promise.all(
      groupIds.map(async (groupId): Promise<[string, KafkaProtocolError | null]> => {
        try {
          await this.client.retry(() =>
            this.client.withCoordinator(groupId, async (conn) => {
              const res = await conn.send(ApiKey.DeleteGroups, { groupsNames: [groupId] });
              const r = res.results.find((x) => x.groupId === groupId);
              throwIfError(r === undefined ? ErrorCode.UNKNOWN_SERVER_ERROR : r.errorCode, {
                subject: `group '${groupId}'`,
              });
            }),
          );
          return [groupId, null];
        } catch (e) {
          if (e instanceof KafkaProtocolError) return [groupId, e];
          throw e;
        }
      }),
    );
    return new Map(results);
  }

  /**
   * Offsets by timestamp at each partition's leader (ListOffsets), in the order asked. A partition
   * asked several times (different timestamps) goes into separate requests, since one request
   * names a partition once. A partition that does not exist fails with UNKNOWN_TOPIC_OR_PARTITION.
   */
  listOffsets(queries: readonly OffsetQuery[]): Promise<ListedOffset[]> {
    return this.client.retry(async () => {
      const meta = await this.client.metadata([...new Set(queries.map((q) => q.topic))]);
      // Requests by leader and round: round n holds each partition's n-th query.
      const requests = new Map<string, { leader: number; queries: OffsetQuery[] }>();
      const rounds: number[] = [];
      const seen = new Map<string, number>();
      for (const q of queries) {
        const t = meta.topics.get(q.topic);
        const subject = `topic-partition ${formatTopicPartition(q)}`;
        const p = t?.partitions.find((x) => x.partition === q.partition);
        if (
          t === undefined ||
          t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
          (t.errorCode === 0 && p === undefined)
        ) {
          // The metadata says it does not exist: final, unlike the same code from a leader.
          throw new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { subject, retriable: false });
        }
        throwIfError(t.errorCode, { subject });
        if (p === undefined) throw new KafkaProtocolError(ErrorCode.LEADER_NOT_AVAILABLE, { subject });
        if (p.leaderId < 0) throw new KafkaProtocolError(ErrorCode.LEADER_NOT_AVAILABLE, { subject });
        const round = seen.get(key(q.topic, q.partition)) ?? 0;
        seen.set(key(q.topic, q.partition), round + 1);
        rounds.push(round);
        const id = `${p.leaderId}/${round}`;
        let r = requests.get(id);
        if (r === undefined) requests.set(id, (r = { leader: p.leaderId, queries: [] }));
        r.queries.push(q);
      }
      const found = new Map<string, ListedOffset>();
      await Promise.all(
        [...requests].map(async ([id, { leader, queries: list }]) => {
          const round = id.slice(id.indexOf('/') + 1);
          const conn = await this.client.connectionTo(leader);
          const res = await conn.send(ApiKey.ListOffsets, {
            replicaId: -1,
            isolationLevel: 0,
            topics: groupByTopicWith(list).map(([name, qs]) => ({
              name,
              partitions: qs.map((q) => ({
                partitionIndex: q.partition,
                currentLeaderEpoch: -1,
                timestamp: q.timestamp,
                maxNumOffsets: 1,
              })),
            })),
          });
          for (const t of res.topics) {
            for (const p of t.partitions) {
              throwIfError(p.errorCode, { subject: `topic-partition ${t.name}-${p.partitionIndex}` });
              const offset = p.offset ?? p.oldStyleOffsets?.[0] ?? -1;
              found.set(`${round}/${key(t.name, p.partitionIndex)}`, {
                topic: t.name,
                partition: p.partitionIndex,
                offset,
                timestamp: p.timestamp ?? -1,
              });
            }
          }
        }),
      );
      return queries.map((q, i) => {
        const r = found.get(`${rounds[i]}/${key(q.topic, q.partition)}`);
        if (r === undefined) {
          throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, {
            subject: `topic-partition ${formatTopicPartition(q)}`,
            message: 'the ListOffsets answer does not mention it',
          });
        }
        return r;
      });
    });
  }

  /** The partitions of each topic, sorted; a topic that does not exist fails with UNKNOWN_TOPIC_OR_PARTITION. */
  async partitionsOf(topics: readonly string[]): Promise<Map<string, number[]>> {
    const meta = await this.client.retry(async () => {
      const m = await this.client.metadata(topics);
      for (const t of m.topics.values()) {
        // LEADER_NOT_AVAILABLE while a topic is being created is retriable; UNKNOWN_TOPIC_OR_PARTITION is final here.
        if (t.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          throwIfError(t.errorCode, { subject: `topic '${t.name}'` });
      }
      return m;
    });
    const out = new Map<string, number[]>();
    for (const name of topics) {
      const t = meta.topics.get(name);
      if (t === undefined || t.errorCode !== ErrorCode.NONE) {
        throw new KafkaProtocolError(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, {
          subject: `topic '${name}'`,
          retriable: false,
        });
      }
      out.set(
        name,
        t.partitions.map((p) => p.partition),
      );
    }
    return out;
  }
}

function key(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

function groupByTopic(partitions: readonly TopicPartition[]): [string, number[]][] {
  return groupByTopicWith(partitions).map(([t, list]) => [t, list.map((p) => p.partition)]);
}

function groupByTopicWith<T extends TopicPartition>(items: readonly T[]): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const it of items) {
    let list = m.get(it.topic);
    if (list === undefined) m.set(it.topic, (list = []));
    list.push(it);
  }
  return [...m];
}

/** The partitions in a consumer-protocol assignment; none when it is empty or unreadable. */
function assignedPartitions(bytes: Buffer): TopicPartition[] {
  if (bytes.length === 0) return [];
  try {
    const { value } = decodeAssignment(bytes);
    return value.assignedPartitions
      .flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })))
      .sort(compareTopicPartitions);
  } catch {
    return [];
  }
}
