import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './logger.ts';

test('log lines never carry URL credentials or password fields', () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ level: 'info', destination });
  log.info({ url: 'rtsp://admin:hunter2@10.0.0.5/stream', password: 'hunter3' }, 'connecting to rtsp://root:hunter4@cam/x');
  log.warn({ err: new Error('failed rtsp://u:hunter5@h/') }, 'ingest failed');
  const text = lines.join('');
  for (const secret of ['hunter2', 'hunter3', 'hunter4', 'hunter5']) assert.doesNotMatch(text, new RegExp(secret));
  assert.match(text, /rtsp:\/\/\*\*\*@10\.0\.0\.5\/stream/);
});
