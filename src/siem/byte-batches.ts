/**
 * Splits serialised events into requests under a receiver's documented size limit (Splunk HEC
 * `max_content_length`, Chronicle's request limit, a webhook receiver's limit), keeping order.
 */

/** Items grouped so that each group's size (items + separators + envelope) is at most `limit`. */
export interface ByteGroups<T> {
  readonly groups: readonly (readonly T[])[];
  /** Index of the first item that alone exceeds the limit, if any (it is in no group). */
  readonly tooLarge?: number;
}

/**
 * Groups `items` in order. `size(item)` is its byte length, `separator` the bytes between two
 * items and `envelope` the fixed bytes around each group. An item that cannot fit alone stops
 * the split: the caller MUST NOT send past it (order would break) and answers non-retryable.
 */
export function groupBySize<T>(items: readonly T[], size: (item: T) => number, limit: number, separator = 0, envelope = 0): ByteGroups<T> {
  const groups: T[][] = [];
  let current: T[] = [];
  let used = envelope;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const bytes = size(item);
    if (envelope + bytes > limit) {
      if (current.length > 0) groups.push(current);
      return { groups, tooLarge: i };
    }
    const extra = current.length === 0 ? bytes : separator + bytes;
    if (used + extra > limit) {
      groups.push(current);
      current = [item];
      used = envelope + bytes;
    } else {
      current.push(item);
      used += extra;
    }
  }
  if (current.length > 0) groups.push(current);
  return { groups };
}
