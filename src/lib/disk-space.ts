import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Below this many free bytes a disk is reported full. */
const diskFullBytes = 1 << 20;

/** The problems of the disk under `dir`: one line when it is (about) full, none otherwise (a health source). */
export async function diskProblems(dir: string): Promise<string[]> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  return free < diskFullBytes ? [`the data directory's disk is full (${Math.floor(free / 1024)} KiB free)`] : [];
}

/** Free (available to us) and total bytes of the file system under a directory. */
export interface SpaceReading {
  readonly freeBytes: number;
  readonly totalBytes: number;
}

/** Reads the free and total space of the file system under `dir` (statfs; `bavail`, what a non-root writer may use). */
export async function measureSpace(dir: string): Promise<SpaceReading> {
  let fs;
  try {
    fs = await statfs(dir);
  } catch (e) {
    // Not made yet (the vault makes its directory at the first write): the file system it will be on.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(dir) === dir) throw e;
    return measureSpace(dirname(dir));
  }
  return { freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
}
