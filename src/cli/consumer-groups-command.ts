/**
 * `samsa consumer-groups`: Kafka's kafka-consumer-groups.sh against a live cluster — list,
 * describe (offsets and lag, members, state), delete groups, and reset a group's committed
 * offsets — on the client library (ClusterClient + Admin). The options and the output follow
 * Kafka 3.9 (consumer-groups-args.ts, consumer-groups-format.ts).
 *
 * Tables go to stdout; Kafka's notes about a group (no active members, rebalancing) and warnings
 * go to stderr, as Kafka prints them; errors go to stderr as `Error: ...` lines (Kafka prints
 * them on stdout). Exit codes: 0 done, 1 failed (a broker error, a group that does not exist or
 * cannot be deleted or reset, an unreachable cluster), 2 usage error.
 */
import {
  Admin,
  CONSUMER_PROTOCOL_TYPE,
  compareTopicPartitions,
  formatTopicPartition,
  type GroupDescription,
  OffsetSpec,
  type TopicPartition,
} from '../client/admin.ts';
import { type BrokerAddress, parseBootstrap } from '../client/broker-address.ts';
import { ClusterClient } from '../client/cluster-client.ts';
import { ClientError, errorText, KafkaProtocolError } from '../client/errors.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { type CliDeps, EXIT, UsageError } from './cli-deps.ts';
import {
  CONSUMER_GROUPS_USAGE,
  type ConsumerGroupsArgs,
  parseConsumerGroupsArgs,
  type ResetScenario,
} from './consumer-groups-args.ts';
import {
  formatGroupState,
  formatGroupStates,
  formatMembers,
  formatOffsets,
  formatResetPlan,
  MISSING,
  type OffsetRow,
  type ResetRow,
} from './consumer-groups-format.ts';

export { CONSUMER_GROUPS_SUMMARY } from './consumer-groups-args.ts';

const DRY_RUN_WARNING =
  'WARN: No action will be performed as the --execute option is missing. In a future major release, the default ' +
  'behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. ' +
  'You should add the --dry-run option explicitly if you are scripting this command and want to keep the current ' +
  'default behavior without prompting.\n';

/** Runs `samsa consumer-groups <args>`; resolves with the exit code. Throws UsageError for bad arguments. */
export async function runConsumerGroupsCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const parsed = parseConsumerGroupsArgs(args);
  if (parsed.help) {
    deps.stdout(CONSUMER_GROUPS_USAGE);
    return EXIT.OK;
  }
  let bootstrap: BrokerAddress[];
  try {
    bootstrap = parseBootstrap(parsed.bootstrapServer);
  } catch (e) {
    throw new UsageError(`--bootstrap-server: ${errorText(e)}`);
  }
  if (parsed.implicitDryRun) deps.stderr(DRY_RUN_WARNING);
  const client = new ClusterClient({
    bootstrap,
    clientId: 'samsa-consumer-groups',
    softwareName: 'samsa',
    softwareVersion: deps.version,
    clock: deps.clock,
    connectTimeoutMs: parsed.timeoutMs,
    requestTimeoutMs: parsed.timeoutMs,
    operationTimeoutMs: parsed.timeoutMs,
  });
  const run = new ConsumerGroupsRun(parsed, deps, client);
  try {
    await run.execute();
    return run.failed ? EXIT.FAILURE : EXIT.OK;
  } catch (e) {
    if (e instanceof KafkaProtocolError || e instanceof ClientError || e instanceof CommandFailure) {
      deps.stderr(`Error: Executing consumer group command failed due to ${describeFailure(e)}\n`);
      return EXIT.FAILURE;
    }
    throw e;
  } finally {
    await client.close();
  }
}

/** A failure of the command itself (not of the cluster), with a message for people. */
class CommandFailure extends Error {}

function describeFailure(e: Error): string {
  return e instanceof KafkaProtocolError ? `${e.name}: ${e.message}` : e.message;
}

/** One invocation: the parsed arguments, the output, the client, and whether something failed. */
class ConsumerGroupsRun {
  failed = false;
  private readonly args: ConsumerGroupsArgs;
  private readonly deps: CliDeps;
  private readonly client: ClusterClient;
  private readonly admin: Admin;

  constructor(args: ConsumerGroupsArgs, deps: CliDeps, client: ClusterClient) {
    this.args = args;
    this.deps = deps;
    this.client = client;
    this.admin = new Admin(client);
  }

  execute(): Promise<void> {
    switch (this.args.action) {
      case 'list':
        return this.list();
      case 'describe':
        return this.describe();
      case 'delete':
        return this.delete();
      case 'reset-offsets':
        return this.resetOffsets();
    }
  }

  private error(message: string): void {
    this.failed = true;
    this.deps.stderr(`Error: ${message}\n`);
  }

  // --list ------------------------------------------------------------------------------------

  private async list(): Promise<void> {
    const states = this.args.listStates;
    const groups = (await this.admin.listGroups(states === null ? {} : { states })).filter(isConsumerGroup);
    if (states === null) {
      for (const g of groups) this.deps.stdout(`${g.groupId}\n`);
      return;
    }
    // Brokers older than ListGroups v4 do not say the state: ask the coordinators.
    const unknown = groups.filter((g) => g.state === null).map((g) => g.groupId);
    const described = new Map((await this.admin.describeGroups(unknown)).map((d) => [d.groupId, d.state]));
    const rows = groups
      .map((g) => ({ groupId: g.groupId, state: g.state ?? described.get(g.groupId) ?? 'Unknown' }))
      .filter((r) => states.length === 0 || states.includes(r.state));
    this.deps.stdout(formatGroupStates(rows));
  }

  // --describe --------------------------------------------------------------------------------

  private async describe(): Promise<void> {
    const ids = await this.selectedGroups();
    const descriptions = (await this.describeConsumerGroups(ids)).sort((a, b) => compareStrings(a.groupId, b.groupId));
    for (const d of descriptions) {
      if (this.args.view === 'offsets') await this.describeOffsets(d);
      else if (this.args.view === 'members') this.describeMembers(d);
      else this.describeState(d);
    }
  }

  private async describeOffsets(d: GroupDescription): Promise<void> {
    const committed = d.state === 'Dead' ? [] : await this.admin.fetchOffsets(d.groupId);
    const current = new Map(committed.filter((c) => c.offset >= 0).map((c) => [tpKey(c), c.offset]));
    const owned: { tp: TopicPartition; consumerId: string; host: string; clientId: string }[] = [];
    const assigned = new Set<string>();
    // Members with partitions, most partitions first (a stable sort keeps the coordinator's order otherwise).
    const members = d.members
      .filter((m) => m.assignment.length > 0)
      .sort((a, b) => b.assignment.length - a.assignment.length);
    for (const m of members) {
      for (const tp of [...m.assignment].sort(compareTopicPartitions)) {
        owned.push({ tp, consumerId: m.memberId, host: m.clientHost, clientId: m.clientId });
        assigned.add(tpKey(tp));
      }
    }
    const unowned = committed.filter((c) => !assigned.has(tpKey(c))).sort(compareTopicPartitions);
    for (const tp of unowned) owned.push({ tp, consumerId: MISSING, host: MISSING, clientId: MISSING });
    if (!this.noteGroupState(d.groupId, d.state, owned.length)) return;
    const ends = await this.logEndOffsets(owned.map((o) => o.tp));
    const rows: OffsetRow[] = owned.map((o) => {
      const cur = current.get(tpKey(o.tp)) ?? null;
      const end = ends.get(tpKey(o.tp)) ?? null;
      return {
        group: d.groupId,
        topic: o.tp.topic,
        partition: o.tp.partition,
        currentOffset: cur,
        logEndOffset: end,
        lag: cur !== null && end !== null ? end - cur : null,
        consumerId: o.consumerId,
        host: o.host,
        clientId: o.clientId,
      };
    });
    this.deps.stdout(formatOffsets(rows));
  }

  private describeMembers(d: GroupDescription): void {
    this.noteGroupState(d.groupId, d.state, d.members.length);
    const rows = d.members.map((m) => ({
      group: d.groupId,
      consumerId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? '',
      host: m.clientHost,
      clientId: m.clientId,
      assignment: m.assignment,
    }));
    this.deps.stdout(formatMembers(rows, this.args.verbose));
  }

  private describeState(d: GroupDescription): void {
    if (!this.noteGroupState(d.groupId, d.state, 1)) return;
    const c = d.coordinator;
    this.deps.stdout(
      formatGroupState({
        group: d.groupId,
        coordinator: `${c.host}:${c.port}  (${c.nodeId})`,
        assignmentStrategy: d.protocol,
        state: d.state,
        members: d.members.length,
      }),
    );
  }

  /**
   * Kafka's shouldPrintMemberState: an error for a group that does not exist, a note for an
   * empty or rebalancing group; true when there are rows to print.
   */
  private noteGroupState(group: string, state: string, rows: number): boolean {
    switch (state) {
      case 'Dead':
        this.error(`Consumer group '${group}' does not exist.`);
        return false;
      case 'Empty':
        this.deps.stderr(`\nConsumer group '${group}' has no active members.\n`);
        break;
      case 'PreparingRebalance':
      case 'CompletingRebalance':
      case 'Assigning':
      case 'Reconciling':
        this.deps.stderr(`\nWarning: Consumer group '${group}' is rebalancing.\n`);
        break;
      case 'Stable':
        break;
      default:
        throw new CommandFailure(`Expected a valid consumer group state, but found '${state}'.`);
    }
    return rows > 0;
  }

  // --delete ----------------------------------------------------------------------------------

  private async delete(): Promise<void> {
    const ids = await this.selectedGroups();
    const results = await this.admin.deleteGroups(ids);
    const ok = ids.filter((g) => results.get(g) === null);
    const failed = ids.filter((g) => results.get(g) !== null);
    const quoted = (list: readonly string[]): string => list.map((g) => `'${g}'`).join(', ');
    if (failed.length === 0) {
      this.deps.stdout(`Deletion of requested consumer groups (${quoted(ok)}) was successful.\n`);
      return;
    }
    this.error('Deletion of some consumer groups failed:');
    for (const g of failed) {
      const e = results.get(g)!;
      this.deps.stderr(`* Group '${g}' could not be deleted due to: ${e.name}: ${e.detail}\n`);
    }
    if (ok.length > 0) this.deps.stdout(`\nThese consumer groups were deleted successfully: ${quoted(ok)}\n`);
  }

  // --reset-offsets ---------------------------------------------------------------------------

  private async resetOffsets(): Promise<void> {
    const ids = await this.selectedGroups();
    const descriptions = await this.describeConsumerGroups(ids);
    const rows: ResetRow[] = [];
    for (const d of descriptions) {
      if (d.state !== 'Empty' && d.state !== 'Dead') {
        this.error(
          `Assignments can only be reset if the group '${d.groupId}' is inactive, but the current state is ${d.state}.`,
        );
        continue;
      }
      const partitions = await this.partitionsToReset(d.groupId);
      const offsets = await this.newOffsets(d.groupId, partitions, this.args.scenario!);
      if (this.args.execute && offsets.length > 0) await this.admin.commitOffsets(d.groupId, offsets);
      for (const o of offsets) rows.push({ group: d.groupId, ...o });
    }
    this.deps.stdout(formatResetPlan(descriptions.length, rows));
  }

  /** The scope: the group's committed partitions (--all-topics) or the --topic arguments. */
  private async partitionsToReset(groupId: string): Promise<TopicPartition[]> {
    const scopes = this.args.topics;
    if (scopes === null)
      return (await this.admin.fetchOffsets(groupId)).map(({ topic, partition }) => ({ topic, partition }));
    const topics = [...new Set(scopes.map((s) => s.topic))];
    const existing = await this.admin.partitionsOf(topics);
    const out = new Map<string, TopicPartition>();
    for (const s of scopes) {
      const all = existing.get(s.topic)!;
      for (const partition of s.partitions ?? all) {
        if (!all.includes(partition)) {
          throw new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, {
            subject: `topic-partition ${s.topic}-${partition}`,
          });
        }
        out.set(tpKey({ topic: s.topic, partition }), { topic: s.topic, partition });
      }
    }
    return [...out.values()].sort(compareTopicPartitions);
  }

  private async newOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
    scenario: ResetScenario,
  ): Promise<{ topic: string; partition: number; offset: number }[]> {
    if (partitions.length === 0) return [];
    const at = async (timestamp: number): Promise<Map<string, number>> =>
      new Map(
        (await this.admin.listOffsets(partitions.map((tp) => ({ ...tp, timestamp })))).map((r) => [tpKey(r), r.offset]),
      );
    const result = (pick: (tp: TopicPartition) => number): { topic: string; partition: number; offset: number }[] =>
      partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, offset: pick(tp) }));
    switch (scenario.kind) {
      case 'to-earliest': {
        const start = await at(OffsetSpec.EARLIEST);
        return result((tp) => start.get(tpKey(tp))!);
      }
      case 'to-latest': {
        const end = await at(OffsetSpec.LATEST);
        return result((tp) => end.get(tpKey(tp))!);
      }
      case 'to-offset':
        return this.clamped(partitions, () => scenario.offset, at);
      case 'shift-by': {
        const committed = await this.committedMap(groupId);
        return this.clamped(
          partitions,
          (tp) => {
            const cur = committed.get(tpKey(tp));
            if (cur === undefined) {
              throw new CommandFailure(
                `Cannot shift offset for partition ${formatTopicPartition(tp)} since there is no current committed offset`,
              );
            }
            return cur + scenario.shift;
          },
          at,
        );
      }
      case 'to-current': {
        const committed = await this.committedMap(groupId);
        const end = await at(OffsetSpec.LATEST);
        return result((tp) => committed.get(tpKey(tp)) ?? end.get(tpKey(tp))!);
      }
      case 'to-datetime':
        return this.byTimestamp(partitions, scenario.timestamp, at);
      case 'by-duration':
        return this.byTimestamp(partitions, this.deps.clock.now() - scenario.durationMs, at);
    }
  }

  /** Offsets by timestamp; a partition with no record at or after it falls back to its log end offset. */
  private async byTimestamp(
    partitions: readonly TopicPartition[],
    timestamp: number,
    at: (timestamp: number) => Promise<Map<string, number>>,
  ): Promise<{ topic: string; partition: number; offset: number }[]> {
    const found = await at(timestamp);
    const missing = partitions.filter((tp) => (found.get(tpKey(tp)) ?? -1) < 0);
    for (const tp of missing) {
      this.deps.stdout(
        `\nWarn: Partition ${tp.partition} from topic ${tp.topic} is empty. Falling back to latest known offset.\n`,
      );
    }
    const end = missing.length > 0 ? await at(OffsetSpec.LATEST) : new Map<string, number>();
    return partitions.map((tp) => {
      const o = found.get(tpKey(tp)) ?? -1;
      return { topic: tp.topic, partition: tp.partition, offset: o >= 0 ? o : end.get(tpKey(tp))! };
    });
  }

  /** Requested offsets kept between the log start and end offsets, with Kafka's warnings. */
  private async clamped(
    partitions: readonly TopicPartition[],
    requested: (tp: TopicPartition) => number,
    at: (timestamp: number) => Promise<Map<string, number>>,
  ): Promise<{ topic: string; partition: number; offset: number }[]> {
    const wanted = partitions.map((tp) => ({ tp, offset: requested(tp) }));
    const [start, end] = await Promise.all([at(OffsetSpec.EARLIEST), at(OffsetSpec.LATEST)]);
    return wanted.map(({ tp, offset }) => {
      const lo = start.get(tpKey(tp))!;
      const hi = end.get(tpKey(tp))!;
      let value = offset;
      if (offset > hi) {
        this.deps.stderr(
          `WARN: New offset (${offset}) is higher than latest offset for topic partition ${formatTopicPartition(tp)}. Value will be set to ${hi}\n`,
        );
        value = hi;
      } else if (offset < lo) {
        this.deps.stderr(
          `WARN: New offset (${offset}) is lower than earliest offset for topic partition ${formatTopicPartition(tp)}. Value will be set to ${lo}\n`,
        );
        value = lo;
      }
      return { topic: tp.topic, partition: tp.partition, offset: value };
    });
  }

  private async committedMap(groupId: string): Promise<Map<string, number>> {
    const committed = await this.admin.fetchOffsets(groupId);
    return new Map(committed.filter((c) => c.offset >= 0).map((c) => [tpKey(c), c.offset]));
  }

  // Shared ------------------------------------------------------------------------------------

  /** --group values in the order given, or every consumer group (sorted) for --all-groups. */
  private async selectedGroups(): Promise<string[]> {
    if (!this.args.allGroups) return [...new Set(this.args.groups)];
    const groups = (await this.admin.listGroups()).filter(isConsumerGroup);
    return groups.map((g) => g.groupId).sort(compareStrings);
  }

  /** Describes groups, refusing groups of other protocols (Kafka Connect's, ...). */
  private async describeConsumerGroups(ids: readonly string[]): Promise<GroupDescription[]> {
    const descriptions = await this.admin.describeGroups(ids);
    for (const d of descriptions) {
      if (d.protocolType !== '' && d.protocolType !== CONSUMER_PROTOCOL_TYPE) {
        throw new CommandFailure(
          `Group '${d.groupId}' is not a consumer group (its protocol type is '${d.protocolType}').`,
        );
      }
    }
    return descriptions;
  }

  /** Log end offsets of the partitions that exist and have a leader; the others are left out ("-"). */
  private async logEndOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    if (partitions.length === 0) return new Map();
    const meta = await this.client.retry(() => this.client.metadata([...new Set(partitions.map((p) => p.topic))]));
    const live = partitions.filter((tp) => {
      const t = meta.topics.get(tp.topic);
      const p = t?.errorCode === ErrorCode.NONE ? t.partitions.find((x) => x.partition === tp.partition) : undefined;
      return p !== undefined && p.leaderId >= 0;
    });
    if (live.length === 0) return new Map();
    const ends = await this.admin.listOffsets(live.map((tp) => ({ ...tp, timestamp: OffsetSpec.LATEST })));
    return new Map(ends.map((r) => [tpKey(r), r.offset]));
  }
}

function isConsumerGroup(g: { protocolType: string }): boolean {
  return g.protocolType === CONSUMER_PROTOCOL_TYPE || g.protocolType === '';
}

function tpKey(tp: TopicPartition): string {
  return `${tp.partition}:${tp.topic}`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
