import type { Clock } from '../common/clock.ts';
import { describeError, type Logger } from '../common/logger.ts';
import { DecodeError } from '../protocol/decode-error.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { readRequestHeaderPrefix, readRequestHeaderRest } from '../protocol/headers.ts';
import { ApiKey, type ApiMessages, getApi } from '../protocol/messages/generated/api-table.ts';
import type { FetchResponse } from '../protocol/messages/generated/fetch.ts';
import { Reader } from '../protocol/primitives/reader.ts';
import { decodeRequestAfterPrefix, encodeFetchResponseFrame, encodeResponseFrame } from '../protocol/request.ts';
import { genericErrorResponse } from './error-response.ts';
import { CloseConnection, type Handler, type HandlerOutcome, type HandlerTable, RequestContext } from './handler.ts';
import {
  type ConnectionInfo,
  NO_RESPONSE,
  type ProcessOutcome,
  type RequestProcessor,
  type ResponseChunks,
} from './network/request-processor.ts';
import type { BrokerServices } from './services.ts';

export interface DispatcherOptions {
  readonly handlers: HandlerTable;
  readonly services: BrokerServices;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Turns a request frame into a response frame through the handler table. No sockets here: the
 * Connection calls process() and writes what comes back in order.
 *
 * For each frame:
 * 1. Peek api key, version, correlation id. A frame too short for that closes the connection.
 * 2. No handler for the key, or the version outside the handler's range: ApiVersions gets the
 *    KIP-511 answer (error 35, v0 body, header v0, our ApiVersions range) so the client can retry
 *    lower — once the rest of its header decodes, read as the version asked implies (v2, with
 *    tagged fields, from v3 on, however high), and its body unread, as Kafka does; any other API
 *    is logged and the connection closed, as Kafka does.
 * 3. Decode the header and body. Bytes that do not decode: log, close.
 * 4. Call the handler. A sync result is encoded and returned at once (no promise on this path);
 *    a Promise is chained. NO_RESPONSE and CloseConnection pass through. A Fetch response is
 *    encoded as chunks (record sets uncopied, see encodeFetchResponseFrame), any other as one
 *    Buffer.
 * 5. A handler that throws or rejects, or whose response does not encode: log with the API,
 *    version and client, then answer UNKNOWN_SERVER_ERROR with the handler's errorResponse, or
 *    the generic one when the response has a top-level error code (error-response.ts); else
 *    close. Nothing here throws to the connection, and the returned Promise never rejects.
 */
export class RequestDispatcher implements RequestProcessor {
  private readonly handlers: HandlerTable;
  private readonly services: BrokerServices;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: DispatcherOptions) {
    this.handlers = options.handlers;
    this.services = options.services;
    this.clock = options.clock;
    this.logger = options.logger;
  }

  process(frame: Buffer, connection: ConnectionInfo): ProcessOutcome | Promise<ProcessOutcome> {
    // One Reader for the whole request: the header prefix picks the handler, then the rest is
    // decoded from where it stopped.
    const r = new Reader(frame);
    const prefix = readRequestHeaderPrefix(r);
    if (r.error !== null) return this.reject(connection, frame, `request of ${frame.length} bytes has no header`);
    const { apiKey, apiVersion, correlationId } = prefix;
    const handler = this.handlers.get(apiKey);
    if (handler === undefined || apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === ApiKey.ApiVersions) {
        readRequestHeaderRest(r, getApi(ApiKey.ApiVersions).requestHeaderVersion(apiVersion));
        if (r.error !== null) {
          return this.reject(connection, frame, `ApiVersions v${apiVersion} request header does not decode`);
        }
        return this.unsupportedApiVersions(correlationId);
      }
      const why =
        handler === undefined
          ? `unknown API key ${apiKey}`
          : `unsupported ${handler.api.name} version ${apiVersion} (served: ${handler.minVersion}-${handler.maxVersion})`;
      return this.reject(connection, frame, why);
    }

    let request: unknown;
    let ctx: RequestContext;
    try {
      const decoded = decodeRequestAfterPrefix(r, prefix, handler.api);
      request = decoded.body;
      ctx = new RequestContext(decoded.header, connection, this.services, this.clock, this.logger, this.handlers);
    } catch (e) {
      const why = e instanceof DecodeError ? `${e.code}: ${e.message}` : describeError(e);
      return this.reject(connection, frame, `${handler.api.name} v${apiVersion} request does not decode: ${why}`);
    }

    let result: ReturnType<Handler['handle']>;
    try {
      result = handler.handle(ctx, request);
    } catch (e) {
      return this.failed(ctx, handler, request, e);
    }
    if (result instanceof Promise) {
      return result.then(
        (r) => this.finish(ctx, handler, request, r),
        (e) => this.failed(ctx, handler, request, e),
      );
    }
    return this.finish(ctx, handler, request, result);
  }

  private finish(ctx: RequestContext, handler: Handler, request: unknown, r: HandlerOutcome<unknown>): ProcessOutcome {
    if (r === NO_RESPONSE) return r;
    if (r instanceof CloseConnection) {
      this.logger.info(`closing ${describe(ctx.connection, ctx.clientId)}: ${r.reason}`);
      return r;
    }
    try {
      return this.encode(ctx, r);
    } catch (e) {
      return this.failed(ctx, handler, request, e);
    }
  }

  private failed(ctx: RequestContext, handler: Handler, request: unknown, e: unknown): ProcessOutcome {
    const what = `${handler.api.name} v${ctx.apiVersion} (correlation id ${ctx.header.correlationId})`;
    this.logger.error(`${what} failed for ${describe(ctx.connection, ctx.clientId)}: ${describeError(e)}`);
    try {
      const code = ErrorCode.UNKNOWN_SERVER_ERROR;
      const body =
        handler.errorResponse !== undefined
          ? handler.errorResponse(request, code, ctx)
          : genericErrorResponse(ctx.header.apiKey, ctx.apiVersion, code);
      if (body !== null) return this.encode(ctx, body);
    } catch (e2) {
      this.logger.error(`${what}: the error response failed too: ${describeError(e2)}`);
    }
    return new CloseConnection(`${handler.api.name} handler failed`);
  }

  private encode(ctx: RequestContext, body: unknown): Buffer | ResponseChunks {
    const h = ctx.header;
    // Fetch, the hot path: record sets go to the socket as chunks of their own, uncopied.
    if (h.apiKey === ApiKey.Fetch)
      return encodeFetchResponseFrame(h.apiVersion, h.correlationId, body as FetchResponse);
    return encodeResponseFrame(h.apiKey as keyof ApiMessages, h.apiVersion, h.correlationId, body as never);
  }

  /** KIP-511: error 35 in a v0 body (response header v0) holding our ApiVersions range. */
  private unsupportedApiVersions(correlationId: number): Buffer {
    const own = this.handlers.get(ApiKey.ApiVersions);
    return encodeResponseFrame(ApiKey.ApiVersions, 0, correlationId, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: own ? [{ apiKey: ApiKey.ApiVersions, minVersion: own.minVersion, maxVersion: own.maxVersion }] : [],
    });
  }

  private reject(connection: ConnectionInfo, frame: Buffer, why: string): CloseConnection {
    this.logger.warn(`closing ${describe(connection, peekClientId(frame))}: ${why}`);
    return new CloseConnection(why);
  }
}

function describe(c: ConnectionInfo, clientId: string | null | undefined): string {
  const who = `connection ${c.id} from ${c.clientHost}:${c.clientPort}`;
  return clientId ? `${who} (client id ${JSON.stringify(clientId)})` : who;
}

/** The client id of a request header v1/v2, best effort, for log lines about undecodable requests. */
function peekClientId(frame: Buffer): string | undefined {
  if (frame.length < 10) return undefined;
  const len = frame.readInt16BE(8);
  if (len < 0 || len > 256 || 10 + len > frame.length) return undefined;
  return frame.toString('utf8', 10, 10 + len);
}
