/**
 * Frames for fuzzing a live broker over TCP, and the driver that writes them.
 *
 * Corpus: for every API version the broker serves (its handler table), random valid requests
 * from the generated schemas (fast-check, as the in-process harness does), plus realistic seeds
 * the random ones never produce: Produce with real record batches (every codec, every acks),
 * Fetch, Metadata and ListOffsets of an existing topic. Frame #i is derived from the seed and i
 * alone, so any frame can be rebuilt from `SAMSA_FUZZ_SEED` and its number: a mutation (or none)
 * of a corpus entry, its correlation id set to i (so an answer says which frame it answers, and an
 * ERROR log line names the frame), then a size prefix that tells the truth or lies.
 *
 * The driver keeps `concurrency` connections busy. Each connection gets a burst of frames written
 * at once (pipelined), then the client half-closes; the broker answers what it accepted and closes
 * (at once on garbage). The frames the broker never reached — after the one that made it close —
 * are sent again on the next connection, so every frame is the next thing the broker reads at
 * least once. A frame counts as delivered when the broker answered it or it is the first frame
 * after the last answer.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { builtinHandlers } from '../../src/broker/handlers/index.ts';
import { FrameSplitter } from '../../src/protocol/framing.ts';
import { ApiKey, type ApiMessages } from '../../src/protocol/messages/generated/api-table.ts';
import { apiSchemas } from '../../src/protocol/messages/generated/schema.ts';
import { ZERO_UUID } from '../../src/protocol/primitives/reader.ts';
import { Compression, encodeRecordBatch, isCodecAvailable } from '../../src/protocol/records/index.ts';
import { encodeRequestFrame } from '../../src/protocol/request.ts';
import { arbMessage } from '../protocol/messages/random-messages.ts';
import { fetchRequest, produceRequest } from './live-broker-harness.ts';
import { mutate, Prng, STRATEGIES, type Strategy } from './mutator.ts';

export interface Seed {
  apiKey: number;
  version: number;
  /** Without the size prefix. */
  frame: Buffer;
}

/** The API versions the broker serves: `[apiKey, minVersion, maxVersion]`. */
export function servedVersions(): [number, number, number][] {
  return builtinHandlers.map((h) => [h.api.apiKey, h.minVersion, h.maxVersion]);
}

const SAMPLES_PER_VERSION = 3;

function encode<K extends keyof ApiMessages>(apiKey: K, version: number, body: ApiMessages[K]['request']): Seed {
  const framed = encodeRequestFrame({ apiKey, correlationId: 0, clientId: 'fuzz' }, body, version);
  return { apiKey, version, frame: framed.subarray(4) };
}

/**
 * The corpus: random requests of every served API version, and realistic requests for `target`
 * (an existing topic with one partition whose id is `targetId`).
 */
export function buildLiveCorpus(seed: number, target: string, targetId: string): Seed[] {
  const out: Seed[] = [];
  let n = 0;
  for (const [apiKey, min, max] of servedVersions()) {
    const schema = apiSchemas.find((a) => a.apiKey === apiKey)!.request;
    for (let v = min; v <= max; v++) {
      for (const m of fc.sample(arbMessage(schema, v), { numRuns: SAMPLES_PER_VERSION, seed: seed + n++ })) {
        out.push(encode(apiKey as keyof ApiMessages, v, m as never));
      }
    }
  }
  const rng = new Prng(seed ^ 0x5eed);
  const codecs = Object.values(Compression).filter((c) => isCodecAvailable(c));
  for (let v = 3; v <= 11; v++) {
    for (const acks of [1, -1, 0]) {
      const batch = encodeRecordBatch({
        compression: codecs[(v + acks + 1) % codecs.length]!,
        records: Array.from({ length: 1 + rng.int(4) }, (_, i) => ({
          key: rng.next() < 0.2 ? null : Buffer.from(`key-${v}-${i}`),
          value: rng.bytes(rng.int(64)),
          headers: rng.next() < 0.5 ? [{ key: 'h', value: rng.bytes(4) }] : [],
          timestamp: 1_700_000_000_000 + i,
        })),
      });
      out.push(encode(ApiKey.Produce, v, produceRequest(target, batch, acks)));
    }
  }
  for (let v = 4; v <= 17; v++) {
    const body = fetchRequest(target, 0, 0);
    body.topics[0]!.topicId = targetId;
    out.push(encode(ApiKey.Fetch, v, body));
  }
  for (let v = 0; v <= 12; v++) {
    out.push(
      encode(ApiKey.Metadata, v, {
        topics: [{ topicId: ZERO_UUID, name: target }],
        allowAutoTopicCreation: true,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      }),
    );
  }
  for (let v = 0; v <= 9; v++) {
    out.push(
      encode(ApiKey.ListOffsets, v, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          {
            name: target,
            partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }],
          },
        ],
      }),
    );
  }
  return out;
}

/**
 * How the size prefix treats the body:
 * - exact: tells the truth;
 * - negative: a negative size;
 * - huge: more than socket.request.max.bytes;
 * - over: a few bytes more than the body (it swallows the start of the next frame);
 * - under: a few bytes less (the rest of the body is read as the next frame);
 * - cut: the truth, but only part of the body is sent before the client hangs up;
 * - pending: up to 8 MiB more than is ever sent, then the client hangs up.
 * `cut` and `pending` end their burst.
 */
export type Envelope = 'exact' | 'negative' | 'huge' | 'over' | 'under' | 'cut' | 'pending';
export const ENVELOPES: readonly Envelope[] = ['exact', 'negative', 'huge', 'over', 'under', 'cut', 'pending'];

export interface WireFrame {
  index: number;
  /** What is written to the socket: size prefix and (part of) the body. */
  bytes: Buffer;
  envelope: Envelope;
  strategy: Strategy | 'none';
  apiKey: number;
  version: number;
}

export class FrameSource {
  private readonly seed: number;
  private readonly corpus: readonly Seed[];
  private readonly maxRequestBytes: number;

  constructor(seed: number, corpus: readonly Seed[], maxRequestBytes: number) {
    this.seed = seed;
    this.corpus = corpus;
    this.maxRequestBytes = maxRequestBytes;
  }

  /** Frame #index: a function of the seed and the index only. */
  frame(index: number): WireFrame {
    const rng = new Prng((Math.imul(index + 1, 0x9e3779b1) ^ this.seed) >>> 0);
    rng.next();
    const s = this.corpus[index % this.corpus.length]!;
    let body: Buffer;
    let strategy: Strategy | 'none';
    if (rng.next() < 0.1) {
      strategy = 'none';
      body = Buffer.from(s.frame);
    } else {
      strategy = rng.pick(STRATEGIES);
      // Mostly keep the API key and version so the body decoders and handlers are reached.
      const keep = rng.next() < 0.85 ? 4 : 0;
      body = mutate(rng, s.frame, rng.pick(this.corpus).frame, strategy, keep);
    }
    if (body.length >= 8) body.writeInt32BE(index, 4); // correlation id = frame number

    const r = rng.next();
    const envelope: Envelope =
      r < 0.8
        ? 'exact'
        : r < 0.83
          ? 'negative'
          : r < 0.86
            ? 'huge'
            : r < 0.9
              ? 'over'
              : r < 0.94
                ? 'under'
                : r < 0.97
                  ? 'cut'
                  : 'pending';
    let size = body.length;
    let sent = body;
    switch (envelope) {
      case 'negative':
        size = rng.pick([-1, -2, -(2 ** 31), -(1 + rng.int(1_000_000))]);
        break;
      case 'huge':
        size = rng.pick([2 ** 31 - 1, this.maxRequestBytes + 1, this.maxRequestBytes + 1 + rng.int(2 ** 30)]);
        break;
      case 'over':
        size = body.length + 1 + rng.int(64);
        break;
      case 'under':
        size = Math.max(0, body.length - 1 - rng.int(Math.min(body.length, 64)));
        break;
      case 'cut':
        sent = body.subarray(0, rng.int(body.length));
        break;
      case 'pending':
        size = Math.min(this.maxRequestBytes, body.length + 1 + rng.int(8 << 20));
        break;
      case 'exact':
        break;
    }
    const bytes = Buffer.allocUnsafe(4 + sent.length);
    bytes.writeInt32BE(size, 0);
    sent.copy(bytes, 4);
    return { index, bytes, envelope, strategy, apiKey: s.apiKey, version: s.version };
  }
}

export interface DriveOptions {
  port: number;
  source: FrameSource;
  /** Distinct frames to deliver. */
  frames: number;
  concurrency: number;
  /** Largest burst per connection. */
  burstMax: number;
  /**
   * A connection the broker has not closed this long after the client half-closed is cut by the
   * client. The broker may hold a request legitimately (a fuzzed Fetch long-polling a topic that
   * a fuzzed Produce created); the canary, not this, is what checks the broker is alive.
   */
  stallMs: number;
  /** Seed for burst sizes. */
  seed: number;
}

export interface DriveStats {
  delivered: number;
  framesWritten: number;
  bytesWritten: number;
  connections: number;
  responses: number;
  /** Connections the client cut after stallMs (see DriveOptions.stallMs), with their frame numbers. */
  stalled: number[][];
  envelopes: Record<Envelope, number>;
  /** `apiKey:version` of the corpus entries behind the delivered frames. */
  seeds: Set<string>;
  /** Broken promises: malformed response frames, answers out of request order. */
  violations: string[];
  ms: number;
}

/** Writes `frames` frames over `concurrency` connections at a time; see the module comment. */
export async function drive(o: DriveOptions): Promise<DriveStats> {
  const stats: DriveStats = {
    delivered: 0,
    framesWritten: 0,
    bytesWritten: 0,
    connections: 0,
    responses: 0,
    stalled: [],
    envelopes: Object.fromEntries(ENVELOPES.map((e) => [e, 0])) as Record<Envelope, number>,
    seeds: new Set(),
    violations: [],
    ms: 0,
  };
  const started = performance.now();
  let next = 0;
  const burstRng = new Prng(o.seed ^ 0xb0b);

  const delivered = new Set<number>();
  let refusedInARow = 0;

  const worker = async (): Promise<void> => {
    const resend: WireFrame[] = [];
    while (resend.length > 0 || next < o.frames) {
      const want = 1 + burstRng.int(o.burstMax);
      const burst: WireFrame[] = [];
      while (burst.length < want) {
        const f = resend.length > 0 ? resend.shift()! : next < o.frames ? o.source.frame(next++) : null;
        if (f === null) break;
        burst.push(f);
        if (f.envelope === 'cut' || f.envelope === 'pending') break;
      }
      const answered = await exchange(o, burst, stats);
      if (answered === null) {
        // Not even connected: the broker is gone (or the machine is out of ports).
        if (++refusedInARow > 100) throw new Error('100 connection attempts in a row failed: is the broker down?');
        resend.unshift(...burst);
        continue;
      }
      refusedInARow = 0;
      // Delivered: everything up to the last answered frame, and the one after it (it was read
      // next: it closed the connection, or needed no answer). The rest goes again.
      let last = -1;
      for (const id of answered) {
        const at = burst.findIndex((f, i) => i > last && f.index === id);
        if (at >= 0) last = at;
      }
      const upTo = Math.min(burst.length, last + 2);
      for (const f of burst.slice(0, upTo)) {
        if (delivered.has(f.index)) continue;
        delivered.add(f.index);
        stats.envelopes[f.envelope]++;
        stats.seeds.add(`${f.apiKey}:${f.version}`);
      }
      resend.unshift(...burst.slice(upTo));
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  stats.delivered = delivered.size;
  stats.ms = Math.round(performance.now() - started);
  return stats;
}

/** One connection: write the burst, half-close, collect the answers' correlation ids until the broker closes. */
function exchange(o: DriveOptions, burst: readonly WireFrame[], stats: DriveStats): Promise<number[] | null> {
  return new Promise((resolve) => {
    let connected = false;
    const socket = connect({ port: o.port, host: '127.0.0.1', noDelay: true });
    const ids: number[] = [];
    // Answers must come in request order; that can be checked when no size prefix lied.
    const ordered = burst.every((f) => f.envelope === 'exact' || f.envelope === 'cut' || f.envelope === 'pending');
    const splitter = new FrameSplitter(64 << 20, (frame) => {
      stats.responses++;
      if (frame.length < 4) {
        stats.violations.push(`response frame of ${frame.length} bytes (no correlation id)`);
        return;
      }
      const id = frame.readInt32BE(0);
      if (ordered) {
        const prev = ids.length > 0 ? ids[ids.length - 1]! : -1;
        const sent = burst.some((f) => f.index === id && f.envelope === 'exact');
        if (!sent || id <= prev) {
          stats.violations.push(
            `answer with correlation id ${id} after ${prev} on a connection that sent frames ${burst.map((f) => f.index).join(',')}`,
          );
        }
      }
      ids.push(id);
    });
    // Until connected, the same deadline bounds the connect (a broker that stopped accepting).
    let stall = setTimeout(() => socket.destroy(), o.stallMs);
    socket.on('data', (chunk: Buffer) => {
      if (!splitter.push(chunk)) stats.violations.push(`malformed response frame: ${splitter.error?.message}`);
    });
    socket.on('error', () => {}); // resets and broken pipes are the broker closing on garbage
    socket.once('connect', () => {
      connected = true;
      clearTimeout(stall);
      stats.connections++;
      const bytes = Buffer.concat(burst.map((f) => f.bytes));
      stats.framesWritten += burst.length;
      stats.bytesWritten += bytes.length;
      socket.end(bytes);
      stall = setTimeout(() => {
        stats.stalled.push(burst.map((f) => f.index));
        socket.destroy();
      }, o.stallMs);
    });
    socket.once('close', () => {
      clearTimeout(stall);
      resolve(connected ? ids : null);
    });
  });
}

/** A frame for a failure message: number, origin, envelope and bytes in hex. */
export function describeFrame(f: WireFrame, seed: number): string {
  return (
    `frame #${f.index} (SAMSA_FUZZ_SEED=${seed}; seed API ${f.apiKey} v${f.version}, mutation ${f.strategy}, ` +
    `size prefix ${f.envelope}): ${f.bytes.toString('hex')}`
  );
}
