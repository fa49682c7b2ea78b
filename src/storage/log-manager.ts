/**
 * Owns every log of a broker across its `log.dirs`: opens them at startup (recovering those a
 * crash left behind), creates and deletes them, and runs the periodic work — retention, flush by
 * time, checkpoints, compaction.
 *
 * Files per log dir (besides the `<topic>-<partition>/` directories):
 *   recovery-point-offset-checkpoint, log-start-offset-checkpoint, cleaner-offset-checkpoint
 *     (checkpoint-file.ts), and `.kafka_cleanshutdown`, an empty file that exists only between a
 *     clean shutdown and the next startup.
 *
 * Lifecycle: `LogManager.open()` checks the dirs (a missing dir is created; a file in its place,
 * or a dir we cannot write, is a BAD_DIRECTORY error naming it), loads every partition dir
 * (without recovery if the dir has the clean-shutdown marker), removes the marker, and starts the
 * scheduled tasks → serving → `shutdown()`: stops the tasks, waits for the cleaner, flushes and
 * closes every log, writes the checkpoints, then the marker. A crash at any point before the
 * marker is written means the next startup recovers.
 */

import { type Clock, systemClock, type Timer } from '../common/clock.ts';
import {
  CLEAN_SHUTDOWN_FILE,
  CLEANER_OFFSET_CHECKPOINT,
  LOG_START_OFFSET_CHECKPOINT,
  OffsetCheckpointFile,
  RECOVERY_POINT_CHECKPOINT,
  tpKey,
} from './checkpoint-file.ts';
import { DEFAULT_LOG_CONFIG, DEFAULT_LOG_MANAGER_CONFIG, type LogConfig, type LogManagerConfig } from './config.ts';
import { StorageError } from './errors.ts';
import { type FileIO, nodeFileIO } from './file-io.ts';
import { Log } from './log.ts';
import { LogCleaner } from './log-cleaner.ts';
import { parsePartitionDir } from './log-loader.ts';
import { type StorageLogger, stderrLogger } from './logger.ts';
import { METADATA_SNAPSHOT_FILE } from './metadata-snapshot-file.ts';

export interface LogManagerOptions {
  config?: Partial<LogManagerConfig>;
  /** Broker-level defaults for every log. */
  defaultLogConfig?: LogConfig;
  /** The resolved config of a topic (defaults plus its overrides); defaults when absent. */
  topicConfig?: (topic: string) => LogConfig;
  clock?: Clock;
  io?: FileIO;
  logger?: StorageLogger;
}

interface DirState {
  path: string;
  recoveryPoints: OffsetCheckpointFile;
  logStartOffsets: OffsetCheckpointFile;
  cleanerOffsets: OffsetCheckpointFile;
}

export class LogManager {
  readonly config: LogManagerConfig;
  private readonly clock: Clock;
  private readonly io: FileIO;
  private readonly logger: StorageLogger;
  private readonly defaultLogConfig: LogConfig;
  private readonly topicConfig: (topic: string) => LogConfig;
  private readonly dirs: DirState[];
  private readonly logs = new Map<string, { log: Log; dir: DirState }>();
  private readonly timers: Timer[] = [];
  private readonly cleaner: LogCleaner | null;
  private running = false;
  private shutDown = false;

  private constructor(opts: LogManagerOptions) {
    this.config = { ...DEFAULT_LOG_MANAGER_CONFIG, ...opts.config };
    this.clock = opts.clock ?? systemClock;
    this.io = opts.io ?? nodeFileIO;
    this.logger = opts.logger ?? stderrLogger;
    this.defaultLogConfig = opts.defaultLogConfig ?? { ...DEFAULT_LOG_CONFIG };
    this.topicConfig = opts.topicConfig ?? (() => this.defaultLogConfig);
    this.dirs = this.config.logDirs.map((path) => ({
      path,
      recoveryPoints: new OffsetCheckpointFile(this.io, `${path}/${RECOVERY_POINT_CHECKPOINT}`),
      logStartOffsets: new OffsetCheckpointFile(this.io, `${path}/${LOG_START_OFFSET_CHECKPOINT}`),
      cleanerOffsets: new OffsetCheckpointFile(this.io, `${path}/${CLEANER_OFFSET_CHECKPOINT}`),
    }));
    this.cleaner = this.config.cleanerEnable
      ? new LogCleaner({
          clock: this.clock,
          io: this.io,
          logger: this.logger,
          ioMaxBytesPerSecond: this.config.cleanerIoMaxBytesPerSecond,
          dedupeBufferSize: this.config.cleanerDedupeBufferSize,
        })
      : null;
  }

  /** Checks the dirs, loads every log, and starts the scheduled tasks. */
  static open(opts: LogManagerOptions = {}): LogManager {
    const m = new LogManager(opts);
    m.load();
    m.startScheduler();
    return m;
  }

  private load(): void {
    if (new Set(this.dirs.map((d) => d.path)).size !== this.dirs.length) {
      throw new StorageError('BAD_DIRECTORY', `log.dirs lists a directory twice: ${this.config.logDirs.join(',')}`);
    }
    for (const d of this.dirs) this.checkDir(d.path);
    try {
      for (const d of this.dirs) this.loadDir(d);
    } catch (e) {
      for (const { log } of this.logs.values()) void log.close();
      throw e;
    }
  }

  private checkDir(path: string): void {
    const st = this.io.statSync(path);
    if (st === undefined) {
      try {
        this.io.mkdirSync(path);
      } catch (e) {
        throw new StorageError('BAD_DIRECTORY', `log dir ${path} is missing and cannot be created: ${errText(e)}`);
      }
      this.logger.warn(`log dir ${path} did not exist; created it`);
    } else if (!st.isDirectory()) {
      throw new StorageError('BAD_DIRECTORY', `log dir ${path} is not a directory`);
    }
    try {
      this.io.accessWritableSync(path);
    } catch (e) {
      throw new StorageError('BAD_DIRECTORY', `log dir ${path} is not writable: ${errText(e)}`);
    }
  }

  private loadDir(d: DirState): void {
    const markerPath = `${d.path}/${CLEAN_SHUTDOWN_FILE}`;
    const clean = this.io.statSync(markerPath) !== undefined;
    const recoveryPoints = readCheckpoint(d.recoveryPoints, this.logger);
    const logStartOffsets = readCheckpoint(d.logStartOffsets, this.logger);
    for (const name of this.io.readdirSync(d.path)) {
      const path = `${d.path}/${name}`;
      const st = this.io.statSync(path);
      if (st === undefined) continue;
      if (!st.isDirectory()) {
        const known = [
          CLEAN_SHUTDOWN_FILE,
          RECOVERY_POINT_CHECKPOINT,
          LOG_START_OFFSET_CHECKPOINT,
          CLEANER_OFFSET_CHECKPOINT,
          METADATA_SNAPSHOT_FILE,
        ];
        if (!known.some((k) => name === k || name === `${k}.tmp`) && name !== 'meta.properties') {
          this.logger.warn(`unknown file ${path} in a log dir, left alone`);
        }
        continue;
      }
      const tp = parsePartitionDir(name);
      if (tp === null) {
        this.logger.warn(`directory ${path} is not named <topic>-<partition>; ignored`);
        continue;
      }
      const key = tpKey(tp.topic, tp.partition);
      const existing = this.logs.get(key);
      if (existing !== undefined) {
        throw new StorageError('BAD_DIRECTORY', `partition ${key} exists in both ${existing.dir.path} and ${d.path}`);
      }
      try {
        this.io.accessWritableSync(path);
      } catch (e) {
        throw new StorageError('BAD_DIRECTORY', `partition dir ${path} is not writable: ${errText(e)}`);
      }
      const log = Log.open({
        dir: path,
        topic: tp.topic,
        partition: tp.partition,
        config: this.topicConfig(tp.topic),
        clock: this.clock,
        io: this.io,
        logger: this.logger,
        recoveryPoint: recoveryPoints.get(key) ?? 0,
        logStartOffset: logStartOffsets.get(key) ?? 0,
        hadCleanShutdown: clean,
      });
      this.logs.set(key, { log, dir: d });
    }
    // From here on a crash must be noticed at the next startup.
    if (clean) this.io.unlinkSync(markerPath);
  }

  // ---- Logs -------------------------------------------------------------------------------------

  getLog(topic: string, partition: number): Log | undefined {
    return this.logs.get(tpKey(topic, partition))?.log;
  }

  allLogs(): Log[] {
    return [...this.logs.values()].map((e) => e.log);
  }

  /** The log of a partition, created in the log dir holding the fewest partitions if new. */
  /** Re-reads a topic's config (after an AlterConfigs) and applies it to its open logs. */
  updateTopicConfig(topic: string): void {
    const config = this.topicConfig(topic);
    for (const log of this.allLogs()) if (log.topic === topic) log.updateConfig(config);
  }

  getOrCreateLog(topic: string, partition: number, config?: LogConfig): Log {
    this.checkRunning();
    const existing = this.getLog(topic, partition);
    if (existing !== undefined) return existing;
    if (
      topic === '' ||
      topic.includes('/') ||
      topic === '.' ||
      topic === '..' ||
      !Number.isInteger(partition) ||
      partition < 0
    ) {
      throw new StorageError('INVALID_CONFIG', `bad topic-partition '${topic}' ${partition}`);
    }
    const counts = new Map(this.dirs.map((d) => [d, 0]));
    for (const e of this.logs.values()) counts.set(e.dir, counts.get(e.dir)! + 1);
    let dir = this.dirs[0]!;
    for (const d of this.dirs) if (counts.get(d)! < counts.get(dir)!) dir = d;
    const path = `${dir.path}/${tpKey(topic, partition)}`;
    try {
      this.io.mkdirSync(path);
    } catch (e) {
      throw new StorageError('BAD_DIRECTORY', `cannot create partition dir ${path}: ${errText(e)}`);
    }
    const log = Log.open({
      dir: path,
      topic,
      partition,
      config: config ?? this.topicConfig(topic),
      clock: this.clock,
      io: this.io,
      logger: this.logger,
      hadCleanShutdown: true,
    });
    this.logs.set(tpKey(topic, partition), { log, dir });
    return log;
  }

  /** Closes and removes a partition's log and its directory. */
  async deleteLog(topic: string, partition: number): Promise<void> {
    const key = tpKey(topic, partition);
    const e = this.logs.get(key);
    if (e === undefined) throw new StorageError('UNKNOWN_LOG', `no log for ${key}`);
    this.logs.delete(key);
    this.cleaner?.forget(e.log);
    await e.log.delete();
  }

  // ---- Periodic work ----------------------------------------------------------------------------

  /** Runs retention over every log; returns the number of segments deleted. */
  async cleanupLogs(): Promise<number> {
    let n = 0;
    for (const { log } of this.logs.values()) {
      if (log.isOffline) continue;
      try {
        n += await log.deleteOldSegments();
      } catch (e) {
        this.logger.error(`retention of ${log.name} failed: ${errText(e)}`);
      }
    }
    return n;
  }

  /** Flushes every log whose last flush is older than its flush.ms. */
  async flushDirtyLogs(): Promise<void> {
    await Promise.all(
      this.allLogs()
        .filter((l) => !l.isOffline && l.timeSinceLastFlush() >= l.config.flushMs)
        .map((l) => l.flush().catch((e: unknown) => this.logger.error(`flushing ${l.name} failed: ${errText(e)}`))),
    );
  }

  async checkpointRecoveryPoints(): Promise<void> {
    await this.writeCheckpoints(
      (d) => d.recoveryPoints,
      (l) => l.recoveryPoint,
    );
  }

  async checkpointLogStartOffsets(): Promise<void> {
    await this.writeCheckpoints(
      (d) => d.logStartOffsets,
      (l) => l.logStartOffset,
    );
  }

  /** One compaction pass over the compacted logs; returns how many logs were cleaned. */
  async runCleaner(): Promise<number> {
    if (this.cleaner === null) return 0;
    let n = 0;
    for (const { log, dir } of this.logs.values()) {
      if (log.config.cleanupPolicy === 'delete' || log.isOffline) continue;
      const key = tpKey(log.topic, log.partition);
      const done = readCheckpoint(dir.cleanerOffsets, this.logger).get(key) ?? 0;
      try {
        const cleanedTo = await this.cleaner.clean(log, done);
        if (cleanedTo !== null) {
          n++;
          await this.updateCleanerCheckpoint(dir, key, log, cleanedTo);
        }
      } catch (e) {
        this.logger.error(`compaction of ${log.name} failed: ${errText(e)}`);
      }
    }
    return n;
  }

  private async updateCleanerCheckpoint(dir: DirState, key: string, log: Log, offset: number): Promise<void> {
    const entries = new Map<string, { topic: string; partition: number; offset: number }>();
    for (const [k, v] of readCheckpoint(dir.cleanerOffsets, this.logger)) {
      const l = this.logs.get(k)?.log;
      if (l !== undefined) entries.set(k, { topic: l.topic, partition: l.partition, offset: v });
    }
    entries.set(key, { topic: log.topic, partition: log.partition, offset });
    await dir.cleanerOffsets.write(entries);
  }

  private async writeCheckpoints(
    file: (d: DirState) => OffsetCheckpointFile,
    value: (l: Log) => number,
  ): Promise<void> {
    await Promise.all(
      this.dirs.map(async (d) => {
        const entries = new Map<string, { topic: string; partition: number; offset: number }>();
        for (const [k, e] of this.logs) {
          if (e.dir === d) entries.set(k, { topic: e.log.topic, partition: e.log.partition, offset: value(e.log) });
        }
        await file(d).write(entries);
      }),
    );
  }

  private startScheduler(): void {
    this.running = true;
    const c = this.config;
    this.every(c.retentionCheckIntervalMs, () => this.cleanupLogs());
    this.every(c.flushSchedulerIntervalMs, () => this.flushDirtyLogs());
    this.every(c.recoveryPointCheckpointIntervalMs, () => this.checkpointRecoveryPoints());
    this.every(c.logStartOffsetCheckpointIntervalMs, () => this.checkpointLogStartOffsets());
    if (this.cleaner !== null) this.every(c.cleanerBackoffMs, () => this.runCleaner());
  }

  /** Runs `task` every `ms` (after the previous run finished); never for an infinite interval. */
  private every(ms: number, task: () => Promise<unknown>): void {
    if (!Number.isFinite(ms)) return;
    const slot = this.timers.length;
    const arm = (): void => {
      this.timers[slot] = this.clock.schedule(ms, () => {
        task()
          .catch((e: unknown) => this.logger.error(`scheduled storage task failed: ${errText(e)}`))
          .finally(() => {
            if (this.running) arm();
          });
      });
    };
    this.timers.push({ cancel: () => {} });
    arm();
  }

  // ---- Shutdown ---------------------------------------------------------------------------------

  /**
   * Clean shutdown: stop the tasks and the cleaner, flush and close every log, write the
   * checkpoints, then the clean-shutdown marker (only for dirs whose logs all flushed).
   */
  async shutdown(): Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    this.running = false;
    for (const t of this.timers) t.cancel();
    await this.cleaner?.stop();
    const failedDirs = new Set<DirState>();
    await Promise.all(
      [...this.logs.values()].map(async ({ log, dir }) => {
        try {
          if (!log.isOffline) await log.flush();
          await log.close();
          // A log that found damage on disk must be recovered at the next start: no marker.
          if (log.isOffline || log.needsRecovery) failedDirs.add(dir);
        } catch (e) {
          failedDirs.add(dir);
          this.logger.error(`closing ${log.name} failed: ${errText(e)}`);
          await log.close().catch(() => {});
        }
      }),
    );
    await this.checkpointRecoveryPoints();
    await this.checkpointLogStartOffsets();
    for (const d of this.dirs) {
      if (failedDirs.has(d)) continue;
      await this.io.writeFileDurable(`${d.path}/${CLEAN_SHUTDOWN_FILE}`, Buffer.alloc(0));
    }
  }

  private checkRunning(): void {
    if (this.shutDown) throw new StorageError('LOG_CLOSED', 'the log manager is shut down');
  }
}

function readCheckpoint(file: OffsetCheckpointFile, logger: StorageLogger): Map<string, number> {
  try {
    return file.read();
  } catch (e) {
    // A damaged checkpoint only costs recovery time: recover everything rather than refuse to start.
    logger.warn(`${errText(e)}; ignoring it`);
    return new Map();
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
