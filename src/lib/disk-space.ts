import { statfs } from 'node:fs/promises';

/** Below this many free bytes a disk is reported full. */
const diskFullBytes = 1 << 20;

/** The problems of the disk under `dir`: one line when it is (about) full, none otherwise (a health source). */
export async function diskProblems(dir: string): Promise<string[]> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  return free < diskFullBytes ? [`the data directory's disk is full (${Math.floor(free / 1024)} KiB free)`] : [];
}
