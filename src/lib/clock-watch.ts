import type { Clock } from './clock.ts';
import type { MonotonicClock } from './monotonic-clock.ts';

/** A wall-clock step: how far the wall clock moved beyond (or short of) the monotonic clock. */
export interface ClockStep {
  /** Wall-clock movement minus monotonic movement since the last sample, ms (positive: forward). */
  readonly stepMs: number;
  /** The wall clock after the step, ms since the epoch. */
  readonly wallMs: number;
}

/** Whether the wall clock may be trusted for an irreversible decision now. */
export interface ClockTrust {
  readonly steady: boolean;
  /** Monotonic ms until it would be steady if no further step comes; 0 when steady. */
  readonly waitMs: number;
}

/**
 * Watches the wall clock against the monotonic clock (pure; the caller samples it on a timer).
 * Between two samples both clocks MUST advance alike; a difference beyond `toleranceMs` is a
 * step (the time was set, NTP stepped it, the host was suspended or the VM restored). The wall
 * clock is *steady* once it has run in step with the monotonic clock for `confirmMs`, counted
 * from the watch's creation and again from every step: a reading taken at start-up, or right
 * after a step, is not yet trusted for anything irreversible (retention, crypto-shredding).
 */
export class ClockWatch {
  readonly #wall: Clock;
  readonly #monotonic: MonotonicClock;
  readonly #toleranceMs: number;
  readonly #confirmMs: number;
  readonly #onStep: (step: ClockStep) => void;
  #lastWall: number;
  #lastMono: number;
  /** Monotonic time since which the wall clock has run in step. */
  #steadySince: number;

  /** `onStep` is told about every step found, by whichever sample finds it. */
  constructor(deps: { wall: Clock; monotonic: MonotonicClock; toleranceMs: number; confirmMs: number; onStep?: (step: ClockStep) => void }) {
    this.#onStep = deps.onStep ?? (() => undefined);
    this.#wall = deps.wall;
    this.#monotonic = deps.monotonic;
    this.#toleranceMs = deps.toleranceMs;
    this.#confirmMs = deps.confirmMs;
    this.#lastWall = this.#wall.now();
    this.#lastMono = this.#monotonic.now();
    this.#steadySince = this.#lastMono;
  }

  /** Samples both clocks; the step since the previous sample, or null when they moved alike. */
  sample(): ClockStep | null {
    const wall = this.#wall.now();
    const mono = this.#monotonic.now();
    const stepMs = wall - this.#lastWall - (mono - this.#lastMono);
    this.#lastWall = wall;
    this.#lastMono = mono;
    if (Math.abs(stepMs) <= this.#toleranceMs) return null;
    this.#steadySince = mono;
    const step = { stepMs: Math.round(stepMs), wallMs: wall };
    this.#onStep(step);
    return step;
  }

  /**
   * Samples, then says whether the wall clock is steady; when not, how long (monotonic ms) until
   * it would be if no further step comes.
   */
  steady(): ClockTrust {
    this.sample();
    const waitMs = Math.max(0, this.#steadySince + this.#confirmMs - this.#lastMono);
    return { steady: waitMs === 0, waitMs };
  }
}
