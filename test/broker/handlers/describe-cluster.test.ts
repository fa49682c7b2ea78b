import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ALL_CLUSTER_OPERATIONS, describeCluster } from '../../../src/broker/handlers/describe-cluster.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import { CLUSTER_ID, dispatch, startTopicCluster } from '../topic-harness.ts';

const T = { timeout: 20_000 };

async function cluster(t: TestContext) {
  const c = await startTopicCluster({ brokerIds: [0, 1, 2] });
  t.after(() => c.close());
  return c;
}

describe('DescribeCluster handler', () => {
  it('lists the live brokers, the controller and the cluster id at v0 and v1', T, async (t) => {
    const c = await cluster(t);
    for (const v of [0, 1]) {
      const res = await dispatch(c.brokers[1]!, [describeCluster], ApiKey.DescribeCluster, v, {
        includeClusterAuthorizedOperations: false,
        endpointType: 1,
      });
      assert.equal(res.errorCode, ErrorCode.NONE);
      assert.equal(res.errorMessage, null);
      assert.equal(res.clusterId, CLUSTER_ID);
      assert.equal(res.controllerId, 0);
      assert.deepEqual(res.brokers, [
        { brokerId: 0, host: 'localhost', port: 9092, rack: null },
        { brokerId: 1, host: 'localhost', port: 9093, rack: null },
        { brokerId: 2, host: 'localhost', port: 9094, rack: null },
      ]);
      assert.equal(res.clusterAuthorizedOperations, -2147483648);
      if (v === 1) assert.equal(res.endpointType, 1);
    }
  });

  it('reports every cluster operation as authorized when asked (no authorizer)', T, async (t) => {
    const c = await cluster(t);
    const res = await dispatch(c.b0, [describeCluster], ApiKey.DescribeCluster, 0, {
      includeClusterAuthorizedOperations: true,
    });
    assert.equal(res.clusterAuthorizedOperations, ALL_CLUSTER_OPERATIONS);
    assert.equal(ALL_CLUSTER_OPERATIONS, 8096);
  });

  it(
    'refuses controller endpoints (MISMATCHED_ENDPOINT_TYPE) and unknown ones (UNSUPPORTED_ENDPOINT_TYPE)',
    T,
    async (t) => {
      const c = await cluster(t);
      const ask = (endpointType: number) =>
        dispatch(c.b0, [describeCluster], ApiKey.DescribeCluster, 1, {
          includeClusterAuthorizedOperations: false,
          endpointType,
        });
      const controller = await ask(2);
      assert.equal(controller.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE);
      assert.match(controller.errorMessage!, /endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER/);
      assert.deepEqual(controller.brokers, []);
      const unknown = await ask(7);
      assert.deepEqual(
        [unknown.errorCode, unknown.errorMessage],
        [ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, 'Unsupported endpoint type 7'],
      );
    },
  );
});
