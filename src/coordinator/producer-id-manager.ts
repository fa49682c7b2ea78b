/**
 * Hands out producer ids for InitProducerId, never the same one twice in the cluster's life, the
 * way Kafka does in ZooKeeper mode: brokers claim blocks of consecutive ids (1000 by default) in
 * the metadata store at `/latest_producer_id_block` (payload in metadata/paths.ts) and serve ids
 * from their block in memory.
 *
 * Claiming a block: read the node and its version; the new block starts after the recorded
 * block's end (at 0 when there is no node); write it back only if the version is unchanged
 * (create-if-absent for the first block). Losing the race to another broker — BAD_VERSION or
 * NODE_EXISTS — means reading again. The store persists the node, so after a restart ids continue
 * after the last block claimed; ids left in a block at shutdown are skipped, never reused.
 *
 * Concurrency: callers share one claim in flight; ids go out in order. When 90% of the current
 * block is used the next block is claimed in the background, so InitProducerId rarely waits.
 * This is the transaction coordinator's (Kafka's kafka.coordinator.transaction.ProducerIdManager);
 * for now InitProducerId without a transactional id is its only user: new id, epoch 0.
 */
import type { Logger } from '../common/logger.ts';
import { MetadataError, type MetadataStore } from '../metadata/metadata-store.ts';
import { decodeProducerIdBlock, encodeProducerIdBlock, Paths, type ProducerIdBlock } from '../metadata/paths.ts';

export const PRODUCER_ID_BLOCK_SIZE = 1000;
const MAX_CLAIM_ATTEMPTS = 100;

export class ProducerIdError extends Error {
  readonly code: 'EXHAUSTED' | 'CONTENDED';
  constructor(code: 'EXHAUSTED' | 'CONTENDED', message: string) {
    super(message);
    this.name = 'ProducerIdError';
    this.code = code;
  }
}

export interface ProducerIdManagerOptions {
  brokerId: number;
  store: MetadataStore;
  blockSize?: number;
  logger?: Logger;
}

export class ProducerIdManager {
  readonly brokerId: number;
  readonly blockSize: number;
  private readonly store: MetadataStore;
  private readonly logger: Logger | undefined;
  private current: ProducerIdBlock | null = null;
  private nextId = 0;
  private prefetched: Promise<ProducerIdBlock> | null = null;

  constructor(opts: ProducerIdManagerOptions) {
    this.brokerId = opts.brokerId;
    this.store = opts.store;
    this.blockSize = opts.blockSize ?? PRODUCER_ID_BLOCK_SIZE;
    this.logger = opts.logger;
    if (!(Number.isInteger(this.blockSize) && this.blockSize > 0))
      throw new RangeError(`bad block size ${this.blockSize}`);
  }

  /** The next unused producer id. */
  async generateProducerId(): Promise<number> {
    for (;;) {
      const block = this.current;
      if (block !== null && this.nextId <= block.blockEnd) {
        const id = this.nextId++;
        if (this.prefetched === null && block.blockEnd - this.nextId < this.blockSize / 10) this.prefetch();
        return id;
      }
      this.prefetch();
      const claiming = this.prefetched!;
      let next: ProducerIdBlock;
      try {
        next = await claiming;
      } finally {
        if (this.prefetched === claiming) this.prefetched = null;
      }
      // Several callers may have waited on the same claim: only the first installs it.
      if (this.current === null || next.blockStart > this.current.blockEnd) {
        this.current = next;
        this.nextId = next.blockStart;
      }
    }
  }

  private prefetch(): void {
    if (this.prefetched !== null) return;
    const p = this.claimBlock();
    // A failed background claim is retried by the next caller that needs it.
    p.catch((e: unknown) => {
      if (this.prefetched === p) this.prefetched = null;
      this.logger?.warn(`claiming a producer id block failed: ${(e as Error).message}`);
    });
    this.prefetched = p;
  }

  /** Claims the next block in the store with a conditional write; retries lost races. */
  async claimBlock(): Promise<ProducerIdBlock> {
    const path = Paths.producerIdBlock;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const node = await this.store.get(path);
      let start = 0;
      if (node !== null) {
        const prev = decodeProducerIdBlock(node.data);
        if (!Number.isSafeInteger(prev.blockEnd) || prev.blockEnd < -1) {
          throw new ProducerIdError('EXHAUSTED', `unreadable producer id block at ${path}`);
        }
        start = prev.blockEnd + 1;
      }
      if (start > Number.MAX_SAFE_INTEGER - this.blockSize) {
        throw new ProducerIdError('EXHAUSTED', `producer ids are exhausted (next block would start at ${start})`);
      }
      const block: ProducerIdBlock = {
        brokerId: this.brokerId,
        blockStart: start,
        blockEnd: start + this.blockSize - 1,
      };
      const data = encodeProducerIdBlock(block);
      try {
        if (node === null) await this.store.create(path, data);
        else await this.store.set(path, data, node.stat.version);
        this.logger?.info(`claimed producer ids ${block.blockStart}..${block.blockEnd}`);
        return block;
      } catch (e) {
        if (e instanceof MetadataError && (e.code === 'BAD_VERSION' || e.code === 'NODE_EXISTS')) continue;
        throw e;
      }
    }
    throw new ProducerIdError('CONTENDED', `gave up claiming a producer id block after ${MAX_CLAIM_ATTEMPTS} attempts`);
  }
}
