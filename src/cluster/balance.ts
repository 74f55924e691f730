/** One camera lease as the balancer sees it. */
export interface LeaseView {
  readonly cameraId: string;
  /** Null when released. */
  readonly holder: string | null;
  /** True when the holder's lease lapsed (the database's clock). */
  readonly lapsed: boolean;
}

/** What one node should do this round. */
export interface BalancePlan {
  /** Cameras to claim (free, released or lapsed), in order. */
  readonly claim: string[];
  /** Cameras to give up: no longer to be recorded, or above this node's share (a handover). */
  readonly release: string[];
}

/**
 * Spreads cameras evenly over the live recorders: each node holds at most ceil(cameras / nodes).
 * A node above its share releases the excess (another node below it then claims it); a node below
 * it claims free cameras. Pure: the lease keeper feeds it what the database says.
 * `order` rotates the free list per node so that nodes starting together try different cameras first.
 */
export function planBalance(input: {
  readonly self: string;
  readonly liveRecorders: number;
  /** Enabled, recordable cameras, in a stable order. */
  readonly wanted: readonly string[];
  readonly leases: readonly LeaseView[];
  /** Cameras this node holds now. */
  readonly held: ReadonlySet<string>;
  readonly order?: number;
}): BalancePlan {
  const wanted = new Set(input.wanted);
  const release = [...input.held].filter((id) => !wanted.has(id));
  const keep = [...input.held].filter((id) => wanted.has(id)).sort();
  const share = Math.ceil(input.wanted.length / Math.max(1, input.liveRecorders));
  if (keep.length > share) release.push(...keep.slice(share));
  const byCamera = new Map(input.leases.map((l) => [l.cameraId, l]));
  const free = input.wanted.filter((id) => {
    if (input.held.has(id)) return false;
    const lease = byCamera.get(id);
    return lease === undefined || lease.holder === null || lease.lapsed;
  });
  const room = Math.max(0, share - keep.length);
  const start = free.length === 0 ? 0 : (input.order ?? 0) % free.length;
  const rotated = [...free.slice(start), ...free.slice(0, start)];
  return { claim: rotated.slice(0, room), release };
}
