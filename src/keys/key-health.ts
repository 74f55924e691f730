import { randomBytes } from 'node:crypto';
import type { MonotonicClock } from '../lib/monotonic-clock.ts';
import type { KeyProvider } from './key-provider.ts';

/** How long one probe's verdict is reused: /healthz is polled, and an HSM round trip is not free. */
const cacheMs = 5_000;

/**
 * The master key provider as a health source (issue 19 item 7, "keys"): a round trip of a random
 * probe key through `wrap` and `unwrap` with the current KEK version, at most once per 5 s. One
 * line when it fails (the error's code and first line only: never key material), none when the
 * probe comes back equal. Concurrent askers share one probe.
 */
export function keyHealthSource(provider: Pick<KeyProvider, 'wrap' | 'unwrap' | 'kind'>, monotonic: MonotonicClock): () => Promise<string[]> {
  let last: { atMs: number; problems: string[] } | null = null;
  let probing: Promise<string[]> | null = null;
  const probe = async (): Promise<string[]> => {
    const key = randomBytes(32);
    try {
      const { version, wrapped } = await provider.wrap(key);
      const back = await provider.unwrap(version, wrapped);
      return back.equals(key) ? [] : [`the ${provider.kind} master key provider unwrapped a probe key to different bytes`];
    } catch (e) {
      const code = typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? `${(e as { code: string }).code}: ` : '';
      const line = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
      return [`the ${provider.kind} master key provider cannot wrap and unwrap a probe key (${code}${line})`];
    } finally {
      key.fill(0);
    }
  };
  return async () => {
    const now = monotonic.now();
    if (last !== null && now - last.atMs < cacheMs) return last.problems;
    probing ??= probe().then((problems) => {
      last = { atMs: monotonic.now(), problems };
      probing = null;
      return problems;
    });
    return probing;
  };
}
