/**
 * The `zookeeper.connect` syntax: `host:port[,host:port...][/chroot]`. Hosts may be names, IPv4
 * or bracketed IPv6 (`[::1]:2181`); the port defaults to 2181. The chroot, when given, is the root
 * of every path the client sends: `/brokers` on a client with chroot `/samsa` is `/samsa/brokers`
 * on the server.
 */
export interface ZkServerAddress {
  host: string;
  port: number;
}

export interface ConnectString {
  servers: ZkServerAddress[];
  /** '' when there is none; otherwise an absolute path without a trailing slash. */
  chroot: string;
}

export function parseConnectString(connect: string): ConnectString {
  const trimmed = connect.trim();
  const slash = trimmed.indexOf('/');
  const hostList = slash === -1 ? trimmed : trimmed.slice(0, slash);
  let chroot = slash === -1 ? '' : trimmed.slice(slash);
  if (chroot === '/') chroot = '';
  if (chroot !== '' && (chroot.endsWith('/') || chroot.includes('//'))) {
    throw new Error(`invalid chroot '${chroot}' in ZooKeeper connect string '${connect}'`);
  }
  const servers = hostList
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => parseAddress(s, connect));
  if (servers.length === 0) throw new Error(`no server in ZooKeeper connect string '${connect}'`);
  return { servers, chroot };
}

function parseAddress(s: string, connect: string): ZkServerAddress {
  let host: string;
  let portText: string | undefined;
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end === -1) throw new Error(`unterminated IPv6 address '${s}' in ZooKeeper connect string '${connect}'`);
    host = s.slice(1, end);
    const rest = s.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new Error(`bad address '${s}' in '${connect}'`);
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = s.lastIndexOf(':');
    host = colon === -1 ? s : s.slice(0, colon);
    portText = colon === -1 ? undefined : s.slice(colon + 1);
  }
  const port = portText === undefined ? 2181 : Number(portText);
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`bad address '${s}' in ZooKeeper connect string '${connect}'`);
  }
  return { host, port };
}

export function formatAddress(a: ZkServerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** The server's path for a client path. */
export function toServerPath(chroot: string, path: string): string {
  if (chroot === '') return path;
  return path === '/' ? chroot : chroot + path;
}

/** The client's path for a server path (paths outside the chroot are returned unchanged). */
export function toClientPath(chroot: string, serverPath: string): string {
  if (chroot === '') return serverPath;
  if (serverPath === chroot) return '/';
  return serverPath.startsWith(`${chroot}/`) ? serverPath.slice(chroot.length) : serverPath;
}
