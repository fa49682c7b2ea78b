/**
 * Which version of each API to speak with a broker, from its ApiVersions answer and the versions
 * our generated codecs support: for every API both sides know, the highest version in both ranges,
 * i.e. min(our max, broker max) provided it is not below max(our min, broker min). An API whose
 * ranges do not overlap, or that one side does not know, gets no version: requests for it fail on
 * our side with UnsupportedVersionError before anything is sent.
 */
import { apiTable } from '../protocol/messages/generated/api-table.ts';

/** A version range as ApiVersions reports it. */
export interface ApiVersionRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** Our side's range per API key: the generated codecs, optionally capped per key. */
export function clientVersionRanges(caps: Readonly<Record<number, number>> = {}): Map<number, ApiVersionRange> {
  const out = new Map<number, ApiVersionRange>();
  for (const api of apiTable.values()) {
    const cap = caps[api.apiKey];
    const maxVersion = cap === undefined ? api.maxVersion : Math.min(cap, api.maxVersion);
    if (maxVersion >= api.minVersion)
      out.set(api.apiKey, { apiKey: api.apiKey, minVersion: api.minVersion, maxVersion });
  }
  return out;
}

/** The version to use per API key: the highest one both ranges contain. */
export function negotiateVersions(
  broker: readonly ApiVersionRange[],
  ours: ReadonlyMap<number, ApiVersionRange>,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const b of broker) {
    const o = ours.get(b.apiKey);
    if (o === undefined) continue;
    const high = Math.min(o.maxVersion, b.maxVersion);
    const low = Math.max(o.minVersion, b.minVersion);
    if (high >= low) out.set(b.apiKey, high);
  }
  return out;
}
