import { createRequire } from 'node:module';
import fc from 'fast-check';
import { apiSchemas, type FieldSchema } from '../../../src/protocol/messages/generated/schema.ts';
import type { Overrides } from './random-messages.ts';

/** Access to kafkajs 2.2.4's per-version request encoders and response decoders (CommonJS). */

const require = createRequire(import.meta.url);

// biome-ignore lint/suspicious/noExplicitAny: kafkajs is untyped JavaScript; its shapes are checked by value
export type Loose = any;

export interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
  encode(): Promise<{ buffer: Buffer }>;
}

export function kafkajsRequest(api: string, version: number): (args: Loose) => KafkajsRequest {
  return require(`kafkajs/src/protocol/requests/${api}/v${version}/request.js`);
}

export function kafkajsResponse(api: string, version: number): { decode(b: Buffer): Promise<Loose> } {
  return require(`kafkajs/src/protocol/requests/${api}/v${version}/response.js`);
}

/** Random messages per version and case. */
export const RUNS = 15;

export function schemaOf(name: string) {
  const s = apiSchemas.find((a) => a.name === name);
  if (!s) throw new Error(`no schema for ${name}`);
  return s;
}

/** kafkajs returns int64 values as decimal strings. */
export const s64 = (n: unknown) => String(n);

/** kafkajs writes an empty "nullable" array as null. */
export const emptyToNull = <T>(a: T[] | null) => (a === null || a.length === 0 ? null : a);

/** Error codes kafkajs decoders accept without throwing (35 makes them throw). */
const safeErrorCode = fc.integer({ min: 0, max: 34 });

export function overridesFor(extra?: Overrides): Overrides {
  return (f: FieldSchema, path: string, v: number) => {
    const custom = extra?.(f, path, v);
    if (custom) return custom;
    if (f.name === 'errorCode' && f.type === 'int16') return safeErrorCode;
    return undefined;
  };
}
