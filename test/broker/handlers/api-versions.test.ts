import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { defineHandler, HandlerTable } from '../../../src/broker/handler.ts';
import { apiVersions } from '../../../src/broker/handlers/api-versions.ts';
import { builtinHandlers } from '../../../src/broker/handlers/index.ts';
import type { ConnectionInfo } from '../../../src/broker/network/request-processor.ts';
import { RequestDispatcher } from '../../../src/broker/request-dispatcher.ts';
import { ManualClock } from '../../../src/common/clock.ts';
import { MemoryLogger } from '../../../src/common/logger.ts';
import { ApiKey, getApi } from '../../../src/protocol/messages/generated/api-table.ts';
import { decodeResponseFrame } from '../../../src/protocol/request.ts';
import { rawRequest, request, testServices } from '../helpers.ts';

const require = createRequire(import.meta.url);
const conn: ConnectionInfo = { id: 1, listenerName: 'PLAINTEXT', clientHost: '::1', clientPort: 1, isClosed: false };

function serve(table: HandlerTable, frame: Buffer): Buffer {
  const d = new RequestDispatcher({
    handlers: table,
    services: testServices(),
    clock: new ManualClock(),
    logger: new MemoryLogger(),
  });
  const out = d.process(frame.subarray(4), conn);
  assert.ok(Buffer.isBuffer(out));
  return out;
}

const body = { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '0.1.0' };

describe('ApiVersions handler', () => {
  it('answers v0-v4 with the table ranges, always with response header v0', () => {
    const hb = defineHandler(ApiKey.Heartbeat, 0, 4, () => ({ errorCode: 0 }));
    const table = new HandlerTable([hb, apiVersions]);
    for (let v = 0; v <= 4; v++) {
      assert.equal(getApi(ApiKey.ApiVersions).responseHeaderVersion(v), 0);
      const out = serve(table, request(ApiKey.ApiVersions, v, 100 + v, body));
      // Header v0: the body starts right after the correlation id with the int16 error code.
      assert.equal(out.readInt32BE(4), 100 + v);
      assert.equal(out.readInt16BE(8), 0);
      const res = decodeResponseFrame(ApiKey.ApiVersions, v, out.subarray(4));
      assert.equal(res.body.errorCode, 0);
      assert.deepEqual(res.body.apiKeys, [
        { apiKey: 12, minVersion: 0, maxVersion: 4 },
        { apiKey: 18, minVersion: 0, maxVersion: 4 },
      ]);
      if (v >= 1) assert.equal(res.body.throttleTimeMs, 0);
      if (v >= 3) {
        assert.deepEqual(res.body.supportedFeatures, []);
        // Regression: Kafka 3.9 in ZooKeeper mode answers epoch 0 (Samsa answered -1).
        assert.equal(res.body.finalizedFeaturesEpoch, 0);
      }
    }
  });

  it('answers INVALID_REQUEST with no API list to v3+ client software names and versions KIP-511 forbids', () => {
    const table = new HandlerTable([apiVersions]);
    const ask = (v: number, name: string, version: string) =>
      decodeResponseFrame(
        ApiKey.ApiVersions,
        v,
        serve(
          table,
          request(ApiKey.ApiVersions, v, 1, { clientSoftwareName: name, clientSoftwareVersion: version }),
        ).subarray(4),
      ).body;
    for (const [name, version] of [
      ['', '1.0'],
      ['bad name!', '1.0'],
      ['-abc', '1.0'],
      ['abc-', '1.0'],
      ['ok', '1.0 beta'],
      ['ok', ''],
    ]) {
      for (const v of [3, 4]) {
        const res = ask(v, name!, version!);
        assert.deepEqual([res.errorCode, res.apiKeys], [42, []], `${JSON.stringify([name, version])} at v${v}`);
      }
    }
    for (const [name, version] of [
      ['a', '1'],
      ['a.b-c', '2.0.2'],
      ['librdkafka', '2.0.2'],
    ]) {
      assert.equal(ask(3, name!, version!).errorCode, 0, `${name} ${version}`);
    }
    // Before v3 there are no such fields to check.
    const v2 = decodeResponseFrame(
      ApiKey.ApiVersions,
      2,
      serve(table, request(ApiKey.ApiVersions, 2, 1, {})).subarray(4),
    );
    assert.equal(v2.body.errorCode, 0);
  });

  it('advertises exactly the built-in table', () => {
    const table = new HandlerTable(builtinHandlers);
    const res = decodeResponseFrame(
      ApiKey.ApiVersions,
      3,
      serve(table, request(ApiKey.ApiVersions, 3, 1, body)).subarray(4),
    );
    assert.deepEqual(res.body.apiKeys, table.apiVersions);
  });

  it('is readable by kafkajs 2.2.4 at v0-v2, the versions it sends', async () => {
    const table = new HandlerTable(builtinHandlers);
    for (const v of [0, 1, 2]) {
      const out = serve(table, request(ApiKey.ApiVersions, v, 1, {}));
      const { decode, parse } = require(`kafkajs/src/protocol/requests/apiVersions/v${v}/response.js`);
      const decoded = await parse(await decode(out.subarray(8)));
      assert.deepEqual(decoded.apiVersions, table.apiVersions);
      assert.ok(decoded.apiVersions.some((a: { apiKey: number }) => a.apiKey === ApiKey.ApiVersions));
    }
  });

  it('makes kafkajs step down when it asks for a version we do not serve', async () => {
    const narrow = defineHandler(ApiKey.ApiVersions, 0, 1, () => ({ errorCode: 0, apiKeys: [] }));
    const out = serve(new HandlerTable([narrow]), rawRequest(ApiKey.ApiVersions, 2, 1));
    const { decode } = require('kafkajs/src/protocol/requests/apiVersions/v2/response.js');
    await assert.rejects(decode(out.subarray(8)), { type: 'UNSUPPORTED_VERSION' });
  });

  it('has an error response for a failure inside the handler', () => {
    assert.deepEqual(apiVersions.errorResponse?.({}, -1, undefined as never), {
      errorCode: -1,
      apiKeys: [],
      throttleTimeMs: 0,
    });
  });
});
