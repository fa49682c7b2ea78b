import type { LeavingMember } from '../../coordinator/group-types.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { LeaveGroupRequest, LeaveGroupResponse } from '../../protocol/messages/generated/leave-group.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/**
 * LeaveGroup (key 13), v0-5: the member leaves and the group rebalances at once. v0-2 name one
 * member and answer one error (the group's, else the member's); v3+ (KIP-345) name a batch of
 * members, by member id or — for admin removal of static members — by group instance id alone,
 * and answer per member.
 */
function handleLeaveGroup(ctx: RequestContext, req: LeaveGroupRequest): LeaveGroupResponse {
  const v = ctx.apiVersion;
  const leaving: LeavingMember[] =
    v >= 3
      ? (req.members ?? []).map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          reason: v >= 5 ? (m.reason ?? null) : null,
        }))
      : [{ memberId: req.memberId ?? '', groupInstanceId: null, reason: null }];
  const r = fullServices(ctx).groupCoordinator.leaveGroup(req.groupId, leaving);
  if (v >= 3) return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members };
  const memberError = r.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
  return { throttleTimeMs: 0, errorCode: r.errorCode !== ErrorCode.NONE ? r.errorCode : memberError };
}

export const leaveGroup = defineHandler(ApiKey.LeaveGroup, 0, 5, handleLeaveGroup, {
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, members: [] }),
});
