import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../src/protocol/decode-error.ts';
import { FrameSplitter } from '../../src/protocol/framing.ts';
import { type ApiKey, type ApiMessages, apiTable } from '../../src/protocol/messages/generated/api-table.ts';
import { apiSchemas } from '../../src/protocol/messages/generated/schema.ts';
import {
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
} from '../../src/protocol/request.ts';
import { arbMessage } from '../protocol/messages/random-messages.ts';
import { mutate, Prng, STRATEGIES } from './mutator.ts';

/**
 * Throws mutated and random frames at every request and response decoder (through the frame
 * decoders, which dispatch on API key and version) and checks the only failure ever reported is
 * a DecodeError: no other exception, no hang (the test has a timeout), no allocation sized by a
 * lying length (the Reader checks every length against the bytes left before allocating).
 *
 * SAMSA_FUZZ_SEED and SAMSA_FUZZ_FRAMES override the seed and the number of frames per decoder
 * family; a failure prints the seed, the frame index and the frame in hex.
 */
const SEED = Number(process.env['SAMSA_FUZZ_SEED'] ?? 20261127);
const FRAMES = Number(process.env['SAMSA_FUZZ_FRAMES'] ?? 100_000);
const SAMPLES_PER_VERSION = 3;

interface Seed {
  apiKey: number;
  version: number;
  frame: Buffer; // without the size prefix
}

function buildCorpus(kind: 'request' | 'response'): Seed[] {
  const out: Seed[] = [];
  let n = 0;
  for (const api of apiSchemas) {
    const schema = kind === 'request' ? api.request : api.response;
    for (let v = schema.versions[0]; v <= schema.versions[1]; v++) {
      for (const m of fc.sample(arbMessage(schema, v), { numRuns: SAMPLES_PER_VERSION, seed: SEED + n++ })) {
        const key = api.apiKey as ApiKey;
        const framed =
          kind === 'request'
            ? encodeRequestFrame({ apiKey: key, correlationId: n, clientId: 'fuzz' }, m as never, v)
            : encodeResponseFrame(key, v, n, m as ApiMessages[typeof key]['response']);
        out.push({ apiKey: api.apiKey, version: v, frame: framed.subarray(4) });
      }
    }
  }
  return out;
}

function describeFailure(i: number, frame: Buffer, e: unknown): string {
  return `seed ${SEED}, frame #${i} (${frame.toString('hex')}): ${e instanceof Error ? e.stack : String(e)}`;
}

describe('fuzz: protocol frames', { timeout: 300_000 }, () => {
  it(`${FRAMES} mutated and random request frames reach every request decoder and fail only with DecodeError`, () => {
    const corpus = buildCorpus('request');
    const rng = new Prng(SEED);
    const outcomes = { decoded: 0, decodeError: 0 };
    const reached = new Set<string>();
    for (let i = 0; i < FRAMES; i++) {
      const seed = corpus[i % corpus.length]!;
      const strategy = rng.pick(STRATEGIES);
      // Mostly keep the API key and version so the body decoders are reached; sometimes not, to
      // exercise unknown keys and versions.
      const keep = rng.next() < 0.85 ? 4 : 0;
      const frame = mutate(rng, seed.frame, rng.pick(corpus).frame, strategy, keep);
      try {
        decodeRequestFrame(frame);
        outcomes.decoded++;
      } catch (e) {
        if (!(e instanceof DecodeError)) assert.fail(describeFailure(i, frame, e));
        outcomes.decodeError++;
      }
      if (keep === 4) reached.add(`${seed.apiKey}:${seed.version}`);
    }
    assert.equal(outcomes.decoded + outcomes.decodeError, FRAMES);
    assert.ok(outcomes.decodeError > FRAMES / 4, `most mutations should be rejected (${JSON.stringify(outcomes)})`);
    const versions = [...apiTable.values()].reduce((n, a) => n + a.maxVersion - a.minVersion + 1, 0);
    assert.equal(reached.size, versions, 'every API version was fuzzed');
  });

  it(`${FRAMES} mutated and random response frames fail only with DecodeError`, () => {
    const corpus = buildCorpus('response');
    const rng = new Prng(SEED + 1);
    let errors = 0;
    for (let i = 0; i < FRAMES; i++) {
      const seed = corpus[i % corpus.length]!;
      const frame = mutate(rng, seed.frame, rng.pick(corpus).frame, rng.pick(STRATEGIES));
      try {
        decodeResponseFrame(seed.apiKey as ApiKey, seed.version, frame);
      } catch (e) {
        if (!(e instanceof DecodeError)) assert.fail(describeFailure(i, frame, e));
        errors++;
      }
    }
    assert.ok(errors > FRAMES / 4);
  });

  it('a byte stream of mutated frames, randomly chunked, is split without error until a bad size', () => {
    const corpus = buildCorpus('request');
    const rng = new Prng(SEED + 2);
    for (let round = 0; round < 200; round++) {
      const parts: Buffer[] = [];
      for (let i = 0; i < 20; i++) {
        const f = mutate(rng, rng.pick(corpus).frame, rng.pick(corpus).frame, rng.pick(STRATEGIES));
        const size = Buffer.alloc(4);
        // Now and then the size prefix itself lies.
        size.writeInt32BE(rng.next() < 0.05 ? rng.pick([-1, 0x7fffffff, f.length + 1000]) : f.length);
        parts.push(size, f);
      }
      const stream = Buffer.concat(parts);
      let frames = 0;
      const splitter = new FrameSplitter(64 * 1024, (frame) => {
        frames++;
        try {
          decodeRequestFrame(frame);
        } catch (e) {
          if (!(e instanceof DecodeError)) assert.fail(describeFailure(round, frame, e));
        }
      });
      for (let pos = 0; pos < stream.length; ) {
        const n = 1 + rng.int(300);
        if (!splitter.push(stream.subarray(pos, pos + n))) break;
        pos += n;
      }
      assert.ok(splitter.error === null || splitter.error instanceof DecodeError);
      assert.ok(frames <= 20);
    }
  });
});
