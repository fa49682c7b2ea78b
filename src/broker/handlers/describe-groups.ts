import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  DescribeGroupsResponseDescribedGroup,
} from '../../protocol/messages/generated/describe-groups.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/** No authorizer: every group operation is allowed (READ 3, DELETE 6, DESCRIBE 8, as Kafka numbers them). */
const ALL_GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);
const NOT_REQUESTED = -2147483648;

/**
 * DescribeGroups (key 15), v0-5: per group its state, protocol type, chosen protocol and members
 * (client id, host, and — when Stable — each member's metadata and assignment). A group that
 * does not exist is described as Dead with no members; a group coordinated elsewhere answers
 * NOT_COORDINATOR. v3+ may ask for the authorized operations; v4+ list group instance ids.
 */
function handleDescribeGroups(ctx: RequestContext, req: DescribeGroupsRequest): DescribeGroupsResponse {
  const coordinator = fullServices(ctx).groupCoordinator;
  const withOps = ctx.apiVersion >= 3 && req.includeAuthorizedOperations === true;
  return {
    throttleTimeMs: 0,
    groups: req.groups.map((groupId): DescribeGroupsResponseDescribedGroup => {
      const d = coordinator.describeGroup(groupId);
      const out: DescribeGroupsResponseDescribedGroup = {
        errorCode: d.errorCode,
        groupId,
        groupState: d.state,
        protocolType: d.protocolType,
        protocolData: d.protocol,
        members: d.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
      };
      if (withOps && d.errorCode === ErrorCode.NONE) out.authorizedOperations = ALL_GROUP_OPERATIONS;
      else if (ctx.apiVersion >= 3) out.authorizedOperations = NOT_REQUESTED;
      return out;
    }),
  };
}

export const describeGroups = defineHandler(ApiKey.DescribeGroups, 0, 5, handleDescribeGroups, {
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    groups: req.groups.map((groupId) => ({
      errorCode,
      groupId,
      groupState: '',
      protocolType: '',
      protocolData: '',
      members: [],
    })),
  }),
});
