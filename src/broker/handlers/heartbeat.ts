import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { HeartbeatRequest, HeartbeatResponse } from '../../protocol/messages/generated/heartbeat.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/**
 * Heartbeat (key 12), v0-4: keeps a member's session alive. REBALANCE_IN_PROGRESS tells it to
 * rejoin; ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID and FENCED_INSTANCE_ID (v3+ static members) that
 * it lost its place. Answered synchronously.
 */
function handleHeartbeat(ctx: RequestContext, req: HeartbeatRequest): HeartbeatResponse {
  const errorCode = fullServices(ctx).groupCoordinator.heartbeat(
    req.groupId,
    req.memberId,
    ctx.apiVersion >= 3 ? (req.groupInstanceId ?? null) : null,
    req.generationId,
  );
  return { throttleTimeMs: 0, errorCode };
}

export const heartbeat = defineHandler(ApiKey.Heartbeat, 0, 4, handleHeartbeat);
