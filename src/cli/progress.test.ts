import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { progressBar } from './progress.ts';

function capture(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let out = '';
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _e, done) {
        out += chunk.toString();
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => out };
}

test('off a terminal, progress prints one line per tenth and the end', () => {
  const { stream, text } = capture(false);
  const report = progressBar(stream, 'rewrap');
  for (let i = 1; i <= 100; i++) report(i, 100);
  const lines = text().trim().split('\n');
  assert.equal(lines.length, 11, 'the first step, then each tenth');
  assert.equal(lines.at(-1), 'rewrap: 100% (100/100)');
});

test('on a terminal, progress redraws one line and ends it when done', () => {
  const { stream, text } = capture(true);
  const report = progressBar(stream, 'fsck');
  report(1, 2);
  report(2, 2);
  assert.match(text(), /^\rfsck \[#{15}\.{15}\] 50% \(1\/2\)\rfsck \[#{30}\] 100% \(2\/2\)\n$/);
});
