import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetadataError } from '../../../src/metadata/metadata-store.ts';
import { parseConnectString, toClientPath, toServerPath } from '../../../src/metadata/zk/connect-string.ts';
import {
  decodeConnectResponse,
  encodeConnectRequest,
  encodeCreate,
  encodeMulti,
  encodeSetWatches,
  foldSessionId,
  frameRequest,
  readMultiResponse,
  readStat,
  sessionIdHex,
} from '../../../src/metadata/zk/jute.ts';
import { validatePath } from '../../../src/metadata/zk/zk-client.ts';
import { EventType, toMetadataError, ZooKeeperError } from '../../../src/metadata/zk/zk-errors.ts';
import { ZkWatchRegistry } from '../../../src/metadata/zk/zk-watches.ts';
import { Reader } from '../../../src/protocol/primitives/reader.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('jute encoding', () => {
  it('lays out a ConnectRequest frame', () => {
    const passwd = Buffer.alloc(16, 0xab);
    const frame = encodeConnectRequest(0x0102n, 6000, 0x0100002a93310001n, passwd);
    assert.deepEqual(
      frame,
      hex(`0000002d 00000000 0000000000000102 00001770 0100002a93310001 00000010 ${'ab'.repeat(16)} 00`),
    );
  });

  it('reads a ConnectResponse with and without the read-only flag', () => {
    const body = hex(`00000000 00001770 0100002a93310001 00000010 ${'cd'.repeat(16)}`);
    const old = decodeConnectResponse(body);
    assert.equal(old.timeOut, 6000);
    assert.equal(old.sessionId, 0x0100002a93310001n);
    assert.equal(old.passwd.length, 16);
    assert.equal(old.readOnly, false);
    assert.equal(decodeConnectResponse(Buffer.concat([body, hex('01')])).readOnly, true);
    assert.throws(() => decodeConnectResponse(body.subarray(0, 10)), /need/);
  });

  it('frames a request as length | xid | type | body', () => {
    assert.deepEqual(frameRequest(-2, 11, Buffer.alloc(0)), hex('00000008 fffffffe 0000000b'));
    assert.deepEqual(frameRequest(7, 2, hex('aabb')), hex('0000000a 00000007 00000002 aabb'));
  });

  it('writes a CreateRequest with the open ACL and the mode flags', () => {
    const body = encodeCreate('/a', Buffer.from('x'), 3);
    const r = new Reader(body);
    assert.equal(r.bytes().toString(), '/a');
    assert.equal(r.bytes().toString(), 'x');
    assert.equal(r.int32(), 1, 'one ACL');
    assert.equal(r.int32(), 31, 'all permissions');
    assert.equal(r.bytes().toString(), 'world');
    assert.equal(r.bytes().toString(), 'anyone');
    assert.equal(r.int32(), 3, 'ephemeral | sequential');
    assert.equal(r.remaining, 0);
  });

  it('writes a multi as headed ops and an end marker', () => {
    const body = encodeMulti([
      { type: 'check', path: '/c', version: 4 },
      { type: 'setData', path: '/s', data: Buffer.from('v'), version: -1 },
      { type: 'delete', path: '/d', version: 2 },
    ]);
    const r = new Reader(body);
    const header = () => [r.int32(), r.bool(), r.int32()];
    assert.deepEqual(header(), [13, false, -1]);
    assert.deepEqual([r.bytes().toString(), r.int32()], ['/c', 4]);
    assert.deepEqual(header(), [5, false, -1]);
    assert.deepEqual([r.bytes().toString(), r.bytes().toString(), r.int32()], ['/s', 'v', -1]);
    assert.deepEqual(header(), [2, false, -1]);
    assert.deepEqual([r.bytes().toString(), r.int32()], ['/d', 2]);
    assert.deepEqual(header(), [-1, true, -1]);
    assert.equal(r.remaining, 0);
  });

  it('writes SetWatches as a zxid and three path vectors', () => {
    const r = new Reader(encodeSetWatches(9n, ['/a'], [], ['/b', '/c']));
    assert.equal(r.int64Big(), 9n);
    assert.deepEqual([r.int32(), r.bytes().toString()], [1, '/a']);
    assert.equal(r.int32(), 0);
    assert.deepEqual([r.int32(), r.bytes().toString(), r.bytes().toString()], [2, '/b', '/c']);
    assert.equal(r.remaining, 0);
  });

  it('reads a failed multi: OK before the failing op, its code, then RUNTIMEINCONSISTENCY', () => {
    const err = (code: number) => hex(`ffffffff 00 ffffffff ${(code >>> 0).toString(16).padStart(8, '0')}`);
    const body = Buffer.concat([err(0), err(-110), err(-2), hex('ffffffff 01 ffffffff')]);
    assert.deepEqual(readMultiResponse(new Reader(body)), [
      { type: 'error', err: 0 },
      { type: 'error', err: -110 },
      { type: 'error', err: -2 },
    ]);
  });

  it('reads a successful multi and a 68-byte Stat', () => {
    const stat = hex(
      '0000000000000011 0000000000000012 0000018bcfe56800 0000018bcfe56801 00000003 00000004 00000000 0100002a93310001 00000005 00000006 0000000000000013',
    );
    assert.equal(stat.length, 68);
    const s = readStat(new Reader(stat));
    assert.equal(s.version, 3);
    assert.equal(s.cversion, 4);
    assert.equal(s.ephemeralOwner, 0x0100002a93310001n);
    assert.equal(s.pzxid, 0x13n);
    const body = Buffer.concat([
      hex('00000001 00 00000000 00000004'),
      Buffer.from('/n-1'),
      hex('00000005 00 00000000'),
      stat,
      hex('00000002 00 00000000 0000000d 00 00000000 ffffffff 01 ffffffff'),
    ]);
    const results = readMultiResponse(new Reader(body));
    assert.deepEqual(
      results.map((x) => x.type),
      ['create', 'setData', 'delete', 'check'],
    );
    assert.deepEqual(results[0], { type: 'create', err: 0, path: '/n-1' });
  });

  it('rejects a multi answer with an unknown result type', () => {
    const r = new Reader(hex('00000063 00 00000000'));
    readMultiResponse(r);
    assert.equal(r.error?.code, 'BAD_RECORD');
  });
});

describe('session ids', () => {
  it('folds 64-bit ids into distinct safe integers', () => {
    const id = 0x0100002a93310001n;
    assert.equal(foldSessionId(id), 2 ** 45 + 0x2a93310001);
    assert.notEqual(foldSessionId(id), foldSessionId(id + 1n));
    assert.notEqual(foldSessionId(id), foldSessionId(id + (2n << 56n)), 'another server id');
    assert.equal(foldSessionId(-1n), Number.MAX_SAFE_INTEGER);
    assert.equal(foldSessionId(0n), 0);
    assert.equal(sessionIdHex(id), '0x100002a93310001');
  });
});

describe('connect strings and chroot', () => {
  it('parses servers, default ports, IPv6 and the chroot', () => {
    assert.deepEqual(parseConnectString('zk1:2181, zk2:2182,zk3/samsa/prod'), {
      servers: [
        { host: 'zk1', port: 2181 },
        { host: 'zk2', port: 2182 },
        { host: 'zk3', port: 2181 },
      ],
      chroot: '/samsa/prod',
    });
    assert.deepEqual(parseConnectString('[::1]:3000/'), { servers: [{ host: '::1', port: 3000 }], chroot: '' });
    for (const bad of ['', '/x', 'h:0', 'h:99999', 'h:2181/x/', '[::1', 'h:2181//x']) {
      assert.throws(() => parseConnectString(bad), Error, bad);
    }
  });

  it('maps paths into and out of the chroot', () => {
    assert.equal(toServerPath('/c', '/'), '/c');
    assert.equal(toServerPath('/c', '/a/b'), '/c/a/b');
    assert.equal(toServerPath('', '/a'), '/a');
    assert.equal(toClientPath('/c', '/c'), '/');
    assert.equal(toClientPath('/c', '/c/a'), '/a');
    assert.equal(toClientPath('/c', '/cx/a'), '/cx/a', 'a sibling with the same prefix is not inside');
  });

  it('validates paths as ZooKeeper does', () => {
    for (const ok of ['/', '/a', '/a/b-c_d.e', '/brokers/ids/1']) validatePath(ok);
    validatePath('/seq/', true);
    for (const bad of ['', 'a', '/a/', '//a', '/a//b', '/a/./b', '/a/..', '/a\u0000b']) {
      assert.throws(
        () => validatePath(bad),
        (e: unknown) => e instanceof ZooKeeperError && e.code === 'BADARGUMENTS',
        JSON.stringify(bad),
      );
    }
  });
});

describe('watch registry', () => {
  it('hands each notification the listeners it triggers, once', () => {
    const reg = new ZkWatchRegistry();
    const heard: string[] = [];
    reg.add('data', '/a', (e) => heard.push(`data ${e}`));
    reg.add('exist', '/b', (e) => heard.push(`exist ${e}`));
    reg.add('child', '/a', (e) => heard.push(`child ${e}`));
    assert.deepEqual(reg.paths(), { data: ['/a'], exist: ['/b'], child: ['/a'] });
    const changed = reg.take(EventType.nodeDataChanged, '/a');
    assert.equal(changed?.event, 'changed');
    for (const w of changed?.watchers ?? []) w(changed!.event);
    assert.deepEqual(heard, ['data changed']);
    assert.equal(reg.take(EventType.nodeDataChanged, '/a')?.watchers.length, 0, 'one-shot');
    const deleted = reg.take(EventType.nodeDeleted, '/a');
    assert.equal(deleted?.watchers.length, 1, 'the child watch hears the deletion');
    assert.equal(reg.take(EventType.nodeCreated, '/b')?.watchers.length, 1);
    assert.equal(reg.size, 0);
    assert.equal(reg.take(EventType.none, '/x'), null);
  });
});

describe('error mapping', () => {
  it('maps ZooKeeper codes to MetadataError codes', () => {
    const cases: [number, string][] = [
      [-101, 'NO_NODE'],
      [-110, 'NODE_EXISTS'],
      [-103, 'BAD_VERSION'],
      [-111, 'NOT_EMPTY'],
      [-108, 'BAD_PATH'],
      [-8, 'BAD_PATH'],
      [-112, 'SESSION_CLOSED'],
      [-4, 'CONNECTION_LOSS'],
    ];
    for (const [zk, code] of cases) {
      const mapped = toMetadataError(ZooKeeperError.fromCode(zk, '/p'), '/p');
      assert.ok(mapped instanceof MetadataError && mapped.code === code, `${zk} → ${code}`);
      assert.equal((mapped as MetadataError).path, '/p');
    }
    const noAuth = toMetadataError(ZooKeeperError.fromCode(-102, '/p'), '/p');
    assert.ok(noAuth instanceof ZooKeeperError && noAuth.code === 'NOAUTH' && noAuth.zkCode === -102);
    assert.equal((ZooKeeperError.fromCode(-999, '/p') as ZooKeeperError).code, 'SYSTEMERROR');
  });
});
