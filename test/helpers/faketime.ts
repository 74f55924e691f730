import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where Debian's libfaketime puts the library; CUSTOS_TEST_FAKETIME_LIB overrides it. */
export const faketimeLibrary = process.env.CUSTOS_TEST_FAKETIME_LIB ?? `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/faketime/libfaketime.so.1`;

/**
 * A wall clock a child process sees through libfaketime (Debian package `faketime`, installed by
 * scripts/prereqs.sh test), steppable while the process runs: the offset is re-read from a file
 * at every clock read. The monotonic clock is left alone (DONT_FAKE_MONOTONIC), as in a real
 * step of the system time.
 */
export interface FakeWallClock {
  /** Environment for the child process. */
  readonly env: Record<string, string>;
  /** Sets the child's wall clock to real time plus `offsetSeconds` (negative: back). */
  step(offsetSeconds: number): Promise<void>;
}

/** Prepares a steppable wall clock (offset 0) with its offset file in `dir`. */
export async function fakeWallClock(dir: string): Promise<FakeWallClock> {
  await access(faketimeLibrary).catch(() => {
    throw new Error(`libfaketime is missing (${faketimeLibrary}): run scripts/prereqs.sh test, or apt-get install faketime`);
  });
  const file = join(dir, 'faketime-offset');
  const step = (offsetSeconds: number) => writeFile(file, `${offsetSeconds >= 0 ? '+' : ''}${offsetSeconds}s\n`);
  await step(0);
  return {
    env: { LD_PRELOAD: faketimeLibrary, FAKETIME_TIMESTAMP_FILE: file, FAKETIME_NO_CACHE: '1', DONT_FAKE_MONOTONIC: '1' },
    step,
  };
}
