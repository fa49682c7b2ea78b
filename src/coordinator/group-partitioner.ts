/**
 * Which partition of `__consumer_offsets` holds a group — and so which broker coordinates it:
 * `abs(groupId.hashCode()) % offsets.topic.num.partitions`, exactly as Kafka computes it
 * (GroupMetadataManager.partitionFor), so a Samsa cluster and a Kafka cluster place the same group
 * on the same partition and a Kafka tool reading the topic finds it where it expects.
 */

/**
 * Java's `String.hashCode()`: `s[0]*31^(n-1) + … + s[n-1]` over the UTF-16 code units, in
 * 32-bit two's-complement arithmetic. JavaScript strings are UTF-16 too, so `charCodeAt` yields
 * the same units Java sees (a character outside the BMP counts as its two surrogates).
 */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: the absolute value, except that Integer.MIN_VALUE maps to 0. */
export function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** The `__consumer_offsets` partition of a group. */
export function groupPartition(groupId: string, numPartitions: number): number {
  return kafkaAbs(javaStringHashCode(groupId)) % numPartitions;
}
