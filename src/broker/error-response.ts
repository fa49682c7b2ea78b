import { apiSchemas, type FieldSchema } from '../protocol/messages/generated/schema.ts';
import { ZERO_UUID } from '../protocol/primitives/reader.ts';

/**
 * Error responses built from the message schemas, for handlers that declare no errorResponse.
 *
 * When a response has a top-level ErrorCode in the version asked (Heartbeat, JoinGroup,
 * InitProducerId, ...), Kafka answers a failed request with that response: the error set and
 * every other field at its default (empty arrays, zeros, empty or null strings). APIs whose
 * errors live per topic, partition or group (Produce, Fetch, Metadata, DescribeGroups, ...) have
 * no such field: null here, so their handlers must supply errorResponse or the connection closes.
 */
export function genericErrorResponse(apiKey: number, version: number, errorCode: number): object | null {
  let entry = cache.get(apiKey);
  if (entry === undefined) {
    const schema = apiSchemas.find((s) => s.apiKey === apiKey);
    const errorField = schema?.response.fields.find((f) => f.name === 'errorCode' && !f.array);
    entry = schema && errorField ? { errorVersions: errorField.versions, fields: schema.response.fields } : null;
    cache.set(apiKey, entry);
  }
  if (entry === null) return null;
  const [min, max] = entry.errorVersions;
  if (version < min || version > max) return null;
  return { ...defaults(entry.fields), errorCode };
}

const cache = new Map<number, { errorVersions: readonly [number, number]; fields: readonly FieldSchema[] } | null>();

/** Every field (of every version: an encoder reads only its version's) at its default. */
function defaults(fields: readonly FieldSchema[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f.name] = f.array ? [] : defaultOf(f);
  return out;
}

function defaultOf(f: FieldSchema): unknown {
  const d = f.default;
  switch (f.type) {
    case 'struct':
      return defaults(f.fields ?? []);
    case 'string':
      return typeof d === 'string' ? d : d === null && f.nullable ? null : '';
    case 'bool':
      return typeof d === 'boolean' ? d : false;
    case 'bytes':
      return f.nullable ? null : Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return ZERO_UUID;
    default:
      return typeof d === 'number' ? d : 0;
  }
}
