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

/** The process `root` and all its descendants, read from /proc. */
export async function processTree(root: number): Promise<ProcSample[]> {
  const all: ProcSample[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = await sample(Number(name));
    if (s) all.push(s);
  }
  const tree = new Set([root]);
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
