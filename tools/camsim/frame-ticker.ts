/**
 * One drift-corrected timer shared by every playing session of a server, so 250 cameras cost one
 * timer rather than 250. Tick n fires at `start + n × periodMs`; a late timer fires the missed
 * ticks in a burst (each session then sends several frames back to back, which a real camera
 * behind a congested link also does), and when more than `maxCatchUp` ticks are missed (the
 * process was stopped or starved) the schedule re-anchors instead of flooding the clients.
 */

/** A callback run once per tick. MUST NOT throw; it runs inside the timer. */
export type TickListener = () => void;

/** The shared per-frame timer. */
export interface FrameTicker {
  /** Starts calling `listener` every tick, beginning with the next one. */
  add(listener: TickListener): void;
  /** Stops calling `listener`; safe to call from inside a tick. */
  delete(listener: TickListener): void;
  /** Number of listeners (for tests and logs). */
  readonly size: number;
  /** Stops the timer and drops every listener. */
  stop(): void;
}

/** Options of a ticker; `now` is a monotonic millisecond clock (performance.now by default). */
export interface FrameTickerOptions {
  periodMs: number;
  maxCatchUp?: number;
  now?: () => number;
}

/** Makes a ticker that runs only while it has listeners. */
export function createFrameTicker(o: FrameTickerOptions): FrameTicker {
  const now = o.now ?? (() => performance.now());
  const maxCatchUp = o.maxCatchUp ?? 25;
  const listeners = new Set<TickListener>();
  let timer: NodeJS.Timeout | undefined;
  let anchor = 0;
  let ticks = 0; // ticks fired since anchor

  const fire = (): void => {
    for (const listener of [...listeners]) {
      if (listeners.has(listener)) listener();
    }
  };

  const run = (): void => {
    timer = undefined;
    if (listeners.size === 0) return;
    const due = Math.floor((now() - anchor) / o.periodMs);
    if (due - ticks > maxCatchUp) {
      anchor = now();
      ticks = 0;
      fire();
    } else {
      while (ticks < due && listeners.size > 0) {
        ticks += 1;
        fire();
      }
    }
    schedule();
  };

  const schedule = (): void => {
    if (timer !== undefined || listeners.size === 0) return;
    const delay = Math.max(0, anchor + (ticks + 1) * o.periodMs - now());
    timer = setTimeout(run, delay);
  };

  return {
    add(listener) {
      if (listeners.size === 0 && timer === undefined) {
        anchor = now();
        ticks = 0;
      }
      listeners.add(listener);
      schedule();
    },
    delete(listener) {
      listeners.delete(listener);
      if (listeners.size === 0 && timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
    },
    get size() {
      return listeners.size;
    },
    stop() {
      listeners.clear();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
