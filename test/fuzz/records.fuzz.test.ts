import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecodeError } from '../../src/protocol/decode-error.ts';
import {
  BatchCursor,
  type CompressionCodec,
  compress,
  decodeMessageSet,
  decodeRecords,
  decompress,
  encodeMessageSet,
  encodeRecordBatch,
  forEachRecord,
  isCodecAvailable,
  validateBatch,
} from '../../src/protocol/records/index.ts';
import { mutate, Prng, STRATEGIES } from './mutator.ts';

/**
 * Throws mutated and random bytes at every record decoder — batch validation, full decode (object
 * and view), batch iteration, legacy message sets, and each decompressor — and checks that bad
 * input only ever yields a DecodeError. Decoding is capped at 1 MiB of decompressed output, so a
 * mutated length can't make a decoder allocate without bound.
 */
const SEED = Number(process.env['SAMSA_FUZZ_SEED'] ?? 20261127);
const FRAMES = Number(process.env['SAMSA_FUZZ_FRAMES'] ?? 100_000);
const CAP = 1024 * 1024;
const CODECS = ([0, 1, 2, 3, 4] as CompressionCodec[]).filter((c) => isCodecAvailable(c));

function batchCorpus(rng: Prng): Buffer[] {
  const out: Buffer[] = [];
  for (const compression of CODECS) {
    for (let i = 0; i < 6; i++) {
      const records = Array.from({ length: 1 + rng.int(5) }, (_, j) => ({
        key: rng.next() < 0.3 ? null : rng.bytes(rng.int(12)),
        value: rng.next() < 0.1 ? null : rng.bytes(rng.int(40)),
        headers: j % 2 === 0 ? [{ key: 'h', value: rng.bytes(3) }] : [],
        timestamp: 1_700_000_000_000 + rng.int(100000),
      }));
      out.push(
        encodeRecordBatch({
          baseOffset: rng.int(1000),
          compression,
          producerId: i === 0 ? 42 : -1,
          producerEpoch: i === 0 ? 1 : -1,
          baseSequence: i === 0 ? 7 : -1,
          isTransactional: i === 1,
          records,
        }),
      );
    }
  }
  return out;
}

function expectOnlyDecodeError(what: string, i: number, input: Buffer, fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (!(e instanceof DecodeError)) {
      assert.fail(`${what}: seed ${SEED}, input #${i} (${input.toString('hex')}): ${e instanceof Error ? e.stack : e}`);
    }
    return false;
  }
}

describe('fuzz: records', { timeout: 300_000 }, () => {
  it(`${FRAMES} mutated and random record batches fail only with DecodeError`, () => {
    const rng = new Prng(SEED);
    const corpus = batchCorpus(rng);
    let rejected = 0;
    for (let i = 0; i < FRAMES; i++) {
      const seed = corpus[i % corpus.length]!;
      // Keep the header intact half the time so mutations reach the records and the codecs.
      const keep = rng.next() < 0.5 ? 61 : 0;
      const input = mutate(rng, seed, rng.pick(corpus), rng.pick(STRATEGIES), keep);
      if (!expectOnlyDecodeError('validateBatch', i, input, () => validateBatch(input))) rejected++;
      expectOnlyDecodeError('decodeRecords', i, input, () => decodeRecords(input, { maxDecompressedBytes: CAP }));
      expectOnlyDecodeError('forEachRecord', i, input, () =>
        forEachRecord(input, (v) => v.value(), { maxDecompressedBytes: CAP }),
      );
      const cursor = new BatchCursor(input);
      expectOnlyDecodeError('BatchCursor', i, input, () => {
        for (let n = 0; cursor.next(); n++) assert.ok(n < input.length, 'cursor must make progress');
      });
    }
    assert.ok(rejected > FRAMES / 2, `most mutated batches fail validation (${rejected} of ${FRAMES})`);
  });

  it(`${FRAMES} mutated legacy message sets fail only with DecodeError`, () => {
    const rng = new Prng(SEED + 1);
    const corpus: Buffer[] = [];
    for (const magic of [0, 1] as const) {
      for (const compression of [0, 1, 2, 3] as CompressionCodec[]) {
        for (let i = 0; i < 4; i++) {
          const messages = Array.from({ length: 1 + rng.int(4) }, () => ({
            key: rng.next() < 0.3 ? null : rng.bytes(rng.int(10)),
            value: rng.bytes(rng.int(30)),
            timestamp: 1_700_000_000_000 + rng.int(1000),
          }));
          corpus.push(encodeMessageSet({ magic, compression, baseOffset: rng.int(100), messages }));
        }
      }
    }
    for (let i = 0; i < FRAMES; i++) {
      const input = mutate(rng, corpus[i % corpus.length]!, rng.pick(corpus), rng.pick(STRATEGIES));
      expectOnlyDecodeError('decodeMessageSet', i, input, () => decodeMessageSet(input, { maxDecompressedBytes: CAP }));
    }
  });

  it(`${FRAMES} mutated compressed payloads fail only with DecodeError, within the output cap`, () => {
    const rng = new Prng(SEED + 2);
    const plain = [Buffer.from('{"a":1,"b":"some log line"}'.repeat(50)), rng.bytes(500), Buffer.alloc(3000, 7)];
    const corpus: { codec: CompressionCodec; data: Buffer }[] = [];
    for (const codec of CODECS.filter((c) => c !== 0)) {
      for (const p of plain) {
        corpus.push({ codec, data: compress(codec, p) });
        if (codec === 2) corpus.push({ codec, data: compress(codec, p, { xerialSnappy: true }) });
      }
    }
    for (let i = 0; i < FRAMES; i++) {
      const seed = corpus[i % corpus.length]!;
      const input = mutate(rng, seed.data, rng.pick(corpus).data, rng.pick(STRATEGIES));
      expectOnlyDecodeError(`decompress codec ${seed.codec}`, i, input, () => {
        const out = decompress(seed.codec, input, 64 * 1024);
        assert.ok(out.length <= 64 * 1024, 'output stays within the cap');
      });
    }
  });
});
