/**
 * Total and usable bytes of the file system holding a log dir, for DescribeLogDirs (v4+).
 * Kept out of FileIO because nothing on the data path needs it.
 */
import { statfsSync } from 'node:fs';

export interface DiskSpace {
  totalBytes: number;
  usableBytes: number;
}

/** The file system's size and the bytes an unprivileged writer may still use; null if unknown. */
export function diskSpace(path: string): DiskSpace | null {
  try {
    const s = statfsSync(path);
    return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
  } catch {
    return null;
  }
}
