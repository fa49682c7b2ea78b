import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { genericErrorResponse } from '../../src/broker/error-response.ts';
import { ApiKey, apiTable } from '../../src/protocol/messages/generated/api-table.ts';
import { apiSchemas } from '../../src/protocol/messages/generated/schema.ts';
import { Reader } from '../../src/protocol/primitives/reader.ts';

describe('genericErrorResponse', () => {
  it('encodes and decodes for every API version whose response has a top-level error code', () => {
    let checked = 0;
    for (const schema of apiSchemas) {
      const api = apiTable.get(schema.apiKey)!;
      const field = schema.response.fields.find((f) => f.name === 'errorCode' && !f.array);
      for (let v = api.minVersion; v <= api.maxVersion; v++) {
        const body = genericErrorResponse(schema.apiKey, v, 58);
        const expected = field !== undefined && v >= field.versions[0] && v <= field.versions[1];
        assert.equal(body !== null, expected, `${schema.name} v${v}`);
        if (body === null) continue;
        const bytes = api.encodeResponse(body, v);
        const r = new Reader(bytes);
        const back = api.decodeResponse(r, v) as { errorCode: number };
        r.check();
        assert.equal(back.errorCode, 58, `${schema.name} v${v}`);
        checked++;
      }
    }
    assert.ok(checked > 100, `only ${checked} versions checked`);
  });

  it('has none for APIs whose errors are per partition or per group', () => {
    assert.equal(genericErrorResponse(ApiKey.Produce, 7, -1), null);
    assert.equal(genericErrorResponse(ApiKey.Fetch, 4, -1), null);
    assert.equal(genericErrorResponse(ApiKey.Metadata, 12, -1), null);
    assert.equal(genericErrorResponse(ApiKey.DescribeGroups, 5, -1), null);
    assert.equal(genericErrorResponse(999, 0, -1), null);
  });

  it('fills defaults a client can read: empty arrays, zero numbers, empty strings', () => {
    assert.deepEqual(genericErrorResponse(ApiKey.JoinGroup, 5, -1), {
      throttleTimeMs: 0,
      errorCode: -1,
      generationId: -1,
      protocolType: null,
      protocolName: '',
      leader: '',
      skipAssignment: false,
      memberId: '',
      members: [],
    });
  });
});
