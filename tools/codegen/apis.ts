/**
 * What the generator generates. To add an API, add its name here (the spec files are
 * `<Name>Request.json` and `<Name>Response.json`) and rerun `npm run codegen`.
 */
export const API_NAMES: readonly string[] = [
  'Produce',
  'Fetch',
  'ListOffsets',
  'Metadata',
  'LeaderAndIsr',
  'StopReplica',
  'UpdateMetadata',
  'ControlledShutdown',
  'OffsetCommit',
  'OffsetFetch',
  'FindCoordinator',
  'JoinGroup',
  'Heartbeat',
  'LeaveGroup',
  'SyncGroup',
  'DescribeGroups',
  'ListGroups',
  'SaslHandshake',
  'ApiVersions',
  'CreateTopics',
  'DeleteTopics',
  'DeleteRecords',
  'InitProducerId',
  'OffsetForLeaderEpoch',
  'AddPartitionsToTxn',
  'AddOffsetsToTxn',
  'EndTxn',
  'WriteTxnMarkers',
  'TxnOffsetCommit',
  'DescribeAcls',
  'CreateAcls',
  'DeleteAcls',
  'DescribeConfigs',
  'AlterConfigs',
  'DescribeLogDirs',
  'SaslAuthenticate',
  'CreatePartitions',
  'DeleteGroups',
  'ElectLeaders',
  'IncrementalAlterConfigs',
  'ListPartitionReassignments',
  'OffsetDelete',
  'DescribeCluster',
  'DescribeProducers',
  'DescribeTransactions',
  'ListTransactions',
];

/** Standalone "data" specs (no API key, no header): the payloads group members exchange. */
export const DATA_NAMES: readonly string[] = ['ConsumerProtocolSubscription', 'ConsumerProtocolAssignment'];

/**
 * Header-version quirks (RequestHeader.json, ApiVersionsResponse.json): ControlledShutdown v0
 * uses request header v0 (no client id), and ApiVersions responses always use response header v0
 * so that a client can read the error whatever version it asked for.
 */
export const REQUEST_HEADER_V0: Readonly<Record<string, readonly number[]>> = { ControlledShutdown: [0] };
export const RESPONSE_HEADER_ALWAYS_V0: readonly string[] = ['ApiVersions'];
