import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { ListGroupsRequest, ListGroupsResponse } from '../../protocol/messages/generated/list-groups.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/**
 * ListGroups (key 16), v0-5: the groups this broker coordinates, with their protocol type; v4+
 * their state and an optional state filter (KIP-518), v5 their type ("classic") and a type
 * filter (KIP-848). Filters match case-insensitively. COORDINATOR_LOAD_IN_PROGRESS (with the
 * groups loaded so far) while a partition is still loading.
 */
function handleListGroups(ctx: RequestContext, req: ListGroupsRequest): ListGroupsResponse {
  const v = ctx.apiVersion;
  const r = fullServices(ctx).groupCoordinator.listGroups(
    v >= 4 ? (req.statesFilter ?? []) : [],
    v >= 5 ? (req.typesFilter ?? []) : [],
  );
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    groups: r.groups.map((g) => ({
      groupId: g.groupId,
      protocolType: g.protocolType,
      groupState: g.state,
      groupType: g.groupType,
    })),
  };
}

export const listGroups = defineHandler(ApiKey.ListGroups, 0, 5, handleListGroups);
