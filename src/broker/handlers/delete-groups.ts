import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../../protocol/messages/generated/delete-groups.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/**
 * DeleteGroups (key 42), v0-2: removes Empty groups and their committed offsets (tombstones are
 * written to __consumer_offsets before the answer). NON_EMPTY_GROUP for a group with members,
 * GROUP_ID_NOT_FOUND for one that does not exist, NOT_COORDINATOR for one coordinated elsewhere.
 * A name given twice is answered once.
 */
async function handleDeleteGroups(ctx: RequestContext, req: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
  const groupIds = [...new Set(req.groupsNames)];
  const errors = await fullServices(ctx).groupCoordinator.deleteGroups(groupIds);
  return { throttleTimeMs: 0, results: groupIds.map((groupId, i) => ({ groupId, errorCode: errors[i]! })) };
}

export const deleteGroups = defineHandler(ApiKey.DeleteGroups, 0, 2, handleDeleteGroups, {
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    results: [...new Set(req.groupsNames)].map((groupId) => ({ groupId, errorCode })),
  }),
});
