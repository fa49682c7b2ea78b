import { DecodeError } from '../decode-error.ts';
import { Reader } from '../primitives/reader.ts';
import { Writer } from '../primitives/writer.ts';
import {
  consumerProtocolAssignmentCodec,
  consumerProtocolSubscriptionCodec,
  type DataCodec,
} from './generated/api-table.ts';
import type { ConsumerProtocolAssignment } from './generated/consumer-protocol-assignment.ts';
import type { ConsumerProtocolSubscription } from './generated/consumer-protocol-subscription.ts';

/**
 * The "consumer" group protocol payloads as they travel inside JoinGroup metadata and SyncGroup
 * assignments: an int16 version, then the struct at that version.
 *
 * As in Kafka's ConsumerProtocol, a payload from a newer version than we know is read with the
 * newest format we have (the specs promise later versions only append fields), and trailing
 * bytes are ignored for the same reason.
 */

export interface Versioned<T> {
  /** The version on the wire (possibly newer than the one used to read it). */
  version: number;
  value: T;
}

function encodeVersioned<T>(codec: DataCodec<T>, value: T, version: number): Buffer {
  const w = new Writer(2 + codec.sizeOf(value, version));
  w.int16(version);
  codec.write(w, value, version);
  return w.finish();
}

function decodeVersioned<T>(codec: DataCodec<T>, buf: Buffer): Versioned<T> {
  const r = new Reader(buf);
  const version = r.int16();
  r.check();
  if (version < codec.minVersion) throw new DecodeError('UNSUPPORTED_VERSION', `${codec.name} version ${version}`);
  const value = codec.decode(r, Math.min(version, codec.maxVersion));
  r.check();
  return { version, value };
}

export function encodeSubscription(sub: ConsumerProtocolSubscription, version: number): Buffer {
  return encodeVersioned(consumerProtocolSubscriptionCodec, sub, version);
}

/** Decodes a versioned subscription; throws DecodeError on bad bytes. */
export function decodeSubscription(buf: Buffer): Versioned<ConsumerProtocolSubscription> {
  return decodeVersioned(consumerProtocolSubscriptionCodec, buf);
}

export function encodeAssignment(assignment: ConsumerProtocolAssignment, version: number): Buffer {
  return encodeVersioned(consumerProtocolAssignmentCodec, assignment, version);
}

/** Decodes a versioned assignment; throws DecodeError on bad bytes. */
export function decodeAssignment(buf: Buffer): Versioned<ConsumerProtocolAssignment> {
  return decodeVersioned(consumerProtocolAssignmentCodec, buf);
}
