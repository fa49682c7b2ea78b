import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  DescribeClusterRequest,
  DescribeClusterResponse,
} from '../../protocol/messages/generated/describe-cluster.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/** DescribeCluster endpoint types (v1+). */
export const EndpointType = { UNKNOWN: 0, BROKER: 1, CONTROLLER: 2 } as const;

/**
 * What a cluster authorizes with no authorizer configured — every operation Kafka supports on
 * the cluster resource (ALTER, ALTER_CONFIGS, CLUSTER_ACTION, CREATE, DESCRIBE, DESCRIBE_CONFIGS,
 * IDEMPOTENT_WRITE) as a bit field of AclOperation codes.
 */
export const ALL_CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0);
/** The schema's "not requested" value for authorized-operation fields. */
const OPERATIONS_NOT_REQUESTED = -2147483648;

/**
 * DescribeCluster (key 60), v0-1: the cluster id, the controller's id and the live brokers (from
 * this broker's metadata cache), as Kafka's KafkaApis.handleDescribeCluster. v1 adds the endpoint
 * type: a broker answers for brokers (1); controllers (2) → MISMATCHED_ENDPOINT_TYPE, any other
 * → UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST at v0, which cannot ask).
 */
function handleDescribeCluster(ctx: RequestContext, req: DescribeClusterRequest): DescribeClusterResponse {
  const s = fullServices(ctx);
  const v = ctx.apiVersion;
  const asked = v >= 1 ? (req.endpointType ?? EndpointType.BROKER) : EndpointType.BROKER;
  const refuse = (code: number, message: string): DescribeClusterResponse => ({
    throttleTimeMs: 0,
    errorCode: v === 0 ? ErrorCode.INVALID_REQUEST : code,
    errorMessage: message,
    endpointType: EndpointType.BROKER,
    clusterId: '',
    controllerId: -1,
    brokers: [],
    clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  });
  if (asked === EndpointType.CONTROLLER) {
    return refuse(
      ErrorCode.MISMATCHED_ENDPOINT_TYPE,
      'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER',
    );
  }
  if (asked !== EndpointType.BROKER) {
    return refuse(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, `Unsupported endpoint type ${asked}`);
  }
  const cache = s.metadataCache;
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    endpointType: EndpointType.BROKER,
    clusterId: cache.clusterId,
    controllerId: cache.controllerId,
    brokers: cache.brokers().map((b) => ({ brokerId: b.id, host: b.host, port: b.port, rack: b.rack })),
    clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
      ? ALL_CLUSTER_OPERATIONS
      : OPERATIONS_NOT_REQUESTED,
  };
}

export const describeCluster = defineHandler(ApiKey.DescribeCluster, 0, 1, handleDescribeCluster);
