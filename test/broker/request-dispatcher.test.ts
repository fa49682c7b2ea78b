import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineHandler, HandlerTable, NO_RESPONSE } from '../../src/broker/handler.ts';
import { apiVersions } from '../../src/broker/handlers/api-versions.ts';
import {
  CloseConnection,
  type ConnectionInfo,
  type ProcessOutcome,
} from '../../src/broker/network/request-processor.ts';
import { RequestDispatcher } from '../../src/broker/request-dispatcher.ts';
import { ManualClock } from '../../src/common/clock.ts';
import { MemoryLogger } from '../../src/common/logger.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { decodeResponseFrame } from '../../src/protocol/request.ts';
import { rawRequest, request, testServices } from './helpers.ts';

const conn: ConnectionInfo = {
  id: 7,
  listenerName: 'PLAINTEXT',
  clientHost: '10.0.0.9',
  clientPort: 4444,
  isClosed: false,
};

function make(table: HandlerTable) {
  const logger = new MemoryLogger();
  const d = new RequestDispatcher({ handlers: table, services: testServices(), clock: new ManualClock(), logger });
  const run = (frame: Buffer) => d.process(frame.subarray(4), conn);
  return { d, logger, run };
}

function isBuffer(o: ProcessOutcome | Promise<ProcessOutcome>): o is Buffer {
  return Buffer.isBuffer(o);
}

describe('RequestDispatcher', () => {
  it('answers a sync handler synchronously, with a full frame (no promise)', () => {
    const hb = defineHandler(ApiKey.Heartbeat, 0, 4, (_ctx, req) => ({ errorCode: req.groupId === 'g' ? 0 : 25 }));
    const { run } = make(new HandlerTable([hb]));
    const out = run(request(ApiKey.Heartbeat, 1, 42, { groupId: 'g', generationId: 1, memberId: 'm' }));
    assert.ok(isBuffer(out));
    assert.equal(out.readInt32BE(0), out.length - 4);
    const res = decodeResponseFrame(ApiKey.Heartbeat, 1, out.subarray(4));
    assert.equal(res.correlationId, 42);
    assert.equal(res.body.errorCode, 0);
  });

  it('gives the handler its context: header, connection, services, clock, table', () => {
    let seen: unknown = null;
    const table = new HandlerTable([
      defineHandler(ApiKey.Heartbeat, 0, 4, (ctx) => {
        seen = {
          apiVersion: ctx.apiVersion,
          clientId: ctx.clientId,
          clientHost: ctx.clientHost,
          correlationId: ctx.header.correlationId,
          connectionId: ctx.connection.id,
          brokerId: ctx.services.brokerId,
          receivedAt: ctx.receivedAt,
          table: ctx.handlers.size,
        };
        return { errorCode: 0 };
      }),
    ]);
    const { run } = make(table);
    run(request(ApiKey.Heartbeat, 2, 5, { groupId: 'g', generationId: 1, memberId: 'm' }, 'my-app'));
    assert.deepEqual(seen, {
      apiVersion: 2,
      clientId: 'my-app',
      clientHost: '10.0.0.9',
      correlationId: 5,
      connectionId: 7,
      brokerId: 0,
      receivedAt: 0,
      table: 1,
    });
  });

  it('chains an async handler and never rejects', async () => {
    const table = new HandlerTable([
      defineHandler(ApiKey.Heartbeat, 0, 4, async () => ({ errorCode: 27, throttleTimeMs: 3 })),
    ]);
    const { run } = make(table);
    const out = run(request(ApiKey.Heartbeat, 3, 9, { groupId: 'g', generationId: 1, memberId: 'm' }));
    assert.ok(out instanceof Promise);
    const frame = (await out) as Buffer;
    assert.deepEqual(decodeResponseFrame(ApiKey.Heartbeat, 3, frame.subarray(4)).body, {
      errorCode: 27,
      throttleTimeMs: 3,
    });
  });

  it('passes NO_RESPONSE and CloseConnection through', async () => {
    let mode = 'none';
    const table = new HandlerTable([
      defineHandler(ApiKey.Heartbeat, 0, 4, (ctx) => (mode === 'none' ? NO_RESPONSE : ctx.close('acks=0 failed'))),
    ]);
    const { run, logger } = make(table);
    const req = request(ApiKey.Heartbeat, 0, 1, { groupId: 'g', generationId: 1, memberId: 'm' });
    assert.equal(run(req), NO_RESPONSE);
    mode = 'close';
    const out = run(req);
    assert.ok(out instanceof CloseConnection);
    assert.equal(out.reason, 'acks=0 failed');
    assert.equal(logger.matching(/INFO closing connection 7 from 10\.0\.0\.9:4444 .*acks=0 failed/).length, 1);
  });

  it('answers ApiVersions at an unsupported version with error 35 in a v0 body (KIP-511)', () => {
    const { run } = make(new HandlerTable([apiVersions]));
    for (const v of [5, 9, 32767, -1]) {
      // Header v2 from v3 on (an empty tag buffer after the client id), then a body never read.
      const out = run(rawRequest(ApiKey.ApiVersions, v, 77, Buffer.from([0x00, 0xde, 0xad])));
      assert.ok(isBuffer(out));
      const res = decodeResponseFrame(ApiKey.ApiVersions, 0, out.subarray(4));
      assert.equal(res.correlationId, 77);
      assert.equal(res.body.errorCode, 35);
      assert.deepEqual(res.body.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
      // Header v0 + int16 error + int32 count + one 6-byte entry: nothing more.
      assert.equal(out.length, 4 + 4 + 2 + 4 + 6);
    }
  });

  it('answers the KIP-511 fallback also when the table narrows ApiVersions below the codec', () => {
    const narrow = defineHandler(ApiKey.ApiVersions, 0, 1, () => ({ errorCode: 0, apiKeys: [] }));
    const { run } = make(new HandlerTable([narrow]));
    const out = run(rawRequest(ApiKey.ApiVersions, 3, 1, Buffer.from([0x00])));
    assert.ok(isBuffer(out));
    const res = decodeResponseFrame(ApiKey.ApiVersions, 0, out.subarray(4));
    assert.deepEqual([res.body.errorCode, res.body.apiKeys], [35, [{ apiKey: 18, minVersion: 0, maxVersion: 1 }]]);
  });

  it('closes on an unsupported ApiVersions version whose header does not decode, as Kafka does', () => {
    const { run, logger } = make(new HandlerTable([apiVersions]));
    // v99 is read with header v2: a header v1 (no tag buffer after the client id) is truncated.
    const out = run(rawRequest(ApiKey.ApiVersions, 99, 5));
    assert.ok(out instanceof CloseConnection);
    assert.equal(logger.matching(/ApiVersions v99 request header does not decode/).length, 1);
    // Below v3 the header is v1: the same bytes are a whole header.
    const low = run(rawRequest(ApiKey.ApiVersions, -1, 6));
    assert.ok(isBuffer(low));
    assert.equal(decodeResponseFrame(ApiKey.ApiVersions, 0, low.subarray(4)).body.errorCode, 35);
  });

  it('closes on an unknown API key, an unsupported version, or a header too short, with a log line', () => {
    const hb = defineHandler(ApiKey.Heartbeat, 1, 3, () => ({ errorCode: 0 }));
    const { run, logger } = make(new HandlerTable([hb]));
    const unknown = run(rawRequest(ApiKey.Metadata, 1, 1));
    assert.ok(unknown instanceof CloseConnection);
    assert.match(unknown.reason, /unknown API key 3/);
    const tooNew = run(rawRequest(ApiKey.Heartbeat, 4, 1));
    assert.ok(tooNew instanceof CloseConnection);
    assert.match(tooNew.reason, /unsupported Heartbeat version 4 \(served: 1-3\)/);
    const tooOld = run(rawRequest(ApiKey.Heartbeat, 0, 1));
    assert.ok(tooOld instanceof CloseConnection);
    const short = run(Buffer.from([0, 0, 0, 3, 0, 12, 0]));
    assert.ok(short instanceof CloseConnection);
    assert.equal(logger.matching(/^WARN closing connection 7 from 10\.0\.0\.9:4444/).length, 4);
  });

  it('closes on a request that does not decode, naming the client id when it can', () => {
    const hb = defineHandler(ApiKey.Heartbeat, 0, 4, () => ({ errorCode: 0 }));
    const { run, logger } = make(new HandlerTable([hb]));
    const good = request(ApiKey.Heartbeat, 1, 3, { groupId: 'g', generationId: 1, memberId: 'm' }, 'cli');
    const truncated = Buffer.from(good.subarray(0, good.length - 3));
    truncated.writeInt32BE(truncated.length - 4, 0);
    const out = run(truncated);
    assert.ok(out instanceof CloseConnection);
    assert.match(out.reason, /Heartbeat v1 request does not decode: TRUNCATED/);
    assert.equal(logger.matching(/client id "cli"/).length, 1);
  });

  it('answers a throwing handler with its error response when it has one', async () => {
    const failing = defineHandler(
      ApiKey.Heartbeat,
      0,
      4,
      () => {
        throw new Error('replica manager exploded');
      },
      { errorResponse: (_req, code) => ({ errorCode: code, throttleTimeMs: 0 }) },
    );
    const { run, logger } = make(new HandlerTable([failing]));
    const out = run(request(ApiKey.Heartbeat, 2, 8, { groupId: 'g', generationId: 1, memberId: 'm' }));
    assert.ok(isBuffer(out));
    const res = decodeResponseFrame(ApiKey.Heartbeat, 2, out.subarray(4));
    assert.deepEqual([res.correlationId, res.body.errorCode], [8, -1]);
    assert.equal(
      logger.matching(/ERROR Heartbeat v2 \(correlation id 8\) failed .*replica manager exploded/).length,
      1,
    );
  });

  it('answers a failing handler without an error response generically when the response has a top-level error code', async () => {
    const sync = defineHandler(ApiKey.Heartbeat, 0, 4, () => {
      throw new TypeError('bug');
    });
    const async = defineHandler(ApiKey.SyncGroup, 0, 5, async () => {
      throw new Error('later bug');
    });
    const { run, logger } = make(new HandlerTable([sync, async]));
    const a = run(request(ApiKey.Heartbeat, 1, 1, { groupId: 'g', generationId: 1, memberId: 'm' }));
    assert.ok(isBuffer(a));
    assert.deepEqual(decodeResponseFrame(ApiKey.Heartbeat, 1, a.subarray(4)).body, {
      errorCode: -1,
      throttleTimeMs: 0,
    });
    const b = await run(
      request(ApiKey.SyncGroup, 3, 2, { groupId: 'g', generationId: 1, memberId: 'm', assignments: [] }),
    );
    assert.ok(isBuffer(b));
    const sg = decodeResponseFrame(ApiKey.SyncGroup, 3, b.subarray(4));
    assert.deepEqual([sg.correlationId, sg.body.errorCode, sg.body.assignment.length], [2, -1, 0]);
    assert.equal(logger.matching(/^ERROR /).length, 2);
  });

  it('closes for a failing handler when no error response can be built', async () => {
    const meta = defineHandler(ApiKey.Metadata, 0, 12, async () => {
      throw new Error('metadata cache gone');
    });
    const { run, logger } = make(new HandlerTable([meta]));
    const out = await run(request(ApiKey.Metadata, 1, 1, { topics: null }));
    assert.ok(out instanceof CloseConnection);
    assert.equal(out.reason, 'Metadata handler failed');
    assert.equal(logger.matching(/^ERROR Metadata v1 \(correlation id 1\) failed .*metadata cache gone/).length, 1);
  });

  it('treats a response that does not encode as a handler failure', () => {
    const bad = defineHandler(ApiKey.Heartbeat, 0, 4, () => ({ errorCode: 0, throttleTimeMs: 2 ** 40 }), {
      errorResponse: (_r, code) => ({ errorCode: code }),
    });
    const { run, logger } = make(new HandlerTable([bad]));
    const out = run(request(ApiKey.Heartbeat, 1, 4, { groupId: 'g', generationId: 1, memberId: 'm' }));
    assert.ok(isBuffer(out));
    assert.equal(decodeResponseFrame(ApiKey.Heartbeat, 1, out.subarray(4)).body.errorCode, -1);
    assert.equal(logger.matching(/^ERROR Heartbeat v1/).length, 1);
  });
});
