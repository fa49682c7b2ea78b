/**
 * The tables `samsa consumer-groups` prints, laid out as Kafka 3.9's kafka-consumer-groups.sh
 * lays them out (ConsumerGroupCommand): left-aligned columns padded with spaces to a width that is
 * at least the column's minimum and at least its longest value, one space between columns, "-"
 * for a missing value, each table preceded by an empty line. Pure functions from rows to text.
 *
 * Where Kafka 3.9's Java port lost a newline or a topic name that the Scala tool had and later
 * Kafka versions restored (--reset-offsets rows, --members --verbose), the restored form is used.
 */

export const MISSING = '-';

/** Java's `%-Ns`: pad right to `width`, never cut. */
function pad(text: string, width: number): string {
  return text.padEnd(width);
}

function widest(min: number, values: Iterable<string>): number {
  let w = min;
  for (const v of values) w = Math.max(w, v.length);
  return w;
}

/** `--list --state`: GROUP (at least 15 wide, plus 10) and STATE (20 wide). */
export function formatGroupStates(rows: readonly { readonly groupId: string; readonly state: string }[]): string {
  const groupWidth =
    widest(
      15,
      rows.map((r) => r.groupId),
    ) + 10;
  const line = (g: string, s: string): string => `${pad(g, groupWidth)} ${pad(s, 20)}\n`;
  return line('GROUP', 'STATE') + rows.map((r) => line(r.groupId, r.state)).join('');
}

/** One row of `--describe [--offsets]`. Null fields print as "-". */
export interface OffsetRow {
  readonly group: string;
  readonly topic: string | null;
  readonly partition: number | null;
  readonly currentOffset: number | null;
  readonly logEndOffset: number | null;
  readonly lag: number | null;
  readonly consumerId: string;
  readonly host: string;
  readonly clientId: string;
}

/** `--describe`: GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID. */
export function formatOffsets(rows: readonly OffsetRow[]): string {
  const gw = widest(
    15,
    rows.map((r) => r.group),
  );
  const tw = widest(
    15,
    rows.map((r) => r.topic ?? MISSING),
  );
  const cw = widest(
    15,
    rows.map((r) => r.consumerId),
  );
  const hw = widest(
    15,
    rows.map((r) => r.host),
  );
  const line = (cols: readonly string[]): string =>
    `\n${pad(cols[0]!, gw)} ${pad(cols[1]!, tw)} ${pad(cols[2]!, 10)} ${pad(cols[3]!, 15)} ${pad(cols[4]!, 15)} ${pad(cols[5]!, 15)} ${pad(cols[6]!, cw)} ${pad(cols[7]!, hw)} ${cols[8]!}`;
  const text = (n: number | null): string => (n === null ? MISSING : String(n));
  let out = line([
    'GROUP',
    'TOPIC',
    'PARTITION',
    'CURRENT-OFFSET',
    'LOG-END-OFFSET',
    'LAG',
    'CONSUMER-ID',
    'HOST',
    'CLIENT-ID',
  ]);
  for (const r of rows) {
    out += line([
      r.group,
      r.topic ?? MISSING,
      text(r.partition),
      text(r.currentOffset),
      text(r.logEndOffset),
      text(r.lag),
      r.consumerId,
      r.host,
      r.clientId,
    ]);
  }
  return `${out}\n`;
}

/** One member for `--describe --members`. */
export interface MemberRow {
  readonly group: string;
  readonly consumerId: string;
  /** '' when the member has none. */
  readonly groupInstanceId: string;
  readonly host: string;
  readonly clientId: string;
  readonly assignment: readonly { readonly topic: string; readonly partition: number }[];
}

/**
 * `--describe --members`: GROUP CONSUMER-ID [GROUP-INSTANCE-ID] HOST CLIENT-ID #PARTITIONS, the
 * GROUP-INSTANCE-ID column only when some member is static; `verbose` adds ASSIGNMENT
 * (`topic(0,1), other(2)`). Kafka prints the header even when there are no rows to show.
 */
export function formatMembers(rows: readonly MemberRow[], verbose: boolean): string {
  const gw = widest(
    15,
    rows.map((r) => r.group),
  );
  const cw = widest(
    15,
    rows.map((r) => r.consumerId),
  );
  const iw = widest(
    17,
    rows.map((r) => r.groupInstanceId),
  );
  const hw = widest(
    15,
    rows.map((r) => r.host),
  );
  const lw = widest(
    15,
    rows.map((r) => r.clientId),
  );
  const withInstance = rows.some((r) => r.groupInstanceId !== '');
  const cols = (group: string, id: string, instance: string, host: string, client: string, n: string): string =>
    withInstance
      ? `${pad(group, gw)} ${pad(id, cw)} ${pad(instance, iw)} ${pad(host, hw)} ${pad(client, lw)} ${pad(n, 15)} `
      : `${pad(group, gw)} ${pad(id, cw)} ${pad(host, hw)} ${pad(client, lw)} ${pad(n, 15)} `;
  let out = `\n${cols('GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS')}`;
  if (verbose) out += 'ASSIGNMENT';
  out += '\n';
  for (const r of rows) {
    out += cols(r.group, r.consumerId, r.groupInstanceId, r.host, r.clientId, String(r.assignment.length));
    if (verbose) out += formatAssignment(r.assignment);
    out += '\n';
  }
  return out;
}

/** `topic(0,1), other(2)`: topics sorted, partitions sorted; "-" when empty. */
export function formatAssignment(
  assignment: readonly { readonly topic: string; readonly partition: number }[],
): string {
  if (assignment.length === 0) return MISSING;
  const byTopic = new Map<string, number[]>();
  for (const tp of assignment) {
    let list = byTopic.get(tp.topic);
    if (list === undefined) byTopic.set(tp.topic, (list = []));
    list.push(tp.partition);
  }
  return [...byTopic]
    .map(([topic, ps]) => `${topic}(${ps.sort((a, b) => a - b).join(',')})`)
    .sort()
    .join(', ');
}

/** The figures of `--describe --state`. */
export interface GroupStateRow {
  readonly group: string;
  /** `host:port  (id)`, as Kafka prints a coordinator node. */
  readonly coordinator: string;
  readonly assignmentStrategy: string;
  readonly state: string;
  readonly members: number;
}

/** `--describe --state`: GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS (Kafka 3.9's widths). */
export function formatGroupState(r: GroupStateRow): string {
  const first = Math.max(25, r.coordinator.length);
  const line = (a: string, b: string, c: string, d: string, e: string): string =>
    `\n${pad(a, first)} ${pad(b, 25)} ${pad(c, 20)} ${pad(d, 15)} ${e}`;
  return `${line('GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS')}${line(
    r.group,
    r.coordinator,
    r.assignmentStrategy,
    r.state,
    String(r.members),
  )}\n`;
}

/** One new offset of `--reset-offsets`. */
export interface ResetRow {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * `--reset-offsets`: GROUP TOPIC PARTITION NEW-OFFSET in fixed widths (30, 30, 10, 15). Kafka
 * prints the header whenever a group was processed, even one whose reset was refused.
 */
export function formatResetPlan(groupsProcessed: number, rows: readonly ResetRow[]): string {
  if (groupsProcessed === 0) return '';
  const line = (g: string, t: string, p: string, o: string): string =>
    `\n${pad(g, 30)} ${pad(t, 30)} ${pad(p, 10)} ${pad(o, 15)}`;
  let out = line('GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET');
  for (const r of rows) out += line(r.group, r.topic, String(r.partition), String(r.offset));
  return `${out}\n`;
}
