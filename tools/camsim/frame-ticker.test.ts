import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createFrameTicker } from './frame-ticker.ts';

describe('frame ticker', () => {
  it('calls every listener once per period without drifting', async () => {
    const ticker = createFrameTicker({ periodMs: 10 });
    let a = 0;
    let b = 0;
    ticker.add(() => { a += 1; });
    ticker.add(() => { b += 1; });
    await sleep(505);
    ticker.stop();
    assert.ok(a >= 40 && a <= 51, `a=${a}`);
    assert.equal(a, b);
  });

  it('fires missed ticks in a burst after a short stall', async () => {
    const ticker = createFrameTicker({ periodMs: 10 });
    let n = 0;
    ticker.add(() => { n += 1; });
    const until = performance.now() + 100;
    while (performance.now() < until) { /* block the event loop */ }
    await sleep(15);
    ticker.stop();
    assert.ok(n >= 10, `n=${n}`);
  });

  it('re-anchors instead of flooding after a long stall', async () => {
    const ticker = createFrameTicker({ periodMs: 10, maxCatchUp: 5 });
    let n = 0;
    ticker.add(() => { n += 1; });
    const until = performance.now() + 200;
    while (performance.now() < until) { /* block the event loop */ }
    await sleep(5);
    ticker.stop();
    assert.ok(n <= 3, `n=${n}`);
  });

  it('stops its timer when the last listener leaves, even from inside a tick', async () => {
    const ticker = createFrameTicker({ periodMs: 5 });
    let n = 0;
    const listener = (): void => { n += 1; ticker.delete(listener); };
    ticker.add(listener);
    await sleep(40);
    assert.equal(n, 1);
    assert.equal(ticker.size, 0);
  });
});
