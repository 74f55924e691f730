import { readdir, readFile } from 'node:fs/promises';

/** CPU time (user + system, seconds) and RSS (bytes) of one process. */
export interface ProcSample {
  readonly pid: number;
  readonly ppid: number;
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  readonly comm: string;
}

const ticks = 100; // USER_HZ on Linux
const pageSize = 4096;

async function sample(pid: number): Promise<ProcSample | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    // Fields after comm: state(0) ppid(1) … utime(11) stime(12) … rss(21)
    return { pid, ppid: Number(f[1]), cpuSeconds: (Number(f[11]) + Number(f[12])) / ticks, rssBytes: Number(f[21]) * pageSize, comm };
  } catch {
    return null;
  }
}

/** Every process on the machine, read from /proc once. */
export async function readProcesses(): Promise<ProcSample[]> {
  const all: ProcSample[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = await sample(Number(name));
    if (s) all.push(s);
  }
  return all;
}

/** The process `root` and all its descendants, read from /proc. */
export async function processTree(root: number): Promise<ProcSample[]> {
  return treeIn(await readProcesses(), [root]);
}

/** The processes `roots` and all their descendants within one reading of /proc. */
export function treeIn(all: readonly ProcSample[], roots: readonly number[]): ProcSample[] {
  const tree = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (tree.has(p.pid) || !tree.has(p.ppid)) continue;
      tree.add(p.pid);
      grew = true;
    }
  }
  return all.filter((p) => tree.has(p.pid));
}

/** Sum of CPU seconds and RSS over a process tree, and the root's own CPU seconds. */
export async function treeTotals(root: number): Promise<{ cpuSeconds: number; rootCpuSeconds: number; rssBytes: number; processes: number }> {
  const tree = await processTree(root);
  return {
    cpuSeconds: tree.reduce((a, p) => a + p.cpuSeconds, 0),
    rootCpuSeconds: tree.find((p) => p.pid === root)?.cpuSeconds ?? 0,
    rssBytes: tree.reduce((a, p) => a + p.rssBytes, 0),
    processes: tree.length,
  };
}

/** CPU seconds and peak RSS of one group of processes over a measured window. */
export interface GroupUsage {
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  /** Most processes seen in the group at one sample. */
  readonly processes: number;
}

/**
 * Measures several groups of process trees over the same window, from one reading of /proc per
 * sample. CPU is counted per process: from its first sample (or from zero when it was born inside
 * the window) to its last one, so a process that exits inside the window keeps what it used up
 * to its last sample (at most one sampling interval is missed).
 */
export class GroupMeter<G extends string> {
  readonly #roots: Record<G, () => number[]>;
  readonly #first = new Map<G, Map<number, number>>();
  readonly #last = new Map<G, Map<number, number>>();
  readonly #peak = new Map<G, { rss: number; processes: number }>();
  #started = false;

  constructor(roots: Record<G, () => number[]>) {
    this.#roots = roots;
  }

  /** Takes one sample; the first call opens the window. */
  async sample(): Promise<void> {
    const all = await readProcesses();
    for (const group of Object.keys(this.#roots) as G[]) {
      const tree = treeIn(all, this.#roots[group]());
      const first = this.#first.get(group) ?? new Map<number, number>();
      const last = this.#last.get(group) ?? new Map<number, number>();
      for (const p of tree) {
        if (!first.has(p.pid)) first.set(p.pid, this.#started ? 0 : p.cpuSeconds);
        last.set(p.pid, p.cpuSeconds);
      }
      this.#first.set(group, first);
      this.#last.set(group, last);
      const peak = this.#peak.get(group) ?? { rss: 0, processes: 0 };
      this.#peak.set(group, { rss: Math.max(peak.rss, tree.reduce((a, p) => a + p.rssBytes, 0)), processes: Math.max(peak.processes, tree.length) });
    }
    this.#started = true;
  }

  /** Usage of a group between the first and the latest sample. */
  usage(group: G): GroupUsage {
    const first = this.#first.get(group) ?? new Map<number, number>();
    let cpu = 0;
    for (const [pid, at] of this.#last.get(group) ?? []) cpu += at - (first.get(pid) ?? 0);
    const peak = this.#peak.get(group) ?? { rss: 0, processes: 0 };
    return { cpuSeconds: cpu, peakRssBytes: peak.rss, processes: peak.processes };
  }
}
