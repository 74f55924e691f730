import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prettyLogLine } from './pretty-log-line.ts';

test('a pino JSON line becomes one human line: time, level, message, then the other fields', () => {
  const line = JSON.stringify({ level: 30, time: '2026-12-07T14:03:07.512Z', app: 'custos', pid: 1, hostname: 'h', reqId: 'abc', msg: 'live viewer connected', cameraId: 'c-1', n: 3 });
  assert.equal(prettyLogLine(line, false), '14:03:07.512 INFO  live viewer connected reqId=abc cameraId=c-1 n=3');
});

test('levels are named, and coloured only when asked', () => {
  const warn = JSON.stringify({ level: 40, time: '2026-12-07T00:00:00.000Z', msg: 'x' });
  assert.equal(prettyLogLine(warn, false), '00:00:00.000 WARN  x');
  assert.equal(prettyLogLine(warn, true), '00:00:00.000 \u001b[33mWARN \u001b[0m x');
});

test('errors show their type, message and code; objects are compact JSON; strings with spaces are quoted', () => {
  const line = JSON.stringify({ level: 50, time: 1_765_000_000_000, msg: 'export failed', err: { type: 'AppError', message: 'boom\n  at x', code: 'EXPORT_FAILED', stack: 'AppError: boom\n  at y' }, req: { method: 'GET', url: '/a b' }, reason: 'two words' });
  const pretty = prettyLogLine(line, false);
  assert.match(pretty, /^\d{2}:\d{2}:\d{2}\.\d{3} ERROR export failed err="AppError: boom ⏎ at x \[EXPORT_FAILED\]" req="GET \/a b" reason="two words"$/);
  assert.ok(!pretty.includes('\n'), 'one event, one line');
  assert.ok(!pretty.includes('at y'), 'no stack trace');
});

test('a line that is not a JSON object is passed through unchanged', () => {
  assert.equal(prettyLogLine('not json', false), 'not json');
  assert.equal(prettyLogLine('[1,2]', false), '[1,2]');
});

test('a request reads as method, path and client; other objects stay compact JSON', () => {
  const line = JSON.stringify({ level: 20, time: '2026-12-07T10:00:00.000Z', msg: 'request completed', req: { method: 'GET', url: '/api/v1/cameras', host: 'h:8443', remoteAddress: '127.0.0.1', remotePort: 5 }, status: 200, ms: 3, span: { a: 1 } });
  assert.equal(prettyLogLine(line, false), '10:00:00.000 DEBUG request completed req="GET /api/v1/cameras from 127.0.0.1" status=200 ms=3 span={"a":1}');
});
