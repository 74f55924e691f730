import { AppError } from '../lib/errors.ts';

/** Longest range one playback or export request may cover. */
export const maxRangeMs = 24 * 3_600_000;

/** Parses an RFC 3339 range; refuses reversed, empty or over-long ones with RANGE_INVALID. */
export function parseRange(from: string, to: string): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new AppError('RANGE_INVALID', 'from and to must be RFC 3339 times');
  if (toMs <= fromMs) throw new AppError('RANGE_INVALID', 'to must be after from');
  if (toMs - fromMs > maxRangeMs) throw new AppError('RANGE_INVALID', `a range may cover at most ${maxRangeMs / 3_600_000} hours`);
  return { fromMs, toMs };
}
