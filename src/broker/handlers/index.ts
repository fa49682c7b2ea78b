import type { Handler } from '../handler.ts';
import { alterConfigs } from './alter-configs.ts';
import { apiVersions } from './api-versions.ts';
import { createPartitions } from './create-partitions.ts';
import { createTopics } from './create-topics.ts';
import { deleteGroups } from './delete-groups.ts';
import { deleteRecords } from './delete-records.ts';
import { deleteTopics } from './delete-topics.ts';
import { describeCluster } from './describe-cluster.ts';
import { describeConfigs } from './describe-configs.ts';
import { describeGroups } from './describe-groups.ts';
import { describeLogDirs } from './describe-log-dirs.ts';
import { fetch } from './fetch.ts';
import { findCoordinator } from './find-coordinator.ts';
import { heartbeat } from './heartbeat.ts';
import { incrementalAlterConfigs } from './incremental-alter-configs.ts';
import { initProducerId } from './init-producer-id.ts';
import { joinGroup } from './join-group.ts';
import { leaveGroup } from './leave-group.ts';
import { listGroups } from './list-groups.ts';
import { listOffsets } from './list-offsets.ts';
import { metadata } from './metadata.ts';
import { offsetCommit } from './offset-commit.ts';
import { offsetDelete } from './offset-delete.ts';
import { offsetFetch } from './offset-fetch.ts';
import { offsetForLeaderEpoch } from './offset-for-leader-epoch.ts';
import { produce } from './produce.ts';
import { syncGroup } from './sync-group.ts';

/**
 * The handlers the broker serves, one per API, each declared in its own file with its version
 * range. ApiVersions advertises exactly these ranges, so adding a line here is what makes an API
 * (and its versions) visible to clients. Every advertised version must really work: clients pick
 * the highest one they share with us (@platformatic/kafka always does).
 *
 * Ranges to aim for, from reference/kafka-protocol/NOTES.md §2-4 (why in brackets):
 *
 *   API (key)                  range   constraints
 *   Produce (0)                3-9+    must include 3 [librdkafka MsgVer2 check], 7 [librdkafka zstd;
 *                                      kafka-python and kafkajs send 7], 8 [kafka-python guesses broker
 *                                      2.4 from it]; min 3 means no legacy message sets; 10-11 for
 *                                      @platformatic/kafka once KIP-951 leader hints are answered
 *   Fetch (1)                  4-12    must include 4 [kafka-python sends it; librdkafka MsgVer2] and 10
 *                                      [librdkafka zstd]; 11 [kafkajs, librdkafka; kafka-python guess 2.3];
 *                                      13+ only once topic ids work end to end (Metadata v10+)
 *   ListOffsets (2)            0-7     min ≤ 1 [librdkafka, kafka-python v1]; 5 [kafka-python guess 2.2]
 *   Metadata (3)               0-12    0 and 1 [kafka-python 2.0.2]; 10+ carries topic ids
 *   OffsetCommit (8)           0-9     min ≤ 2 [librdkafka overlap with 1-2; kafka-python v2]
 *   OffsetFetch (9)            0-9     min ≤ 1; 6+ flexible [librdkafka sends v7]; 8+ multi-group form
 *   FindCoordinator (10)       0-6     min 0 [librdkafka balanced consumer, LZ4 check]; 4+ batched keys
 *   JoinGroup (11)             0-9     min 0 [librdkafka]; 4+ MEMBER_ID_REQUIRED round trip
 *   Heartbeat (12)             0-4     min 0 [librdkafka]
 *   LeaveGroup (13)            0-5     min 0 [librdkafka]
 *   SyncGroup (14)             0-5     min 0 [librdkafka]
 *   DescribeGroups (15)        0-5
 *   ListGroups (16)            0-5
 *   SaslHandshake (17)         0-1     min 0 [librdkafka SASL check; kafka-python v0 + raw tokens]
 *   ApiVersions (18)           0-4     min 0 [librdkafka]; v0 fallback answer is in the dispatcher
 *   CreateTopics (19)          0-7
 *   DeleteTopics (20)          0-6
 *   DeleteRecords (21)         0-2
 *   InitProducerId (22)        0-5     min 0 [librdkafka idempotence check]
 *   OffsetForLeaderEpoch (23)  0-4
 *   AddPartitionsToTxn (24)    0-3     4-5 are the broker-only batched form; @platformatic/kafka would use them
 *   AddOffsetsToTxn (25)       0-4
 *   EndTxn (26)                0-4
 *   TxnOffsetCommit (28)       0-4
 *   DescribeConfigs (32)       0-4
 *   AlterConfigs (33)          0-2
 *   DescribeLogDirs (35)       0-4
 *   SaslAuthenticate (36)      0-2     min 0 [librdkafka]
 *   CreatePartitions (37)      0-3
 *   DeleteGroups (42)          0-2
 *   IncrementalAlterConfigs(44)0-1
 *   ListPartitionReassignments(46) 0  [kafkajs, flexible v0]
 *   OffsetDelete (47)          0
 *   DescribeCluster (60)       0-1
 *
 * kafkajs ignores our minimums (it takes min(its max, our max)); the other clients respect them.
 * Kafka 4.0 raised several minimums (KIP-896); Samsa keeps them at 0 because librdkafka 2.0.2
 * silently disables consumer groups, idempotence and SASL otherwise.
 */
export const builtinHandlers: readonly Handler[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  apiVersions,
  deleteRecords,
  initProducerId,
  offsetForLeaderEpoch,
  describeLogDirs,
  createTopics,
  deleteTopics,
  createPartitions,
  describeConfigs,
  alterConfigs,
  incrementalAlterConfigs,
  describeCluster,
  deleteGroups,
  offsetDelete,
];
