/**
 * The records of `__consumer_offsets`, in Kafka's own formats (group-coordinator/*.json of Kafka
 * 3.9), so Kafka's tools can read a Samsa offsets topic and a Samsa coordinator can load one that
 * Kafka wrote. Keys and values are each an int16 version followed by the struct at that version;
 * the key's version says which kind of record it is:
 *
 *   key version 0 or 1 — an offset commit (OffsetCommitKey), value OffsetCommitValue v0-4
 *   key version 2      — group metadata   (GroupMetadataKey), value GroupMetadataValue v0-4
 *   a null value       — a tombstone: the key's offset or group is deleted
 *
 * Byte layouts (big-endian; `string` = int16 length + UTF-8, `nstring` = the same with -1 for
 * null, `bytes` = int32 length + bytes; versions 4+ are "flexible": strings and bytes carry an
 * unsigned varint of length+1 instead, arrays a uvarint of count+1, and every struct ends with a
 * tagged-field section, which we skip when reading):
 *
 *   OffsetCommitKey      int16 version(0|1) · string group · string topic · int32 partition
 *   GroupMetadataKey     int16 version(2)   · string group
 *   OffsetCommitValue    int16 version · int64 offset · [v3+ int32 leaderEpoch] · string metadata ·
 *                        int64 commitTimestamp · [v1 only: int64 expireTimestamp]
 *   GroupMetadataValue   int16 version · string protocolType · int32 generation · nstring protocol ·
 *                        nstring leader · [v2+ int64 currentStateTimestamp] · int32 member count,
 *                        then per member: string memberId · [v3+ nstring groupInstanceId] ·
 *                        string clientId · string clientHost · [v1+ int32 rebalanceTimeout] ·
 *                        int32 sessionTimeout · bytes subscription · bytes assignment
 *
 * We write what Kafka 3.9 writes: offset keys at version 1, group keys at version 2, offset values
 * at version 3 (version 1 when the commit carries an expire timestamp, OffsetCommit v2-4's
 * retention), group values at version 3. Decoding throws DecodeError on malformed bytes.
 */
import { DecodeError } from '../protocol/decode-error.ts';
import { Reader } from '../protocol/primitives/reader.ts';
import { sizeOfBytes, sizeOfNullableString, sizeOfString, Writer } from '../protocol/primitives/writer.ts';

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const OFFSET_COMMIT_VALUE_VERSION = 3;
/** The value version that carries an explicit expire timestamp. */
export const OFFSET_COMMIT_VALUE_EXPIRING_VERSION = 1;
export const GROUP_METADATA_VALUE_VERSION = 3;
const MAX_VALUE_VERSION = 4;

/** A committed offset as stored. leaderEpoch and expireTimestamp are -1 when absent. */
export interface OffsetCommitValue {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  expireTimestamp: number;
}

export interface GroupMemberValue {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

/** A group's state after its last completed rebalance (or when it became empty). */
export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  /** -1 when unknown (values before version 2). */
  currentStateTimestamp: number;
  members: GroupMemberValue[];
}

export type RecordKey =
  | { kind: 'offset'; group: string; topic: string; partition: number }
  | { kind: 'group'; group: string }
  | { kind: 'unknown'; version: number };

// ---- Keys -----------------------------------------------------------------------------------

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  const w = new Writer(2 + sizeOfString(group) + sizeOfString(topic) + 4);
  w.int16(OFFSET_COMMIT_KEY_VERSION);
  w.string(group);
  w.string(topic);
  w.int32(partition);
  return w.finish();
}

export function encodeGroupMetadataKey(group: string): Buffer {
  const w = new Writer(2 + sizeOfString(group));
  w.int16(GROUP_METADATA_KEY_VERSION);
  w.string(group);
  return w.finish();
}

/** Decodes a record key; an unknown version is reported, not thrown (Kafka skips those records). */
export function decodeRecordKey(key: Buffer): RecordKey {
  const r = new Reader(key);
  const version = r.int16();
  let out: RecordKey;
  if (version === 0 || version === 1) {
    const group = r.string();
    const topic = r.string();
    out = { kind: 'offset', group, topic, partition: r.int32() };
  } else if (version === GROUP_METADATA_KEY_VERSION) {
    out = { kind: 'group', group: r.string() };
  } else {
    out = { kind: 'unknown', version };
  }
  r.check();
  return out;
}

// ---- Offset commit values --------------------------------------------------------------------

export function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  const version = v.expireTimestamp >= 0 ? OFFSET_COMMIT_VALUE_EXPIRING_VERSION : OFFSET_COMMIT_VALUE_VERSION;
  const w = new Writer(2 + 8 + (version >= 3 ? 4 : 0) + sizeOfString(v.metadata) + 8 + (version === 1 ? 8 : 0));
  w.int16(version);
  w.int64(v.offset);
  if (version >= 3) w.int32(v.leaderEpoch);
  w.string(v.metadata);
  w.int64(v.commitTimestamp);
  if (version === 1) w.int64(v.expireTimestamp);
  return w.finish();
}

export function decodeOffsetCommitValue(value: Buffer): OffsetCommitValue {
  const r = new Reader(value);
  const version = readValueVersion(r, 'OffsetCommitValue');
  const flexible = version >= 4;
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = flexible ? r.compactString() : r.string();
  const commitTimestamp = r.int64();
  const expireTimestamp = version === 1 ? r.int64() : -1;
  if (flexible) r.skipTaggedFields();
  r.check();
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

// ---- Group metadata values -------------------------------------------------------------------

export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  let size = 2 + sizeOfString(v.protocolType) + 4 + sizeOfNullableString(v.protocol);
  size += sizeOfNullableString(v.leader) + 8 + 4;
  for (const m of v.members) {
    size += sizeOfString(m.memberId) + sizeOfNullableString(m.groupInstanceId);
    size += sizeOfString(m.clientId) + sizeOfString(m.clientHost) + 4 + 4;
    size += sizeOfBytes(m.subscription) + sizeOfBytes(m.assignment);
  }
  const w = new Writer(size);
  w.int16(GROUP_METADATA_VALUE_VERSION);
  w.string(v.protocolType);
  w.int32(v.generation);
  w.nullableString(v.protocol);
  w.nullableString(v.leader);
  w.int64(v.currentStateTimestamp);
  w.arrayLength(v.members.length);
  for (const m of v.members) {
    w.string(m.memberId);
    w.nullableString(m.groupInstanceId);
    w.string(m.clientId);
    w.string(m.clientHost);
    w.int32(m.rebalanceTimeoutMs);
    w.int32(m.sessionTimeoutMs);
    w.bytes(m.subscription);
    w.bytes(m.assignment);
  }
  return w.finish();
}

/**
 * Decodes a group metadata value. Subscriptions and assignments are copied out of `value`, so a
 * loaded group does not pin the (large) read buffer it came from.
 */
export function decodeGroupMetadataValue(value: Buffer): GroupMetadataValue {
  const r = new Reader(value);
  const version = readValueVersion(r, 'GroupMetadataValue');
  const flex = version >= 4;
  const str = (): string => (flex ? r.compactString() : r.string());
  const nstr = (): string | null => (flex ? r.compactNullableString() : r.nullableString());
  const bytes = (): Buffer => Buffer.from(flex ? r.compactBytes() : r.bytes());
  const protocolType = str();
  const generation = r.int32();
  const protocol = nstr();
  const leader = nstr();
  const currentStateTimestamp = version >= 2 ? r.int64() : -1;
  // A member takes at least 16 bytes (four empty strings and two int32s before its bytes).
  const count = flex ? r.nonNullCompactArrayLength(16) : r.nonNullArrayLength(16);
  const members: GroupMemberValue[] = [];
  for (let i = 0; i < count && r.error === null; i++) {
    const memberId = str();
    const groupInstanceId = version >= 3 ? nstr() : null;
    const clientId = str();
    const clientHost = str();
    const rebalance = version >= 1 ? r.int32() : -1;
    const sessionTimeoutMs = r.int32();
    const subscription = bytes();
    const assignment = bytes();
    if (flex) r.skipTaggedFields();
    // Version 0 has no rebalance timeout; Kafka uses the session timeout in its place.
    const rebalanceTimeoutMs = version === 0 ? sessionTimeoutMs : rebalance;
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeoutMs,
      sessionTimeoutMs,
      subscription,
      assignment,
    });
  }
  if (flex) r.skipTaggedFields();
  r.check();
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}

function readValueVersion(r: Reader, what: string): number {
  const version = r.int16();
  r.check();
  if (version < 0 || version > MAX_VALUE_VERSION) {
    throw new DecodeError('UNSUPPORTED_VERSION', `${what} version ${version}`);
  }
  return version;
}
