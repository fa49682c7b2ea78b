import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  readRequestHeaderPrefix,
  readRequestHeaderRest,
  readResponseHeader,
  sizeOfRequestHeader,
  sizeOfResponseHeader,
  writeRequestHeader,
  writeResponseHeader,
} from '../../src/protocol/headers.ts';
import { Reader } from '../../src/protocol/primitives/reader.ts';
import { Writer } from '../../src/protocol/primitives/writer.ts';

describe('request and response headers', () => {
  it('writes header v1 byte for byte', () => {
    const h = { apiKey: 3, apiVersion: 1, correlationId: 7, clientId: 'ab' };
    const w = new Writer(sizeOfRequestHeader(h, 1));
    writeRequestHeader(w, h, 1);
    // api_key=3, api_version=1, correlation_id=7, client_id length 2 "ab"
    assert.deepEqual([...w.finish()], [0, 3, 0, 1, 0, 0, 0, 7, 0, 2, 0x61, 0x62]);
  });

  it('keeps client_id a classic string in header v2 and adds an empty tag section', () => {
    const h = { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: null };
    const w = new Writer(sizeOfRequestHeader(h, 2));
    writeRequestHeader(w, h, 2);
    assert.deepEqual([...w.finish()], [0, 18, 0, 3, 0, 0, 0, 1, 0xff, 0xff, 0]);
  });

  it('reads all header versions back', () => {
    for (const v of [0, 1, 2]) {
      const h = { apiKey: 1, apiVersion: 11, correlationId: -5, clientId: v === 0 ? null : 'client-é' };
      const w = new Writer(sizeOfRequestHeader(h, v));
      writeRequestHeader(w, h, v);
      const r = new Reader(w.finish());
      const prefix = readRequestHeaderPrefix(r);
      assert.deepEqual({ ...prefix, clientId: readRequestHeaderRest(r, v) }, h);
      assert.equal(r.remaining, 0);
      assert.equal(r.error, null);
    }
  });

  it('writes and reads response headers v0 and v1', () => {
    for (const v of [0, 1]) {
      const w = new Writer(sizeOfResponseHeader(v));
      writeResponseHeader(w, 42, v);
      const buf = w.finish();
      assert.equal(buf.length, v === 0 ? 4 : 5);
      assert.equal(readResponseHeader(new Reader(buf), v), 42);
    }
  });
});
