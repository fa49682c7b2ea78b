/**
 * ZooKeeper's numeric codes (operation codes, error codes, watch event types, create modes) and
 * the typed errors of the ZooKeeper client. Facts from Apache ZooKeeper's ZooDefs.OpCode,
 * KeeperException.Code, Watcher.Event and CreateMode; the mapping to MetadataError is here too, so
 * the rest of metadata/zk/ never compares raw numbers.
 */
import { MetadataError } from '../metadata-store.ts';

/** Request types (RequestHeader.type). */
export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getChildren: 8,
  ping: 11,
  check: 13,
  multi: 14,
  setWatches: 101,
  closeSession: -11,
  /** MultiHeader.type of an error result and of the end marker. */
  error: -1,
} as const;

/** Reserved xids: the server answers pings and sends watch notifications with these. */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
} as const;

/** Server error codes (ReplyHeader.err, ErrorResponse.err), by KeeperException.Code name. */
export const ZK_ERROR_CODES = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;

export type ZkErrorName = keyof typeof ZK_ERROR_CODES;

const NAME_BY_CODE = new Map<number, ZkErrorName>(
  Object.entries(ZK_ERROR_CODES).map(([name, code]) => [code, name as ZkErrorName]),
);

/** WatcherEvent.type values. */
export const EventType = {
  none: -1,
  nodeCreated: 1,
  nodeDeleted: 2,
  nodeDataChanged: 3,
  nodeChildrenChanged: 4,
} as const;

/** CreateRequest.flags (CreateMode): bit 0 ephemeral, bit 1 sequential. */
export function createFlags(ephemeral: boolean, sequential: boolean): number {
  return (ephemeral ? 1 : 0) | (sequential ? 2 : 0);
}

/**
 * Conditions the client itself reports, beside the server's codes: CLOSED after `close()`,
 * REQUEST_TOO_LARGE before sending a frame the server would refuse, PROTOCOL when the server's
 * bytes make no sense.
 */
export type ZkClientErrorName = 'CLOSED' | 'REQUEST_TOO_LARGE' | 'PROTOCOL';

/** A failed ZooKeeper request: the server's error code by name, or a client-side condition. */
export class ZooKeeperError extends Error {
  readonly code: ZkErrorName | ZkClientErrorName;
  /** The server's numeric code (0 for client-side conditions). */
  readonly zkCode: number;
  /** The path of the request (client view, chroot removed), when it had one. */
  readonly path: string;
  constructor(code: ZkErrorName | ZkClientErrorName, path: string, message?: string) {
    super(message ?? `ZooKeeper ${code}${path ? ` at ${path}` : ''}`);
    this.name = 'ZooKeeperError';
    this.code = code;
    this.zkCode = code in ZK_ERROR_CODES ? ZK_ERROR_CODES[code as ZkErrorName] : 0;
    this.path = path;
  }

  static fromCode(zkCode: number, path: string): ZooKeeperError {
    const name = NAME_BY_CODE.get(zkCode);
    if (name === undefined) return new ZooKeeperError('SYSTEMERROR', path, `ZooKeeper error code ${zkCode} at ${path}`);
    return new ZooKeeperError(name, path);
  }
}

/** Raised by the initial connect when no server answered in time. */
export class ZooKeeperConnectError extends Error {
  readonly code = 'CONNECT_TIMEOUT';
  readonly connectString: string;
  constructor(connectString: string, message: string) {
    super(message);
    this.name = 'ZooKeeperConnectError';
    this.connectString = connectString;
  }
}

/**
 * The MetadataError for a ZooKeeper failure, or the error itself when the interface has no word
 * for it (authorization, server faults): those are not conditions callers handle.
 */
export function toMetadataError(err: unknown, path: string): unknown {
  if (!(err instanceof ZooKeeperError)) return err;
  const p = err.path || path;
  switch (err.code) {
    case 'NONODE':
      return new MetadataError('NO_NODE', p);
    case 'NODEEXISTS':
      return new MetadataError('NODE_EXISTS', p);
    case 'BADVERSION':
      return new MetadataError('BAD_VERSION', p);
    case 'NOTEMPTY':
      return new MetadataError('NOT_EMPTY', p);
    case 'NOCHILDRENFOREPHEMERALS':
      return new MetadataError('BAD_PATH', p, `${p}: ephemeral nodes cannot have children`);
    case 'BADARGUMENTS':
      return new MetadataError('BAD_PATH', p, `${p}: ZooKeeper rejected the path or arguments`);
    case 'SESSIONEXPIRED':
    case 'CLOSED':
      return new MetadataError(
        'SESSION_CLOSED',
        p,
        `${p}: the ZooKeeper session is ${err.code === 'CLOSED' ? 'closed' : 'expired'}`,
      );
    case 'CONNECTIONLOSS':
      return new MetadataError(
        'CONNECTION_LOSS',
        p,
        `${p}: the connection to ZooKeeper was lost before the answer came; the write may or may not have been applied`,
      );
    default:
      return err;
  }
}
