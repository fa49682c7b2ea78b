/**
 * The one place that says which response fields may legitimately differ between Kafka and Samsa.
 * Each rule has a name and a reason; a rule rewrites a field's value into a placeholder that
 * keeps what matters (null stays null, zero stays zero, the Nth distinct generated id on one
 * broker matches the Nth on the other). A scenario may add its own rules, which must be listed
 * in docs/compatibility.md.
 *
 * Everything else is compared exactly, after turning Buffers into hex strings so that a
 * difference in record bytes is printed readably.
 */

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

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
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
