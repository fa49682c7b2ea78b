import { CONSUMER_OFFSETS_TOPIC } from '../../controller/topic-names.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  FindCoordinatorRequest,
  FindCoordinatorResponse,
} from '../../protocol/messages/generated/find-coordinator.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { type FullBrokerServices, fullServices } from '../services.ts';

const GROUP_KEY = 0;
const TRANSACTION_KEY = 1;
const SHARE_KEY = 2;

interface Coordinator {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

const MESSAGES: Record<number, string> = {
  [ErrorCode.COORDINATOR_NOT_AVAILABLE]: 'The coordinator is not available.',
  [ErrorCode.INVALID_REQUEST]: 'Unknown coordinator type received.',
};

/**
 * The error message Kafka sends with an answer: up to v3 the error's name-or-text ("NONE" on
 * success); v4+ answers per key leave it empty, except those of a failed request (below).
 */
function messageFor(errorCode: number, version: number): string {
  if (version >= 4) return '';
  return errorCode === ErrorCode.NONE ? 'NONE' : (MESSAGES[errorCode] ?? '');
}

function failed(errorCode: number, version: number): Coordinator {
  return { errorCode, errorMessage: messageFor(errorCode, version), nodeId: -1, host: '', port: -1 };
}

/** A request Kafka rejects as a whole (unknown key type, ...): every key carries the error's text. */
function rejected(errorCode: number): Coordinator {
  return { errorCode, errorMessage: MESSAGES[errorCode] ?? null, nodeId: -1, host: '', port: -1 };
}

/**
 * Where a group's coordinator is: the leader of its `__consumer_offsets` partition, when that
 * broker is alive. When the topic does not exist yet, its creation is started (internal topics
 * are created whatever auto.create.topics.enable says) and the answer is COORDINATOR_NOT_AVAILABLE
 * until it has leaders, as in Kafka. Transaction coordinators do not exist yet:
 * COORDINATOR_NOT_AVAILABLE; share groups (v6) likewise; other key types INVALID_REQUEST.
 */
function lookup(s: FullBrokerServices, version: number, keyType: number, key: string): Coordinator {
  if (keyType === TRANSACTION_KEY) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE, version);
  if (keyType === SHARE_KEY && version >= 6) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE, version);
  if (keyType !== GROUP_KEY) return rejected(ErrorCode.INVALID_REQUEST);
  const topic = s.metadataCache.topic(CONSUMER_OFFSETS_TOPIC);
  if (topic === undefined) {
    s.topics.autoCreate([CONSUMER_OFFSETS_TOPIC], { waitMs: 0 }).catch((e: unknown) => {
      s.logger.warn(`creating ${CONSUMER_OFFSETS_TOPIC} failed: ${(e as Error).message}`);
    });
    return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE, version);
  }
  const leader = topic.partitions.get(s.groupCoordinator.partitionFor(key))?.leader ?? -1;
  const broker = leader >= 0 && s.metadataCache.isAlive(leader) ? s.metadataCache.broker(leader) : undefined;
  if (broker === undefined) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE, version);
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: messageFor(ErrorCode.NONE, version),
    nodeId: broker.id,
    host: broker.host,
    port: broker.port,
  };
}

/**
 * FindCoordinator (key 10), v0-6: v0 asks for a group; v1-3 name the key type; v4+ (KIP-699)
 * ask for many keys at once and get one answer per key.
 */
function handleFindCoordinator(ctx: RequestContext, req: FindCoordinatorRequest): FindCoordinatorResponse {
  const s = fullServices(ctx);
  const v = ctx.apiVersion;
  const keyType = v >= 1 ? (req.keyType ?? GROUP_KEY) : GROUP_KEY;
  if (v >= 4) {
    return {
      throttleTimeMs: 0,
      coordinators: (req.coordinatorKeys ?? []).map((key) => ({ key, ...lookup(s, v, keyType, key) })),
    };
  }
  return { throttleTimeMs: 0, ...lookup(s, v, keyType, req.key ?? '') };
}

export const findCoordinator = defineHandler(ApiKey.FindCoordinator, 0, 6, handleFindCoordinator, {
  errorResponse: (req, errorCode, ctx) =>
    ctx.apiVersion >= 4
      ? {
          throttleTimeMs: 0,
          coordinators: (req.coordinatorKeys ?? []).map((key) => ({ key, ...rejected(errorCode) })),
        }
      : { throttleTimeMs: 0, ...rejected(errorCode) },
});
