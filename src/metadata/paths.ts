/**
 * Every coordination path Samsa uses and the payload stored there, in one place. The layout and
 * the JSON payloads follow Kafka's ZooKeeper layout (kafka/zk/ZkData.scala), so tools that read
 * a Kafka ZooKeeper tree recognise Samsa's.
 *
 *   /cluster/id                                   {"version":"1","id":"<cluster id>"}
 *   /controller                    (ephemeral)    {"version":2,"brokerid":1,"timestamp":"<ms>"}
 *   /controller_epoch                             "<epoch>"
 *   /brokers/ids/<id>              (ephemeral)    broker registration (host, port, endpoints, rack)
 *   /brokers/topics/<topic>                       {"version":3,"topic_id":"…","partitions":{"0":[1,2]}, …}
 *   /brokers/topics/<topic>/partitions/<p>/state  {"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1]}
 *   /config/topics/<topic>                        {"version":1,"config":{"retention.ms":"1000"}}
 *   /admin/delete_topics/<topic>                  (empty; a pending deletion)
 *   /latest_producer_id_block                     {"version":1,"broker":1,"block_start":"0","block_end":"999"}
 */
import { MetadataError } from './metadata-store.ts';

export const Paths = {
  clusterId: '/cluster/id',
  controller: '/controller',
  controllerEpoch: '/controller_epoch',
  brokerIds: '/brokers/ids',
  broker: (id: number) => `/brokers/ids/${id}`,
  topics: '/brokers/topics',
  topic: (topic: string) => `/brokers/topics/${topic}`,
  topicPartitions: (topic: string) => `/brokers/topics/${topic}/partitions`,
  partitionState: (topic: string, partition: number) => `/brokers/topics/${topic}/partitions/${partition}/state`,
  topicConfigs: '/config/topics',
  topicConfig: (topic: string) => `/config/topics/${topic}`,
  deleteTopics: '/admin/delete_topics',
  deleteTopic: (topic: string) => `/admin/delete_topics/${topic}`,
  producerIdBlock: '/latest_producer_id_block',
} as const;

/** Paths that must exist before brokers start using the tree. */
export const PERSISTENT_PATHS: readonly string[] = [
  '/cluster',
  Paths.brokerIds,
  Paths.topics,
  Paths.topicConfigs,
  Paths.deleteTopics,
];

function parse(path: string, data: Buffer): Record<string, unknown> {
  try {
    const v = JSON.parse(data.toString('utf8'));
    if (typeof v === 'object' && v !== null) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new MetadataError('BAD_PATH', path, `unreadable payload at ${path}`);
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export interface BrokerRegistration {
  id: number;
  host: string;
  port: number;
  rack: string | null;
  /** Wall-clock ms of registration. */
  timestamp: number;
}

export function encodeBrokerRegistration(b: BrokerRegistration): Buffer {
  return json({
    version: 5,
    host: b.host,
    port: b.port,
    jmx_port: -1,
    timestamp: String(b.timestamp),
    endpoints: [`PLAINTEXT://${b.host}:${b.port}`],
    listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
    rack: b.rack,
  });
}

export function decodeBrokerRegistration(id: number, data: Buffer): BrokerRegistration {
  const v = parse(Paths.broker(id), data);
  return {
    id,
    host: String(v['host']),
    port: Number(v['port']),
    rack: typeof v['rack'] === 'string' ? v['rack'] : null,
    timestamp: Number(v['timestamp']),
  };
}

export interface TopicAssignment {
  topicId: string;
  /** Partition → replica broker ids, the first being the preferred leader. */
  partitions: Map<number, number[]>;
}

export function encodeTopicAssignment(a: TopicAssignment): Buffer {
  const partitions: Record<string, number[]> = {};
  for (const [p, replicas] of [...a.partitions].sort((x, y) => x[0] - y[0])) partitions[String(p)] = replicas;
  return json({ version: 3, topic_id: a.topicId, partitions, adding_replicas: {}, removing_replicas: {} });
}

export function decodeTopicAssignment(topic: string, data: Buffer): TopicAssignment {
  const v = parse(Paths.topic(topic), data);
  const partitions = new Map<number, number[]>();
  for (const [p, replicas] of Object.entries((v['partitions'] ?? {}) as Record<string, number[]>)) {
    partitions.set(Number(p), replicas.map(Number));
  }
  return { topicId: String(v['topic_id'] ?? ''), partitions };
}

export interface PartitionState {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  controllerEpoch: number;
}

export function encodePartitionState(s: PartitionState): Buffer {
  return json({
    controller_epoch: s.controllerEpoch,
    leader: s.leader,
    version: 1,
    leader_epoch: s.leaderEpoch,
    isr: s.isr,
  });
}

export function decodePartitionState(path: string, data: Buffer): PartitionState {
  const v = parse(path, data);
  return {
    leader: Number(v['leader']),
    leaderEpoch: Number(v['leader_epoch']),
    isr: ((v['isr'] ?? []) as number[]).map(Number),
    controllerEpoch: Number(v['controller_epoch']),
  };
}

export function encodeTopicConfig(config: ReadonlyMap<string, string>): Buffer {
  return json({ version: 1, config: Object.fromEntries([...config].sort((a, b) => a[0].localeCompare(b[0]))) });
}

export function decodeTopicConfig(topic: string, data: Buffer): Map<string, string> {
  const v = parse(Paths.topicConfig(topic), data);
  return new Map(Object.entries((v['config'] ?? {}) as Record<string, string>).map(([k, val]) => [k, String(val)]));
}

export function encodeClusterId(id: string): Buffer {
  return json({ version: '1', id });
}

export function decodeClusterId(data: Buffer): string {
  return String(parse(Paths.clusterId, data)['id']);
}

export function encodeController(brokerId: number, timestamp: number): Buffer {
  return json({ version: 2, brokerid: brokerId, timestamp: String(timestamp) });
}

export function decodeController(data: Buffer): number {
  return Number(parse(Paths.controller, data)['brokerid']);
}

export interface ProducerIdBlock {
  brokerId: number;
  blockStart: number;
  blockEnd: number;
}

export function encodeProducerIdBlock(b: ProducerIdBlock): Buffer {
  return json({ version: 1, broker: b.brokerId, block_start: String(b.blockStart), block_end: String(b.blockEnd) });
}

export function decodeProducerIdBlock(data: Buffer): ProducerIdBlock {
  const v = parse(Paths.producerIdBlock, data);
  return { brokerId: Number(v['broker']), blockStart: Number(v['block_start']), blockEnd: Number(v['block_end']) };
}
