/**
 * Broker addresses as users write them: `host:port`, a comma-separated list of them (Kafka's
 * bootstrap.servers), IPv6 hosts in brackets (`[::1]:9092`).
 */

export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port[,host:port...]`; throws RangeError naming the entry that is wrong. */
export function parseBootstrap(text: string): BrokerAddress[] {
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) throw new RangeError(`no broker address in '${text}' (expected host:port)`);
  return entries.map(parseAddress);
}

/** Parses one `host:port` or `[ipv6]:port`. */
export function parseAddress(entry: string): BrokerAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(entry);
  if (m === null) throw new RangeError(`invalid broker address '${entry}' (expected host:port)`);
  const host = (m[1] ?? m[2])!;
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`invalid port in broker address '${entry}' (expected 1-65535)`);
  }
  return { host, port };
}

/** `host:port`, with brackets around IPv6 hosts. */
export function formatAddress(a: BrokerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
