import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  DescribeLogDirsRequest,
  DescribeLogDirsResponse,
} from '../../protocol/messages/generated/describe-log-dirs.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/**
 * DescribeLogDirs (key 35), v0-4: each log dir of this broker with the size of every partition
 * in it (all partitions when topics is null), and (v4+) the dir's total and usable bytes.
 */
function handleDescribeLogDirs(ctx: RequestContext, req: DescribeLogDirsRequest): DescribeLogDirsResponse {
  const dirs = fullServices(ctx).replicaManager.describeLogDirs(
    req.topics?.map((t) => ({ topic: t.topic, partitions: t.partitions })) ?? null,
  );
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    results: dirs.map((d) => ({
      errorCode: d.errorCode,
      logDir: d.logDir,
      totalBytes: d.totalBytes,
      usableBytes: d.usableBytes,
      topics: d.topics.map((t) => ({
        name: t.topic,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partition,
          partitionSize: p.size,
          offsetLag: p.offsetLag,
          isFutureKey: p.isFuture,
        })),
      })),
    })),
  };
}

export const describeLogDirs = defineHandler(ApiKey.DescribeLogDirs, 0, 4, handleDescribeLogDirs);
