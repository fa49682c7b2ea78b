import type { Clock } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
import type { RequestHeader } from '../protocol/headers.ts';
import { type ApiDescriptor, type ApiMessages, apiTable } from '../protocol/messages/generated/api-table.ts';
import type { ApiVersionsResponseApiVersion } from '../protocol/messages/generated/api-versions.ts';
import { CloseConnection, type ConnectionInfo, NO_RESPONSE, type NoResponse } from './network/request-processor.ts';
import type { BrokerServices } from './services.ts';

export { CloseConnection, NO_RESPONSE, type NoResponse };

/** What a handler gives back: the response body, NO_RESPONSE (acks=0), or close the connection. */
export type HandlerOutcome<R> = R | NoResponse | CloseConnection;
/** Sync for the fast path; a (native) Promise when the handler waits. */
export type HandlerResult<R> = HandlerOutcome<R> | Promise<HandlerOutcome<R>>;

/**
 * Everything a handler may use besides its request body. One per request, built by the
 * dispatcher after the request decoded; cheap (references only).
 */
export class RequestContext {
  /** api key, api version, correlation id, client id. */
  readonly header: RequestHeader;
  /** The connection the request came on (id, listener, client host and port, isClosed). */
  readonly connection: ConnectionInfo;
  /** The broker's services (replica manager, metadata, ...); see services.ts. */
  readonly services: BrokerServices;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The handler table serving this request (ApiVersions answers from it). */
  readonly handlers: HandlerTable;
  /** clock.monotonic() when the request was dispatched. */
  readonly receivedAt: number;

  constructor(
    header: RequestHeader,
    connection: ConnectionInfo,
    services: BrokerServices,
    clock: Clock,
    logger: Logger,
    handlers: HandlerTable,
  ) {
    this.header = header;
    this.connection = connection;
    this.services = services;
    this.clock = clock;
    this.logger = logger;
    this.handlers = handlers;
    this.receivedAt = clock.monotonic();
  }

  get apiVersion(): number {
    return this.header.apiVersion;
  }

  get clientId(): string | null {
    return this.header.clientId;
  }

  get clientHost(): string {
    return this.connection.clientHost;
  }

  /** An outcome that answers nothing and closes the connection after the earlier responses. */
  close(reason: string): CloseConnection {
    return new CloseConnection(reason);
  }
}

/**
 * One API served by the broker. Declare with defineHandler(); the table and ApiVersions use
 * `minVersion`..`maxVersion`, which must lie within the codec's range.
 */
export interface Handler {
  readonly api: ApiDescriptor;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Method syntax on purpose: a handler for one API's request type is assignable here. */
  handle(ctx: RequestContext, request: unknown): HandlerResult<unknown>;
  /**
   * The response to send when handle() throws or rejects (called with UNKNOWN_SERVER_ERROR).
   * Without it the dispatcher answers with genericErrorResponse() when the response has a
   * top-level error code, and otherwise closes the connection.
   */
  errorResponse?(request: unknown, errorCode: number, ctx: RequestContext): unknown;
}

export interface HandlerOptions<K extends keyof ApiMessages> {
  errorResponse?: (
    request: ApiMessages[K]['request'],
    errorCode: number,
    ctx: RequestContext,
  ) => ApiMessages[K]['response'];
}

/**
 * Declares a handler in one line:
 * `defineHandler(ApiKey.Metadata, 0, 12, handleMetadata, { errorResponse })`.
 * Throws if the range is empty or outside what the generated codec supports.
 */
export function defineHandler<K extends keyof ApiMessages>(
  apiKey: K,
  minVersion: number,
  maxVersion: number,
  handle: (ctx: RequestContext, request: ApiMessages[K]['request']) => HandlerResult<ApiMessages[K]['response']>,
  options: HandlerOptions<K> = {},
): Handler {
  const api = apiTable.get(apiKey);
  if (api === undefined) throw new RangeError(`no codec for API key ${apiKey}`);
  if (!(minVersion <= maxVersion && minVersion >= api.minVersion && maxVersion <= api.maxVersion)) {
    throw new RangeError(
      `${api.name} handler range ${minVersion}-${maxVersion} is outside the codec's ${api.minVersion}-${api.maxVersion}`,
    );
  }
  const handler: Handler = { api, minVersion, maxVersion, handle };
  if (options.errorResponse) handler.errorResponse = options.errorResponse;
  return handler;
}

/**
 * The APIs this broker serves, by key. Immutable once built. The ApiVersions answer is derived
 * from it (`apiVersions`), so what is advertised is exactly what has a handler.
 */
export class HandlerTable {
  /** Advertised ranges, sorted by API key: the ApiVersions response's ApiKeys. */
  readonly apiVersions: readonly ApiVersionsResponseApiVersion[];
  private readonly byKey: (Handler | undefined)[] = [];

  constructor(handlers: Iterable<Handler>) {
    const advertised: ApiVersionsResponseApiVersion[] = [];
    for (const h of handlers) {
      const key = h.api.apiKey;
      if (this.byKey[key] !== undefined) throw new Error(`two handlers for ${h.api.name} (API key ${key})`);
      this.byKey[key] = h;
      advertised.push(Object.freeze({ apiKey: key, minVersion: h.minVersion, maxVersion: h.maxVersion }));
    }
    advertised.sort((a, b) => a.apiKey - b.apiKey);
    this.apiVersions = Object.freeze(advertised);
  }

  get(apiKey: number): Handler | undefined {
    return apiKey >= 0 ? this.byKey[apiKey] : undefined;
  }

  /** True if a handler serves `version` of `apiKey`. */
  supports(apiKey: number, version: number): boolean {
    const h = this.get(apiKey);
    return h !== undefined && version >= h.minVersion && version <= h.maxVersion;
  }

  get size(): number {
    return this.apiVersions.length;
  }
}
