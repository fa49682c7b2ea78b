/**
 * Shared pieces of the consumer group scenarios (groups-*.kafka-test.ts): requests that are not
 * part of a trace (setup and waiting), the consumer protocol payloads and request bodies. The
 * scenario-specific normalisation rules of the group APIs are in ./normalise.ts.
 */
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { encodeAssignment, encodeSubscription } from '../../src/protocol/messages/consumer-protocol.ts';
import { ApiKey, type ApiMessages } from '../../src/protocol/messages/generated/api-table.ts';
import { type Client, quiet, type Session, until } from './harness.ts';

export { quiet, until };

const RETRIABLE_GROUP_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.NOT_COORDINATOR,
]);

/**
 * Waits, without recording, until the broker coordinates `groupId`: FindCoordinator answers
 * (creating __consumer_offsets on first use) and the group's offsets partition is loaded
 * (DescribeGroups answers without a coordinator error).
 */
export async function coordinatorReady(s: Session, groupId: string): Promise<void> {
  const c = await s.connect();
  await until(`coordinator of ${groupId}`, async () => {
    const r = await quiet(c, ApiKey.FindCoordinator, 3, { key: groupId, keyType: 0 });
    return r.errorCode === ErrorCode.NONE ? true : undefined;
  });
  await until(`offsets partition of ${groupId} loaded`, async () => {
    const r = await quiet(c, ApiKey.DescribeGroups, 0, { groups: [groupId] });
    return RETRIABLE_GROUP_ERRORS.has(r.groups[0]!.errorCode) ? undefined : true;
  });
}

/** Creates topics (not recorded) and waits until the broker's metadata has every partition's leader. */
export async function createTopics(s: Session, topics: Record<string, number>): Promise<void> {
  const c = await s.connect();
  const r = await quiet(c, ApiKey.CreateTopics, 4, {
    topics: Object.entries(topics).map(([name, numPartitions]) => ({
      name,
      numPartitions,
      replicationFactor: 1,
      assignments: [],
      configs: [],
    })),
    timeoutMs: 30_000,
    validateOnly: false,
  });
  for (const t of r.topics) {
    if (t.errorCode !== ErrorCode.NONE) throw new Error(`creating ${t.name} on ${s.broker}: error ${t.errorCode}`);
  }
  const names = Object.keys(topics);
  await until(`leaders of ${names.join(', ')}`, async () => {
    const m = await quiet(c, ApiKey.Metadata, 1, { topics: names.map((name) => ({ name })) });
    const ready = m.topics.every(
      (t) => t.errorCode === ErrorCode.NONE && t.partitions.length > 0 && t.partitions.every((p) => p.leaderId >= 0),
    );
    return ready ? true : undefined;
  });
}

/** Waits, without recording, until DescribeGroups reports `state` for the group. */
export async function groupState(s: Session, groupId: string, state: string): Promise<void> {
  const c = await s.connect();
  await until(`group ${groupId} in state ${state}`, async () => {
    const r = await quiet(c, ApiKey.DescribeGroups, 0, { groups: [groupId] });
    return r.groups[0]!.groupState === state ? true : undefined;
  });
}

/** A consumer protocol subscription (version 0) for `topics`. */
export function subscription(topics: string[], version = 0): Buffer {
  return encodeSubscription({ topics, userData: null }, version);
}

/** A consumer protocol assignment (version 0): topic → partitions. */
export function assignment(partitions: Record<string, number[]>, version = 0): Buffer {
  return encodeAssignment(
    {
      assignedPartitions: Object.entries(partitions).map(([topic, ps]) => ({ topic, partitions: ps })),
      userData: null,
    },
    version,
  );
}

export const SESSION_TIMEOUT_MS = 30_000;
export const REBALANCE_TIMEOUT_MS = 30_000;

export interface JoinOptions {
  memberId?: string;
  groupInstanceId?: string | null;
  protocolType?: string;
  protocols?: { name: string; metadata: Buffer }[];
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  topics?: string[];
}

/** A JoinGroup body: protocol type "consumer", one "range" protocol subscribing to `topics`. */
export function joinBody(groupId: string, o: JoinOptions = {}): ApiMessages[typeof ApiKey.JoinGroup]['request'] {
  return {
    groupId,
    sessionTimeoutMs: o.sessionTimeoutMs ?? SESSION_TIMEOUT_MS,
    rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? REBALANCE_TIMEOUT_MS,
    memberId: o.memberId ?? '',
    groupInstanceId: o.groupInstanceId ?? null,
    protocolType: o.protocolType ?? 'consumer',
    protocols: o.protocols ?? [{ name: 'range', metadata: subscription(o.topics ?? ['t']) }],
    reason: null,
  };
}

/** A SyncGroup body; `assignments` by member id (the leader's), none for a follower. */
export function syncBody(
  groupId: string,
  generationId: number,
  memberId: string,
  assignments: [string, Buffer][] = [],
  extra: { groupInstanceId?: string | null; protocolType?: string | null; protocolName?: string | null } = {},
): ApiMessages[typeof ApiKey.SyncGroup]['request'] {
  return {
    groupId,
    generationId,
    memberId,
    groupInstanceId: extra.groupInstanceId ?? null,
    protocolType: extra.protocolType === undefined ? 'consumer' : extra.protocolType,
    protocolName: extra.protocolName === undefined ? 'range' : extra.protocolName,
    assignments: assignments.map(([id, assignment]) => ({ memberId: id, assignment })),
  };
}

/**
 * One member joins (the MEMBER_ID_REQUIRED round trip first at v4+) and, as the leader, syncs
 * its own assignment at `syncVersion`. Every answer is recorded with `who` in its label.
 */
export async function joinAndSync(
  c: Client | Session,
  who: string,
  groupId: string,
  joinVersion: number,
  syncVersion: number,
  o: JoinOptions = {},
): Promise<{ memberId: string; generationId: number }> {
  let join = await c.request(ApiKey.JoinGroup, joinVersion, joinBody(groupId, o), `${who} JoinGroup v${joinVersion}`);
  if (join.errorCode === 79) {
    join = await c.request(
      ApiKey.JoinGroup,
      joinVersion,
      joinBody(groupId, { ...o, memberId: join.memberId }),
      `${who} JoinGroup v${joinVersion} with its member id`,
    );
  }
  const { memberId, generationId } = join;
  const topics = o.topics ?? ['t'];
  await c.request(
    ApiKey.SyncGroup,
    syncVersion,
    syncBody(
      groupId,
      generationId,
      memberId,
      [[memberId, assignment(Object.fromEntries(topics.map((t) => [t, [0]])))]],
      {
        groupInstanceId: o.groupInstanceId ?? null,
      },
    ),
    `${who} SyncGroup v${syncVersion}`,
  );
  return { memberId, generationId };
}

/**
 * Member A forms generation 1; member B joins, which starts a rebalance (A's heartbeat says
 * so); A rejoins and both get generation 2; the leader A assigns one partition each.
 */
export async function twoMembers(
  s: Session,
  groupId: string,
  topic: string,
): Promise<{ a: Client; b: Client; aId: string; bId: string }> {
  await coordinatorReady(s, groupId);
  const a = await s.connect();
  const b = await s.connect();
  const { memberId: aId } = await joinAndSync(a, 'A', groupId, 5, 3, { topics: [topic] });
  const bFirst = await b.request(ApiKey.JoinGroup, 5, joinBody(groupId, { topics: [topic] }), 'B JoinGroup');
  const bId = bFirst.memberId;
  const bJoin = quiet(b, ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: bId, topics: [topic] }));
  await groupState(s, groupId, 'PreparingRebalance');
  await a.request(
    ApiKey.Heartbeat,
    3,
    { groupId, generationId: 1, memberId: aId, groupInstanceId: null },
    'A Heartbeat while B joins',
  );
  const aJoin = quiet(a, ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: aId, topics: [topic] }));
  const [aJoined, bJoined] = await Promise.all([aJoin, bJoin]);
  s.record('A rejoins', aJoined);
  s.record('B JoinGroup with its member id', bJoined);
  const gen = aJoined.generationId;
  const aSync = quiet(
    a,
    ApiKey.SyncGroup,
    5,
    syncBody(groupId, gen, aId, [
      [aId, assignment({ [topic]: [0] })],
      [bId, assignment({ [topic]: [1] })],
    ]),
  );
  const bSync = quiet(b, ApiKey.SyncGroup, 5, syncBody(groupId, gen, bId));
  const [aSynced, bSynced] = await Promise.all([aSync, bSync]);
  s.record('A SyncGroup (leader)', aSynced);
  s.record('B SyncGroup (follower)', bSynced);
  return { a, b, aId, bId };
}
