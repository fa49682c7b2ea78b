// The API table loads each API's codec module on first use (api-table.ts's lazyApi).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeClusterApi } from '../../../src/protocol/messages/generated/api-table.ts';
import { Reader } from '../../../src/protocol/primitives/reader.ts';

test('an API descriptor loads its codecs on the first call, then holds the module functions themselves', async () => {
  const stub = describeClusterApi.encodeRequest;
  const request = { includeClusterAuthorizedOperations: true, endpointType: 1 };
  const bytes = describeClusterApi.encodeRequest(request, 1);
  const mod = await import('../../../src/protocol/messages/generated/describe-cluster.ts');
  assert.notEqual(stub, mod.encodeDescribeClusterRequest, 'a loading stub before the first call');
  assert.equal(describeClusterApi.encodeRequest, mod.encodeDescribeClusterRequest, 'replaced by the real one');
  assert.equal(describeClusterApi.decodeResponse, mod.decodeDescribeClusterResponse, 'every codec of the API at once');
  assert.deepEqual(describeClusterApi.decodeRequest(new Reader(bytes), 1), request);
});
