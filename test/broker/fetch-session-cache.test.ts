/**
 * FetchSessionCache, FetchSession and CachedPartition on a ManualClock: creation, epochs,
 * Kafka's eviction rules (stale first, then privileged over not, then bigger over smaller, with
 * new sessions protected), the slot and partition limits, and the incremental-response rules.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CachedPartition,
  cachedPartitionKey,
  DEFAULT_EVICTION_MS,
  FetchSessionCache,
  type FetchSessionCacheOptions,
  FINAL_EPOCH,
  INVALID_SESSION_ID,
  nextEpoch,
} from '../../src/broker/fetch-session.ts';
import { ManualClock } from '../../src/common/clock.ts';
import { ZERO_UUID } from '../../src/protocol/primitives/reader.ts';

const EVICTION_MS = 1_000;

function cacheOf(maxEntries: number, more: Partial<FetchSessionCacheOptions> = {}) {
  const clock = new ManualClock();
  const cache = new FetchSessionCache({ maxEntries, evictionMs: EVICTION_MS, clock, ...more });
  return { clock, cache };
}

/** `n` partitions of topic `t`, offsets 0, as a new session's map. */
function parts(n: number, t = 't'): () => Map<string, CachedPartition> {
  return () => {
    const m = new Map<string, CachedPartition>();
    for (let p = 0; p < n; p++) {
      const key = cachedPartitionKey(t, p);
      m.set(key, new CachedPartition(key, t, ZERO_UUID, p, { fetchOffset: 0, partitionMaxBytes: 1024 }));
    }
    return m;
  };
}

/** Creates a session of `n` partitions; returns its id (0 when refused). */
function create(cache: FetchSessionCache, n: number, privileged = false): number {
  return cache.maybeCreateSession(privileged, false, n, parts(n));
}

describe('nextEpoch', () => {
  it('counts up from 1, wraps 2^31-1 to 1, and keeps FINAL_EPOCH', () => {
    assert.equal(nextEpoch(0), 1);
    assert.equal(nextEpoch(1), 2);
    assert.equal(nextEpoch(41), 42);
    assert.equal(nextEpoch(0x7fffffff), 1);
    assert.equal(nextEpoch(FINAL_EPOCH), FINAL_EPOCH);
    assert.equal(nextEpoch(-7), FINAL_EPOCH);
  });
});

describe('FetchSessionCache', () => {
  it('creates sessions with distinct positive ids at epoch 1 and counts their partitions', () => {
    const { cache } = cacheOf(10);
    const a = create(cache, 3);
    const b = create(cache, 2);
    assert.ok(a > 0 && a < 0x7fffffff, `id ${a}`);
    assert.ok(b > 0 && b !== a, `id ${b}`);
    assert.equal(cache.size, 2);
    assert.equal(cache.totalPartitions, 5);
    const s = cache.get(a)!;
    assert.equal(s.epoch, 1);
    assert.equal(s.size, 3);
    assert.equal(s.privileged, false);
    assert.equal(s.usesTopicIds, false);
    assert.equal(cache.get(12345), undefined);
  });

  it('draws another id when the random one is taken', () => {
    const draws = [0.5, 0.5, 0.5, 0.25];
    const { cache } = cacheOf(10, { random: () => draws.shift() ?? 0.75 });
    const a = create(cache, 1);
    const b = create(cache, 1);
    assert.notEqual(a, b);
    assert.equal(draws.length, 0, 'the repeated draws were rejected');
    assert.ok(b > 0);
  });

  it('removes sessions (by id or object) and gives back their partitions; twice is a no-op', () => {
    const { cache } = cacheOf(10);
    const a = create(cache, 3);
    const b = create(cache, 4);
    assert.equal(cache.remove(a)?.id, a);
    assert.equal(cache.remove(a), undefined);
    assert.equal(cache.totalPartitions, 4);
    const sb = cache.get(b)!;
    assert.equal(cache.remove(sb), sb);
    assert.equal(cache.size, 0);
    assert.equal(cache.totalPartitions, 0);
    assert.equal(sb.cachedSize, -1);
  });

  it('touch makes a session the most recently used and recounts its partitions', () => {
    const { clock, cache } = cacheOf(10);
    const a = create(cache, 1);
    clock.advance(10);
    const b = create(cache, 1);
    const c = create(cache, 1);
    assert.deepEqual(cache.ids(), [a, b, c]);
    clock.advance(10);
    const sa = cache.get(a)!;
    sa.upsert('t', 't', ZERO_UUID, 7, { fetchOffset: 0, partitionMaxBytes: 1 });
    assert.equal(cache.totalPartitions, 3, 'not counted until touched');
    cache.touch(sa);
    assert.deepEqual(cache.ids(), [b, c, a]);
    assert.equal(sa.lastUsedMs, 20);
    assert.equal(cache.totalPartitions, 4);
  });

  it('with no room, a new session of a consumer is refused while the others are fresh', () => {
    const { clock, cache } = cacheOf(2);
    const a = create(cache, 1);
    const b = create(cache, 1);
    clock.advance(EVICTION_MS);
    // Not stale (unused for exactly evictionMs) and created too recently to be evicted by size.
    assert.equal(create(cache, 50), INVALID_SESSION_ID);
    assert.deepEqual(cache.ids().sort(), [a, b].sort());
    assert.equal(cache.evictions, 0);
  });

  it('evicts the least recently used session once it has been unused for more than evictionMs', () => {
    const { clock, cache } = cacheOf(2);
    const a = create(cache, 5);
    const b = create(cache, 1);
    clock.advance(EVICTION_MS - 1);
    cache.touch(cache.get(a)!); // a is used again; b is not
    clock.advance(2);
    const c = create(cache, 1);
    assert.notEqual(c, INVALID_SESSION_ID);
    assert.deepEqual(cache.ids(), [a, c]);
    assert.equal(cache.get(b), undefined);
    assert.equal(cache.evictions, 1);
    assert.equal(cache.totalPartitions, 6);
  });

  it('uses the default eviction time of 120 s', () => {
    const clock = new ManualClock();
    const cache = new FetchSessionCache({ maxEntries: 1, clock });
    assert.equal(cache.evictionMs, DEFAULT_EVICTION_MS);
    assert.equal(DEFAULT_EVICTION_MS, 120_000);
    create(cache, 1);
    clock.advance(120_000);
    assert.equal(create(cache, 1), INVALID_SESSION_ID);
    clock.advance(1);
    assert.notEqual(create(cache, 1), INVALID_SESSION_ID);
  });

  it('a privileged (follower) session evicts a fresh consumer session; a consumer cannot', () => {
    const { cache } = cacheOf(1);
    const consumer = create(cache, 10);
    assert.equal(create(cache, 100), INVALID_SESSION_ID, 'consumers cannot evict a fresh session');
    const follower = create(cache, 1, true);
    assert.notEqual(follower, INVALID_SESSION_ID);
    assert.equal(cache.get(consumer), undefined);
    assert.equal(cache.get(follower)!.privileged, true);
    // A fresh privileged session is safe from another privileged one, even a bigger one.
    assert.equal(create(cache, 50, true), INVALID_SESSION_ID);
    assert.equal(create(cache, 50), INVALID_SESSION_ID);
  });

  it('an old session (evictable by all) gives way to a bigger one, the smallest first', () => {
    const { clock, cache } = cacheOf(3);
    const small = create(cache, 2);
    const big = create(cache, 8);
    const mid = create(cache, 5);
    clock.advance(EVICTION_MS + 1);
    // Touching after evictionMs since creation makes them evictable by all (and not stale).
    for (const id of [small, big, mid]) cache.touch(cache.get(id)!);
    assert.equal(create(cache, 2), INVALID_SESSION_ID, 'equal size: the newcomer ranks below (id 0 < id)');
    assert.equal(create(cache, 1), INVALID_SESSION_ID, 'smaller: refused');
    const three = create(cache, 3);
    assert.notEqual(three, INVALID_SESSION_ID);
    assert.equal(cache.get(small), undefined, 'the smallest old session went');
    assert.deepEqual(new Set(cache.ids()), new Set([big, mid, three]));
    // `three` is fresh, so only the old ones are candidates: mid (5) goes for a 6.
    assert.notEqual(create(cache, 6), INVALID_SESSION_ID);
    assert.equal(cache.get(mid), undefined);
    assert.ok(cache.get(three), 'the fresh session is protected');
    assert.equal(cache.evictions, 2);
  });

  it('a consumer never evicts an old privileged session by size; a bigger privileged one does', () => {
    const { clock, cache } = cacheOf(1);
    const f = create(cache, 2, true);
    clock.advance(EVICTION_MS + 1);
    cache.touch(cache.get(f)!);
    assert.equal(create(cache, 100), INVALID_SESSION_ID);
    assert.equal(create(cache, 2, true), INVALID_SESSION_ID);
    const g = create(cache, 3, true);
    assert.notEqual(g, INVALID_SESSION_ID);
    assert.equal(cache.get(f), undefined);
  });

  it('evictability is decided when a session is last used, as in Kafka', () => {
    const { clock, cache } = cacheOf(1);
    const a = create(cache, 1);
    clock.advance(EVICTION_MS - 1);
    cache.touch(cache.get(a)!); // still young when used
    clock.advance(2);
    // Created more than evictionMs ago, but it was young when last used: still protected.
    assert.equal(create(cache, 2), INVALID_SESSION_ID);
    cache.touch(cache.get(a)!);
    assert.notEqual(create(cache, 2), INVALID_SESSION_ID, 'used when old: evictable by a bigger session');
    assert.equal(cache.get(a), undefined);
  });

  it('maxEntries 0 disables sessions', () => {
    const { cache } = cacheOf(0);
    assert.equal(create(cache, 1), INVALID_SESSION_ID);
    assert.equal(create(cache, 1, true), INVALID_SESSION_ID);
    assert.equal(cache.size, 0);
  });

  it('bounds the partitions of all sessions together', () => {
    const { clock, cache } = cacheOf(10, { maxCachedPartitions: 10 });
    assert.equal(create(cache, 11), INVALID_SESSION_ID, 'larger than the whole budget');
    const a = create(cache, 6);
    assert.equal(create(cache, 5), INVALID_SESSION_ID, 'would exceed the budget; a is fresh');
    assert.notEqual(create(cache, 4), INVALID_SESSION_ID, 'fits');
    assert.equal(cache.totalPartitions, 10);
    clock.advance(EVICTION_MS + 1);
    const c = create(cache, 9);
    assert.notEqual(c, INVALID_SESSION_ID, 'stale sessions are evicted until it fits');
    assert.equal(cache.get(a), undefined);
    assert.equal(cache.size, 1);
    assert.equal(cache.totalPartitions, 9);
    const sc = cache.get(c)!;
    sc.upsert('u', 'u', ZERO_UUID, 0, { fetchOffset: 0, partitionMaxBytes: 1 });
    assert.equal(cache.fitsPartitionBudget(sc), true, '10 of 10');
    sc.upsert('u', 'u', ZERO_UUID, 1, { fetchOffset: 0, partitionMaxBytes: 1 });
    assert.equal(cache.fitsPartitionBudget(sc), false, '11 of 10');
  });

  it('defaults the partition budget to max(10,000, 100 per slot)', () => {
    const clock = new ManualClock();
    assert.equal(new FetchSessionCache({ maxEntries: 1000, clock }).maxCachedPartitions, 100_000);
    assert.equal(new FetchSessionCache({ maxEntries: 1, clock }).maxCachedPartitions, 10_000);
  });

  it('memory stays bounded under a flood of session requests', () => {
    const { clock, cache } = cacheOf(50, { maxCachedPartitions: 1000 });
    for (let i = 0; i < 5000; i++) {
      create(cache, 1 + (i % 40), i % 7 === 0);
      if (i % 100 === 0) clock.advance(EVICTION_MS / 3);
      assert.ok(cache.size <= 50, `sessions ${cache.size}`);
      assert.ok(cache.totalPartitions <= 1000, `partitions ${cache.totalPartitions}`);
    }
    let counted = 0;
    for (const id of cache.ids()) counted += cache.get(id)!.size;
    assert.equal(counted, cache.totalPartitions);
    assert.ok(cache.evictions > 0);
  });
});

describe('FetchSession', () => {
  it('upsert adds or updates partitions, forget removes them, moveToEnd reorders', () => {
    const { cache } = cacheOf(1);
    const s = cache.get(create(cache, 2))!;
    const p0 = s.partitions.get(cachedPartitionKey('t', 0))!;
    const same = s.upsert('t', 't', ZERO_UUID, 0, {
      fetchOffset: 7,
      partitionMaxBytes: 99,
      currentLeaderEpoch: 3,
      lastFetchedEpoch: 2,
      logStartOffset: 1,
    });
    assert.equal(same, p0, 'updated in place');
    assert.deepEqual(
      [p0.fetchOffset, p0.maxBytes, p0.currentLeaderEpoch, p0.lastFetchedEpoch, p0.fetcherLogStartOffset],
      [7, 99, 3, 2, 1],
    );
    s.upsert('other', 'other', ZERO_UUID, 0, { fetchOffset: 0, partitionMaxBytes: 1 });
    assert.equal(s.size, 3);
    assert.equal(s.forget('t', 1), true);
    assert.equal(s.forget('t', 1), false);
    assert.equal(s.forget('nope', 0), false);
    s.moveToEnd(p0);
    assert.deepEqual([...s.partitions.keys()], [cachedPartitionKey('other', 0), cachedPartitionKey('t', 0)]);
  });

  it('keys never collide across topic names and partitions', () => {
    assert.notEqual(cachedPartitionKey('a1', 0), cachedPartitionKey('a', 10));
    assert.notEqual(cachedPartitionKey('a\u00001', 2), cachedPartitionKey('a', 12));
  });
});

describe('CachedPartition.maybeUpdateResponseData (which partitions an incremental response carries)', () => {
  const view = (o: Partial<{ errorCode: number; hw: number; lso: number; ls: number; bytes: number }> = {}) => ({
    errorCode: o.errorCode ?? 0,
    highWatermark: o.hw ?? 10,
    lastStableOffset: o.lso ?? 10,
    logStartOffset: o.ls ?? 0,
    records: Buffer.alloc(o.bytes ?? 0),
  });
  const fresh = () => {
    const cp = new CachedPartition(cachedPartitionKey('t', 0), 't', ZERO_UUID, 0, {
      fetchOffset: 10,
      partitionMaxBytes: 1,
    });
    cp.initResponseData(view());
    return cp;
  };

  it('leaves out a partition with nothing new', () => {
    assert.equal(fresh().maybeUpdateResponseData(view(), true), false);
  });

  it('includes records, and does not change the cache for them', () => {
    const cp = fresh();
    assert.equal(cp.maybeUpdateResponseData(view({ bytes: 5 }), true), true);
    assert.equal(cp.maybeUpdateResponseData(view(), true), false);
  });

  it('includes a new high watermark, LSO or log start offset once', () => {
    for (const change of [{ hw: 11 }, { lso: 9 }, { ls: 3 }]) {
      const cp = fresh();
      assert.equal(cp.maybeUpdateResponseData(view(change), false), true, JSON.stringify(change));
      assert.equal(cp.maybeUpdateResponseData(view(change), false), true, 'not remembered without update');
      assert.equal(cp.maybeUpdateResponseData(view(change), true), true);
      assert.equal(cp.maybeUpdateResponseData(view(change), true), false, 'remembered');
    }
  });

  it('always includes an error, and the partition again once the error clears', () => {
    const cp = fresh();
    assert.equal(cp.maybeUpdateResponseData(view({ errorCode: 6 }), true), true);
    assert.equal(cp.maybeUpdateResponseData(view({ errorCode: 6 }), true), true);
    assert.equal(cp.highWatermark, -1);
    assert.equal(cp.maybeUpdateResponseData(view(), true), true, 'back: the HW differs from -1');
    assert.equal(cp.maybeUpdateResponseData(view(), true), false);
  });

  it('a partition added to a session is always in its first response (cached HW -1)', () => {
    const cp = new CachedPartition(cachedPartitionKey('t', 1), 't', ZERO_UUID, 1, {
      fetchOffset: 0,
      partitionMaxBytes: 1,
    });
    assert.equal(cp.maybeUpdateResponseData(view({ hw: 0, lso: 0 }), true), true);
  });
});
