/**
 * Listener lists (`listeners`, `advertised.listeners`): `NAME://host:port[,NAME://host:port...]`
 * as Kafka parses them (EndPoint). The name is upper-cased; its security protocol comes from
 * `listener.security.protocol.map`. The host may be empty (every interface), a name, an IPv4
 * address or a bracketed IPv6 address. Samsa serves PLAINTEXT only, so a listener mapped to SSL
 * or SASL is an error rather than a silently plain socket.
 */
import { ConfigError } from '../../common/config-def.ts';

/** One listener: where to bind, or (advertised) what to tell clients. */
export interface ListenerEndpoint {
  /** Upper-case listener name, e.g. PLAINTEXT. */
  readonly name: string;
  /** Host or address; '' binds every interface (never '' once advertised). */
  readonly host: string;
  /** 0 binds a free port; an advertised 0 means "the port the same-named listener bound". */
  readonly port: number;
  readonly securityProtocol: 'PLAINTEXT';
}

const ENDPOINT = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/;
const LISTENER_FORMAT = 'must be a comma-separated list of NAME://host:port';

function invalid(key: string, value: string, allowed: string): ConfigError {
  return new ConfigError('INVALID_VALUE', `Invalid value '${value}' for configuration ${key}: ${allowed}`, key);
}

/** `listener.security.protocol.map`: NAME:PROTOCOL pairs, names upper-cased. */
export function parseProtocolMap(key: string, text: string): Map<string, string> {
  const map = new Map<string, string>();
  const trimmed = text.trim();
  if (trimmed === '') return map;
  for (const pair of trimmed.split(/\s*,\s*/)) {
    const m = /^([^:\s]+)\s*:\s*([^:\s]+)$/.exec(pair);
    if (m === null) throw invalid(key, text, 'must be a comma-separated list of NAME:PROTOCOL');
    map.set(m[1]!.toUpperCase(), m[2]!.toUpperCase());
  }
  return map;
}

/**
 * Parses a listener list. `distinctPorts`: no two listeners may share a port (not checked for
 * port 0, nor for advertised lists, where Kafka allows it).
 */
export function parseListenerList(
  key: string,
  text: string,
  protocols: ReadonlyMap<string, string>,
  options: { distinctPorts: boolean },
): ListenerEndpoint[] {
  const trimmed = text.trim();
  if (trimmed === '') throw invalid(key, text, `${LISTENER_FORMAT}, and name at least one listener`);
  const out: ListenerEndpoint[] = [];
  for (const entry of trimmed.split(/\s*,\s*/)) {
    const m = ENDPOINT.exec(entry);
    const port = m === null ? Number.NaN : Number(m[3]);
    if (m === null || m[1] === '' || !(port >= 0 && port <= 65535)) {
      throw invalid(key, text, `${LISTENER_FORMAT} with a port from 0 to 65535 ('${entry}' is not)`);
    }
    const name = m[1]!.toUpperCase();
    const protocol = protocols.get(name);
    if (protocol === undefined) {
      throw invalid(key, text, `no security protocol for listener ${name} in listener.security.protocol.map`);
    }
    if (protocol !== 'PLAINTEXT') {
      const what = name === protocol ? protocol : `${name}, which uses ${protocol}`;
      throw invalid(key, text, `Samsa serves PLAINTEXT listeners only, not ${what}`);
    }
    if (out.some((l) => l.name === name)) throw invalid(key, text, `each listener must have a different name`);
    if (options.distinctPorts && port !== 0 && out.some((l) => l.port === port)) {
      throw invalid(key, text, `each listener must have a different port`);
    }
    out.push({ name, host: m[2]!, port, securityProtocol: 'PLAINTEXT' });
  }
  return out;
}

/** Writes listeners back as Kafka's property text. */
export function formatListeners(listeners: readonly ListenerEndpoint[]): string {
  return listeners.map((l) => `${l.name}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`).join(',');
}

/** True for hosts that mean "every interface" and so cannot be given to clients. */
export function isWildcardHost(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::';
}
