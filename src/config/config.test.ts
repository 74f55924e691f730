import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadConfig } from './load.ts';
import { renderExampleYaml } from './example-yaml.ts';
import { describeConfig } from './config-keys.ts';
import { Secret } from './secret.ts';
import { isAppError } from '../lib/errors.ts';

const noEnv = {};

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'custos-config-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

test('defaults apply when there is no file and no environment', async () => {
  const config = await loadConfig({ file: null, env: noEnv });
  assert.equal(config.server.port, 8443);
  assert.equal(config.server.host, '127.0.0.1');
  assert.equal(config.recording.segmentSeconds, 60);
  assert.equal(config.database.url, null);
});

test('the environment overrides the file, which overrides defaults', async () => {
  const file = await tempFile('c.yaml', 'server:\n  port: 9000\nrecording:\n  segmentSeconds: 30\n');
  const config = await loadConfig({ file, env: { CUSTOS_RECORDING_SEGMENT_SECONDS: '10', PATH: '/bin' } });
  assert.equal(config.server.port, 9000);
  assert.equal(config.recording.segmentSeconds, 10);
});

test('an unknown key in the file stops loading with one line naming it', async () => {
  const file = await tempFile('c.yaml', 'recording:\n  segmentSecs: 30\n');
  await assert.rejects(loadConfig({ file, env: noEnv }), (e: unknown) => {
    assert.ok(isAppError(e, 'CONFIG_INVALID'));
    assert.match(e.message, /recording/);
    assert.match(e.message, /segmentSecs/);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
});

test('a bad value names the key and its environment variable', async () => {
  await assert.rejects(loadConfig({ file: null, env: { CUSTOS_SERVER_PORT: '70000' } }), (e: unknown) => {
    assert.ok(isAppError(e, 'CONFIG_INVALID'));
    assert.match(e.message, /^config: server\.port: .*CUSTOS_SERVER_PORT/);
    return true;
  });
  await assert.rejects(loadConfig({ file: null, env: { CUSTOS_SERVER_PORT: 'abc' } }), /server\.port: expected a number/);
});

test('an unknown CUSTOS_ variable is refused', async () => {
  await assert.rejects(loadConfig({ file: null, env: { CUSTOS_SERVR_PORT: '1' } }), /unknown environment variable CUSTOS_SERVR_PORT/);
});

test('a secret is read from a file and prints as [redacted]', async () => {
  const file = await tempFile('db-url', 'postgres://custos:hunter2@127.0.0.1/custos\n');
  const config = await loadConfig({ file: null, env: { CUSTOS_DATABASE_URL_FILE: file } });
  assert.ok(config.database.url instanceof Secret);
  assert.equal(config.database.url.reveal(), 'postgres://custos:hunter2@127.0.0.1/custos');
  const printed = [String(config.database.url), JSON.stringify(config), inspect(config, { depth: 10 })].join(' ');
  assert.doesNotMatch(printed, /hunter2/);
  assert.match(printed, /\[redacted\]/);
});

test('a secret given in the YAML file is redacted too', async () => {
  const file = await tempFile('c.yaml', 'database:\n  url: postgres://u:topsecret@127.0.0.1/db\n');
  const config = await loadConfig({ file, env: noEnv });
  assert.doesNotMatch(JSON.stringify(config), /topsecret/);
});

test('invalid YAML is refused with a one-line reason', async () => {
  const file = await tempFile('c.yaml', 'server: [1, 2\n');
  await assert.rejects(loadConfig({ file, env: noEnv }), (e: unknown) => isAppError(e, 'CONFIG_INVALID') && !e.message.includes('\n'));
});

test('every key has a description', () => {
  for (const key of describeConfig().keys) assert.ok(key.description.length > 10, `${key.path} lacks a description`);
});

test('custos.example.yaml lists every key and matches the schema', async () => {
  const committed = await readFile(new URL('../../custos.example.yaml', import.meta.url), 'utf8');
  assert.equal(committed, renderExampleYaml(), 'custos.example.yaml is stale: run npm run config:example');
  const file = await tempFile('c.yaml', committed);
  const fromExample = await loadConfig({ file, env: noEnv });
  const defaults = await loadConfig({ file: null, env: noEnv });
  assert.deepEqual(JSON.parse(JSON.stringify(fromExample)), JSON.parse(JSON.stringify(defaults)));
});
