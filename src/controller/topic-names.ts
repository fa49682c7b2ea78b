/**
 * Topic name rules, as Kafka enforces them: 1-249 characters of [a-zA-Z0-9._-], not "." or "..",
 * and no two topics whose names differ only by '.' versus '_' (their metric names would clash).
 */
export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Returns why `name` is not a legal topic name, or null if it is. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`;
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** The form under which '.' and '_' collide. */
export function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

/** An existing topic whose name collides with `name` ('.' vs '_'), if any. */
export function collidingTopic(name: string, existing: Iterable<string>): string | null {
  const key = collisionKey(name);
  for (const t of existing) if (t !== name && collisionKey(t) === key) return t;
  return null;
}

/** Internal topics: clients may read them but not create, delete or (normally) write them. */
export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC = '__transaction_state';

export function isInternalTopic(name: string): boolean {
  return name === CONSUMER_OFFSETS_TOPIC || name === TRANSACTION_STATE_TOPIC;
}
