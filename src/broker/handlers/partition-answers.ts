/**
 * Per-partition answers of OffsetCommit and OffsetDelete, shaped as Kafka shapes them: one topic
 * entry per topic name (in order of first appearance, even when the request names a topic twice).
 * Partitions a request names twice get one answer each time they fail the broker's own checks
 * (unknown topic or partition), but one answer only from the coordinator, which takes them as a
 * map. Answers keep the request's order (Kafka's is its hash maps').
 */
export class PartitionAnswers {
  private readonly topics = new Map<string, { partitionIndex: number; errorCode: number }[]>();

  /** Adds an answer; its error code may still be changed through the returned object. */
  add(topic: string, partitionIndex: number, errorCode: number): { errorCode: number } {
    let partitions = this.topics.get(topic);
    if (partitions === undefined) {
      partitions = [];
      this.topics.set(topic, partitions);
    }
    const answer = { partitionIndex, errorCode };
    partitions.push(answer);
    return answer;
  }

  toTopics(): { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] {
    return [...this.topics].map(([name, partitions]) => ({ name, partitions }));
  }
}

/** Map key of a topic-partition. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
