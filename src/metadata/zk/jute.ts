/**
 * ZooKeeper's wire format (jute records, from zookeeper.jute), for the requests and responses the
 * client uses. Pure functions: no I/O, no state.
 *
 * Jute primitives, all big-endian:
 *   int      4 bytes            long     8 bytes             boolean  1 byte (0 or 1)
 *   ustring  int32 length + UTF-8 bytes (-1 = null)
 *   buffer   int32 length + bytes       (-1 = null)
 *   vector   int32 count + elements     (-1 = null)
 *
 * Framing: every message on the socket is `int32 length | payload`. The first message each way is
 * the session handshake (ConnectRequest / ConnectResponse, no header); after that a request is
 * `RequestHeader | body` and an answer `ReplyHeader | body` (body only when err = 0).
 *
 * Session ids and zxids are 64-bit and use the whole range (a standalone server's session ids start
 * at 0x01 << 56), so they travel as bigint.
 */
import { Reader } from '../../protocol/primitives/reader.ts';
import { Writer } from '../../protocol/primitives/writer.ts';
import { OpCode } from './zk-errors.ts';

/** Stat, 68 bytes: long czxid | long mzxid | long ctime | long mtime | int version | int cversion |
 *  int aversion | long ephemeralOwner | int dataLength | int numChildren | long pzxid */
export interface ZkStat {
  czxid: bigint;
  mzxid: bigint;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

export interface ConnectResponse {
  protocolVersion: number;
  /** The negotiated session timeout; 0 when the session asked for has expired. */
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  readOnly: boolean;
}

export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

/** One op of a multi, with server paths. */
export type JuteMultiOp =
  | { type: 'create'; path: string; data: Buffer; flags: number }
  | { type: 'setData'; path: string; data: Buffer; version: number }
  | { type: 'delete'; path: string; version: number }
  | { type: 'check'; path: string; version: number };

/** One result of a multi: `err` is 0 for an op that succeeded (or would have, had none failed). */
export type JuteMultiResult =
  | { type: 'create'; err: 0; path: string }
  | { type: 'setData'; err: 0; stat: ZkStat }
  | { type: 'delete' | 'check'; err: 0 }
  | { type: 'error'; err: number };

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** ACL vector with one entry, world:anyone with all permissions (OPEN_ACL_UNSAFE):
 *  int32 count=1 | int32 perms=31 | ustring "world" | ustring "anyone" — 27 bytes. */
const OPEN_ACL = (() => {
  const w = new Writer(4 + 4 + 4 + 5 + 4 + 6);
  w.int32(1);
  w.int32(31);
  w.bytes(utf8('world'));
  w.bytes(utf8('anyone'));
  return w.finish();
})();

// ---------------------------------------------------------------------------------------------
// Handshake

/**
 * ConnectRequest frame: int32 length | int32 protocolVersion (0) | long lastZxidSeen |
 * int32 timeOut | long sessionId (0 = new) | buffer passwd (16 bytes, zeros when new) |
 * boolean readOnly (false).
 */
export function encodeConnectRequest(lastZxid: bigint, timeoutMs: number, sessionId: bigint, passwd: Buffer): Buffer {
  const size = 4 + 8 + 4 + 8 + 4 + passwd.length + 1;
  const w = new Writer(4 + size);
  w.int32(size);
  w.int32(0);
  w.int64Big(lastZxid);
  w.int32(timeoutMs);
  w.int64Big(sessionId);
  w.bytes(passwd);
  w.bool(false);
  return w.finish();
}

/** ConnectResponse (frame payload): int32 protocolVersion | int32 timeOut | long sessionId |
 *  buffer passwd | [boolean readOnly] (absent from servers before 3.4). */
export function decodeConnectResponse(payload: Buffer): ConnectResponse {
  const r = new Reader(payload);
  const protocolVersion = r.int32();
  const timeOut = r.int32();
  const sessionId = r.int64Big();
  const passwd = Buffer.from(r.nullableBytes() ?? Buffer.alloc(0));
  const readOnly = r.remaining > 0 ? r.bool() : false;
  r.check();
  return { protocolVersion, timeOut, sessionId, passwd, readOnly };
}

// ---------------------------------------------------------------------------------------------
// Requests: bodies without the header, framed by frameRequest()

/** Request frame: int32 length | int32 xid | int32 type | body. */
export function frameRequest(xid: number, type: number, body: Buffer): Buffer {
  const w = new Writer(12 + body.length);
  w.int32(8 + body.length);
  w.int32(xid);
  w.int32(type);
  w.raw(body);
  return w.finish();
}

/** CreateRequest: ustring path | buffer data | vector<ACL> acl | int32 flags. */
export function encodeCreate(path: string, data: Buffer, flags: number): Buffer {
  const p = utf8(path);
  const w = new Writer(4 + p.length + 4 + data.length + OPEN_ACL.length + 4);
  writeCreate(w, p, data, flags);
  return w.finish();
}

function writeCreate(w: Writer, p: Buffer, data: Buffer, flags: number): void {
  w.bytes(p);
  w.bytes(data);
  w.raw(OPEN_ACL);
  w.int32(flags);
}

/** DeleteRequest / CheckVersionRequest: ustring path | int32 version (-1 = any). */
export function encodePathVersion(path: string, version: number): Buffer {
  const p = utf8(path);
  const w = new Writer(4 + p.length + 4);
  w.bytes(p);
  w.int32(version);
  return w.finish();
}

/** ExistsRequest / GetDataRequest / GetChildrenRequest: ustring path | boolean watch. */
export function encodePathWatch(path: string, watch: boolean): Buffer {
  const p = utf8(path);
  const w = new Writer(4 + p.length + 1);
  w.bytes(p);
  w.bool(watch);
  return w.finish();
}

/** SetDataRequest: ustring path | buffer data | int32 version (-1 = any). */
export function encodeSetData(path: string, data: Buffer, version: number): Buffer {
  const p = utf8(path);
  const w = new Writer(4 + p.length + 4 + data.length + 4);
  w.bytes(p);
  w.bytes(data);
  w.int32(version);
  return w.finish();
}

/**
 * MultiTransactionRecord: for each op, MultiHeader { int32 type | boolean done=false | int32 err=-1 }
 * followed by the op's request record (CreateRequest, SetDataRequest, DeleteRequest,
 * CheckVersionRequest); then the end marker MultiHeader { -1 | true | -1 }.
 */
export function encodeMulti(ops: readonly JuteMultiOp[]): Buffer {
  const paths = ops.map((op) => utf8(op.path));
  let size = 9; // end marker
  ops.forEach((op, i) => {
    size += 9 + 4 + paths[i]!.length;
    if (op.type === 'create') size += 4 + op.data.length + OPEN_ACL.length + 4;
    else if (op.type === 'setData') size += 4 + op.data.length + 4;
    else size += 4;
  });
  const w = new Writer(size);
  ops.forEach((op, i) => {
    const p = paths[i]!;
    w.int32(OpCode[op.type]);
    w.bool(false);
    w.int32(-1);
    switch (op.type) {
      case 'create':
        writeCreate(w, p, op.data, op.flags);
        break;
      case 'setData':
        w.bytes(p);
        w.bytes(op.data);
        w.int32(op.version);
        break;
      case 'delete':
      case 'check':
        w.bytes(p);
        w.int32(op.version);
        break;
    }
  });
  w.int32(-1);
  w.bool(true);
  w.int32(-1);
  return w.finish();
}

/** SetWatches: long relativeZxid | vector<ustring> dataWatches | vector<ustring> existWatches |
 *  vector<ustring> childWatches. */
export function encodeSetWatches(relativeZxid: bigint, data: string[], exist: string[], child: string[]): Buffer {
  const lists = [data, exist, child].map((l) => l.map(utf8));
  const size = 8 + lists.reduce((n, l) => n + 4 + l.reduce((m, p) => m + 4 + p.length, 0), 0);
  const w = new Writer(size);
  w.int64Big(relativeZxid);
  for (const l of lists) {
    w.int32(l.length);
    for (const p of l) w.bytes(p);
  }
  return w.finish();
}

// ---------------------------------------------------------------------------------------------
// Answers: decoders over a Reader positioned after the ReplyHeader; the caller checks r.error.

/** ReplyHeader: int32 xid | long zxid | int32 err. */
export function readReplyHeader(r: Reader): ReplyHeader {
  return { xid: r.int32(), zxid: r.int64Big(), err: r.int32() };
}

export function readStat(r: Reader): ZkStat {
  return {
    czxid: r.int64Big(),
    mzxid: r.int64Big(),
    ctime: r.int64(),
    mtime: r.int64(),
    version: r.int32(),
    cversion: r.int32(),
    aversion: r.int32(),
    ephemeralOwner: r.int64Big(),
    dataLength: r.int32(),
    numChildren: r.int32(),
    pzxid: r.int64Big(),
  };
}

/** ustring; null reads as ''. */
export function readUstring(r: Reader): string {
  return r.nullableBytes()?.toString('utf8') ?? '';
}

/** GetDataResponse: buffer data (null = empty) | Stat. The data is copied out of the frame. */
export function readGetData(r: Reader): { data: Buffer; stat: ZkStat } {
  const data = Buffer.from(r.nullableBytes() ?? Buffer.alloc(0));
  return { data, stat: readStat(r) };
}

/** GetChildrenResponse: vector<ustring> children. */
export function readChildren(r: Reader): string[] {
  const n = r.arrayLength(4);
  const out: string[] = [];
  for (let i = 0; i < n && r.error === null; i++) out.push(readUstring(r));
  return out;
}

/** WatcherEvent: int32 type | int32 state | ustring path. */
export function readWatcherEvent(r: Reader): WatcherEvent {
  return { type: r.int32(), state: r.int32(), path: readUstring(r) };
}

/**
 * MultiResponse: for each op, MultiHeader { int32 type | boolean done | int32 err } then, by type:
 * create → ustring path; setData → Stat; delete, check → nothing; error (-1) → int32 err. Ends with
 * a header whose done is true. In a failed multi every op answers with an error result: 0 before
 * the failing op, its code for the failing op, RUNTIMEINCONSISTENCY (-2) after it.
 */
export function readMultiResponse(r: Reader): JuteMultiResult[] {
  const out: JuteMultiResult[] = [];
  for (;;) {
    const type = r.int32();
    const done = r.bool();
    r.int32(); // header err, repeated in the error body
    if (done || r.error !== null) return out;
    switch (type) {
      case OpCode.create:
        out.push({ type: 'create', err: 0, path: readUstring(r) });
        break;
      case OpCode.setData:
        out.push({ type: 'setData', err: 0, stat: readStat(r) });
        break;
      case OpCode.delete:
        out.push({ type: 'delete', err: 0 });
        break;
      case OpCode.check:
        out.push({ type: 'check', err: 0 });
        break;
      case OpCode.error:
        out.push({ type: 'error', err: r.int32() });
        break;
      default:
        r.fail('BAD_RECORD', `unknown multi result type ${type}`);
        return out;
    }
  }
}

/** Folds a 64-bit session id into a safe JS integer for `MetadataStore.sessionId`/`ephemeralOwner`.
 *  Layout of ZooKeeper's ids: server id (8 bits) | time (40 bits) | counter (16 bits); the fold keeps
 *  the server id and the low 45 bits, so ids of one server stay distinct for 2^29 ms (six days). */
export function foldSessionId(id: bigint): number {
  const u = BigInt.asUintN(64, id);
  return Number(((u >> 56n) << 45n) | (u & ((1n << 45n) - 1n)));
}

/** `0x…` form of a session id, as ZooKeeper logs it. */
export function sessionIdHex(id: bigint): string {
  return `0x${BigInt.asUintN(64, id).toString(16)}`;
}
