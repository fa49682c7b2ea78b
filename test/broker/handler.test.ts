import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineHandler, HandlerTable } from '../../src/broker/handler.ts';
import { builtinHandlers } from '../../src/broker/handlers/index.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';

const heartbeat = defineHandler(ApiKey.Heartbeat, 0, 4, () => ({ errorCode: 0, throttleTimeMs: 0 }));
const metadata = defineHandler(ApiKey.Metadata, 1, 12, () => ({ brokers: [], topics: [] }) as never);

describe('defineHandler', () => {
  it('takes the codec from the API table and keeps the declared range', () => {
    assert.equal(heartbeat.api.name, 'Heartbeat');
    assert.equal(heartbeat.api.apiKey, 12);
    assert.deepEqual([heartbeat.minVersion, heartbeat.maxVersion], [0, 4]);
  });

  it('refuses a range outside what the codec supports, or an empty one', () => {
    assert.throws(() => defineHandler(ApiKey.Heartbeat, 0, 5, () => ({ errorCode: 0 })), /outside the codec's 0-4/);
    assert.throws(() => defineHandler(ApiKey.Heartbeat, 3, 2, () => ({ errorCode: 0 })), RangeError);
    assert.throws(() => defineHandler(ApiKey.Heartbeat, -1, 2, () => ({ errorCode: 0 })), RangeError);
    assert.throws(() => defineHandler(999 as never, 0, 0, () => ({}) as never), /no codec for API key 999/);
  });
});

describe('HandlerTable', () => {
  it('derives the advertised ranges from its handlers, sorted by key', () => {
    const apiVersionsHandler = builtinHandlers.find((h) => h.api.apiKey === ApiKey.ApiVersions)!;
    const table = new HandlerTable([heartbeat, apiVersionsHandler, metadata]);
    assert.deepEqual(table.apiVersions, [
      { apiKey: 3, minVersion: 1, maxVersion: 12 },
      { apiKey: 12, minVersion: 0, maxVersion: 4 },
      { apiKey: 18, minVersion: 0, maxVersion: 4 },
    ]);
    assert.equal(table.size, 3);
    assert.ok(Object.isFrozen(table.apiVersions));
  });

  it('looks handlers up by key and version', () => {
    const table = new HandlerTable([metadata]);
    assert.equal(table.get(3), metadata);
    assert.equal(table.get(0), undefined);
    assert.equal(table.get(-1), undefined);
    assert.equal(table.get(10_000), undefined);
    assert.ok(table.supports(3, 1) && table.supports(3, 12));
    assert.ok(!table.supports(3, 0) && !table.supports(3, 13) && !table.supports(12, 0));
  });

  it('refuses two handlers for one API', () => {
    assert.throws(() => new HandlerTable([heartbeat, heartbeat]), /two handlers for Heartbeat/);
  });

  it('serves ApiVersions 0-4 in the built-in table', () => {
    const table = new HandlerTable(builtinHandlers);
    assert.ok(table.supports(ApiKey.ApiVersions, 0) && table.supports(ApiKey.ApiVersions, 4));
    assert.ok(!table.supports(ApiKey.ApiVersions, 5));
  });
});
