import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { SyncGroupRequest, SyncGroupResponse } from '../../protocol/messages/generated/sync-group.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * SyncGroup (key 14), v0-5: the leader sends the assignment, every member gets its own part once
 * the assignment is written to __consumer_offsets. v3+ carry group.instance.id; v5 must name the
 * protocol type and name (INCONSISTENT_GROUP_PROTOCOL when absent or different).
 */
async function handleSyncGroup(ctx: RequestContext, req: SyncGroupRequest): Promise<SyncGroupResponse> {
  const v = ctx.apiVersion;
  if (v >= 5 && (req.protocolType == null || req.protocolName == null)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, assignment: EMPTY };
  }
  const r = await fullServices(ctx).groupCoordinator.syncGroup({
    groupId: req.groupId,
    generationId: req.generationId,
    memberId: req.memberId,
    groupInstanceId: v >= 3 ? (req.groupInstanceId ?? null) : null,
    protocolType: v >= 5 ? (req.protocolType ?? null) : null,
    protocolName: v >= 5 ? (req.protocolName ?? null) : null,
    assignments: new Map(req.assignments.map((a) => [a.memberId, a.assignment])),
  });
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    protocolType: r.protocolType,
    protocolName: r.protocolName,
    assignment: r.assignment,
  };
}

export const syncGroup = defineHandler(ApiKey.SyncGroup, 0, 5, handleSyncGroup, {
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, assignment: EMPTY }),
});
