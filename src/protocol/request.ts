import { DecodeError } from './decode-error.ts';
import { EncodeError } from './encode-error.ts';
import {
  type RequestHeader,
  readRequestHeaderPrefix,
  readRequestHeaderRest,
  readResponseHeader,
  sizeOfRequestHeader,
  sizeOfResponseHeader,
  writeRequestHeader,
  writeResponseHeader,
} from './headers.ts';
import { type ApiDescriptor, ApiKey, type ApiMessages, apiTable } from './messages/generated/api-table.ts';
import type { FetchResponse } from './messages/generated/fetch.ts';
import { Reader } from './primitives/reader.ts';
import { isGathered, Writer } from './primitives/writer.ts';

/**
 * Whole request and response frames: `[int32 size][header][body]`, encoded into one buffer
 * allocated at its exact size, and decoded from what FrameSplitter hands out (the bytes after the
 * size prefix).
 *
 * Decoding reports every problem with the bytes as a DecodeError: UNKNOWN_API for an API key
 * without a codec, UNSUPPORTED_VERSION for a version outside the API's range, and the Reader's
 * codes (TRUNCATED, BAD_LENGTH, ...) for malformed headers and bodies.
 *
 * Trailing bytes after a complete body are ignored, as Kafka does: a newer client may append
 * fields a version we know does not have, and rejecting them would buy nothing.
 */

/** Header fields of a request to encode; the API version is passed separately. */
export interface RequestFrameHeader<K extends number = number> {
  apiKey: K;
  correlationId: number;
  clientId: string | null;
}

export interface DecodedRequest<Body = unknown> {
  header: RequestHeader;
  api: ApiDescriptor;
  body: Body;
}

export interface DecodedResponse<Body = unknown> {
  correlationId: number;
  body: Body;
}

function apiFor(apiKey: number): ApiDescriptor | undefined {
  return apiTable.get(apiKey);
}

/** Encodes `[size][request header][body]` for `version` of the header's API. */
export function encodeRequestFrame<K extends keyof ApiMessages>(
  header: RequestFrameHeader<K>,
  body: ApiMessages[K]['request'],
  version: number,
): Buffer {
  const api = apiFor(header.apiKey);
  if (!api) throw new EncodeError('UNKNOWN_API', `no codec for API key ${header.apiKey}`);
  const bodySize = api.sizeOfRequest(body, version);
  const full: RequestHeader = {
    apiKey: header.apiKey,
    apiVersion: version,
    correlationId: header.correlationId,
    clientId: header.clientId,
  };
  const headerVersion = api.requestHeaderVersion(version);
  const size = sizeOfRequestHeader(full, headerVersion) + bodySize;
  const w = new Writer(4 + size);
  w.int32(size);
  writeRequestHeader(w, full, headerVersion);
  api.writeRequest(w, body, version);
  return w.finish();
}

/**
 * Reads the fixed part of a request header (API key, version, correlation id) without judging
 * it, e.g. to answer an unsupported ApiVersions request. Null if the frame is shorter than 8 bytes.
 */
export function peekRequestHeader(frame: Buffer): Omit<RequestHeader, 'clientId'> | null {
  if (frame.length < 8) return null;
  return readRequestHeaderPrefix(new Reader(frame));
}

/** Decodes a request frame (without its size prefix). Throws DecodeError, and nothing else, on bad bytes. */
export function decodeRequestFrame(frame: Buffer): DecodedRequest {
  const r = new Reader(frame);
  const prefix = readRequestHeaderPrefix(r);
  r.check();
  const api = apiFor(prefix.apiKey);
  if (!api) throw new DecodeError('UNKNOWN_API', `unknown API key ${prefix.apiKey}`);
  const version = prefix.apiVersion;
  if (version < api.minVersion || version > api.maxVersion) {
    throw new DecodeError(
      'UNSUPPORTED_VERSION',
      `${api.name} version ${version} is outside ${api.minVersion}-${api.maxVersion}`,
    );
  }
  return decodeRequestAfterPrefix(r, prefix, api);
}

/**
 * Decodes the rest of a request whose header prefix `r` has just read and whose API and version
 * the caller has already checked (the broker's dispatcher, which looked them up in its handler
 * table). Throws DecodeError on bad bytes.
 */
export function decodeRequestAfterPrefix(
  r: Reader,
  prefix: Omit<RequestHeader, 'clientId'>,
  api: ApiDescriptor,
): DecodedRequest {
  const clientId = readRequestHeaderRest(r, api.requestHeaderVersion(prefix.apiVersion));
  const body = api.decodeRequest(r, prefix.apiVersion);
  r.check();
  // Trailing bytes are deliberately ignored (see the module comment).
  return { header: { ...prefix, clientId }, api, body };
}

/** Narrows a decoded request to the message type of one API key. */
export function isRequestFor<K extends keyof ApiMessages>(
  d: DecodedRequest,
  apiKey: K,
): d is DecodedRequest<ApiMessages[K]['request']> {
  return d.header.apiKey === apiKey;
}

/** Encodes `[size][response header][body]`; ApiVersions always gets response header v0. */
export function encodeResponseFrame<K extends keyof ApiMessages>(
  apiKey: K,
  version: number,
  correlationId: number,
  body: ApiMessages[K]['response'],
): Buffer {
  const api = apiFor(apiKey);
  if (!api) throw new EncodeError('UNKNOWN_API', `no codec for API key ${apiKey}`);
  const bodySize = api.sizeOfResponse(body, version);
  const headerVersion = api.responseHeaderVersion(version);
  const size = sizeOfResponseHeader(headerVersion) + bodySize;
  const w = new Writer(4 + size);
  w.int32(size);
  writeResponseHeader(w, correlationId, headerVersion);
  api.writeResponse(w, body, version);
  return w.finish();
}

/**
 * A Fetch response frame for the socket: a single Buffer as encodeResponseFrame makes it when no
 * record set is large enough to gather (see `isGathered`), else the chunks of a gather Writer —
 * the frame's bytes with those record sets left out, interleaved with the record set Buffers
 * themselves, uncopied. Concatenated, the chunks are exactly encodeResponseFrame's bytes.
 */
export function encodeFetchResponseFrame(
  version: number,
  correlationId: number,
  body: FetchResponse,
): Buffer | Uint8Array[] {
  let gathered = 0;
  for (const t of body.responses) {
    for (const p of t.partitions) {
      const records = p.records;
      if (records != null && isGathered(records.length)) gathered += records.length;
    }
  }
  if (gathered === 0) return encodeResponseFrame(ApiKey.Fetch, version, correlationId, body);
  const api = apiFor(ApiKey.Fetch)!;
  const headerVersion = api.responseHeaderVersion(version);
  const size = sizeOfResponseHeader(headerVersion) + api.sizeOfResponse(body, version);
  const w = Writer.gather(4 + size - gathered);
  w.int32(size);
  writeResponseHeader(w, correlationId, headerVersion);
  api.writeResponse(w, body, version);
  return w.finishChunks();
}

/**
 * Decodes a response frame (without its size prefix) to a request of `version` of `apiKey`.
 * Throws DecodeError, and nothing else, on bad bytes; trailing bytes are ignored.
 */
export function decodeResponseFrame<K extends keyof ApiMessages>(
  apiKey: K,
  version: number,
  frame: Buffer,
): DecodedResponse<ApiMessages[K]['response']> {
  const api = apiFor(apiKey);
  if (!api) throw new DecodeError('UNKNOWN_API', `unknown API key ${apiKey}`);
  const r = new Reader(frame);
  const correlationId = readResponseHeader(r, api.responseHeaderVersion(version));
  const body = api.decodeResponse(r, version) as ApiMessages[K]['response'];
  r.check();
  return { correlationId, body };
}
