import type { Reader } from './primitives/reader.ts';
import { sizeOfNullableString, type Writer } from './primitives/writer.ts';

/**
 * Request and response headers.
 *
 * Request header v0: api_key int16, api_version int16, correlation_id int32.
 * v1 adds client_id (int16-length nullable string — never compact, even in v2).
 * v2 adds a tagged-fields section. A request uses v2 exactly when its API version is flexible.
 *
 * Response header v0: correlation_id int32. v1 adds a tagged-fields section; used for flexible
 * versions except ApiVersions, whose responses always use v0 so old clients can read the error.
 */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Reads the fixed prefix shared by every request header version (8 bytes). */
export function readRequestHeaderPrefix(r: Reader): Omit<RequestHeader, 'clientId'> {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  return { apiKey, apiVersion, correlationId };
}

/** Reads the rest of a request header of the given header version (0, 1 or 2). */
export function readRequestHeaderRest(r: Reader, headerVersion: number): string | null {
  if (headerVersion < 1) return null;
  const clientId = r.nullableString();
  if (headerVersion >= 2) r.skipTaggedFields();
  return clientId;
}

export function sizeOfRequestHeader(h: RequestHeader, headerVersion: number): number {
  let n = 8;
  if (headerVersion >= 1) n += sizeOfNullableString(h.clientId);
  if (headerVersion >= 2) n += 1;
  return n;
}

export function writeRequestHeader(w: Writer, h: RequestHeader, headerVersion: number): void {
  w.int16(h.apiKey);
  w.int16(h.apiVersion);
  w.int32(h.correlationId);
  if (headerVersion >= 1) w.nullableString(h.clientId);
  if (headerVersion >= 2) w.emptyTaggedFields();
}

export function sizeOfResponseHeader(headerVersion: number): number {
  return headerVersion >= 1 ? 5 : 4;
}

export function writeResponseHeader(w: Writer, correlationId: number, headerVersion: number): void {
  w.int32(correlationId);
  if (headerVersion >= 1) w.emptyTaggedFields();
}

/** Reads a response header; returns the correlation id. */
export function readResponseHeader(r: Reader, headerVersion: number): number {
  const correlationId = r.int32();
  if (headerVersion >= 1) r.skipTaggedFields();
  return correlationId;
}
