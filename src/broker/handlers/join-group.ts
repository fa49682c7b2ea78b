import { joinError } from '../../coordinator/classic-group.ts';
import type { JoinGroupResult } from '../../coordinator/group-types.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { JoinGroupRequest, JoinGroupResponse } from '../../protocol/messages/generated/join-group.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/** Kafka reports client addresses as Java's InetAddress.toString() does: `/127.0.0.1`. */
export function kafkaClientHost(ctx: RequestContext): string {
  return `/${ctx.clientHost}`;
}

/**
 * JoinGroup (key 11), v0-9. v0 has no rebalance timeout (the session timeout stands in); v4+
 * members without a group instance id get MEMBER_ID_REQUIRED and a member id first (KIP-394);
 * v5+ carry group.instance.id (static membership, KIP-345); v7+ answer the protocol type and a
 * nullable protocol name; v9 may tell a rejoining static leader to skip the assignment (KIP-814).
 */
async function handleJoinGroup(ctx: RequestContext, req: JoinGroupRequest): Promise<JoinGroupResponse> {
  const v = ctx.apiVersion;
  const groupInstanceId = v >= 5 ? (req.groupInstanceId ?? null) : null;
  const r = await fullServices(ctx).groupCoordinator.joinGroup({
    groupId: req.groupId,
    memberId: req.memberId,
    groupInstanceId,
    requireKnownMemberId: v >= 4 && groupInstanceId === null,
    supportSkippingAssignment: v >= 9,
    clientId: ctx.clientId ?? '',
    clientHost: kafkaClientHost(ctx),
    rebalanceTimeoutMs: v >= 1 ? (req.rebalanceTimeoutMs ?? req.sessionTimeoutMs) : req.sessionTimeoutMs,
    sessionTimeoutMs: req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols,
    reason: req.reason ?? null,
  });
  return joinResponse(r, v);
}

function joinResponse(r: JoinGroupResult, v: number): JoinGroupResponse {
  const out: JoinGroupResponse = {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: r.protocolType,
    // Before v7 the protocol name is not nullable: '' stands for none.
    protocolName: v >= 7 ? r.protocolName : (r.protocolName ?? ''),
    leader: r.leaderId,
    memberId: r.memberId,
    members: r.members,
  };
  if (r.skipAssignment) out.skipAssignment = true;
  return out;
}

export const joinGroup = defineHandler(ApiKey.JoinGroup, 0, 9, handleJoinGroup, {
  errorResponse: (req, errorCode, ctx) => joinResponse(joinError(req.memberId, errorCode), ctx.apiVersion),
});
