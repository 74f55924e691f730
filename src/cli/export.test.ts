// `custos export verify` through the CLI entry point, on a real package in a temporary directory.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { main } from './main.ts';
import { samplePackage, type SamplePackage } from '../../test/helpers/evidence-sample.ts';
import { writeEvidenceDirectory, writeEvidenceZipFile } from '../evidence/evidence-package.ts';

async function custos(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(args, { stdout, stderr, stdin: new PassThrough(), env: {} });
  return { code, stdout: out, stderr: err };
}

describe('custos export verify', () => {
  let work: string;
  let sample: SamplePackage;
  let dir: string;
  let zip: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'custos-export-cli-'));
    sample = samplePackage();
    dir = join(work, 'package');
    zip = join(work, 'package.zip');
    await writeEvidenceDirectory(dir, sample.contents);
    await writeEvidenceZipFile(zip, sample.contents);
  });
  after(() => rm(work, { recursive: true, force: true }));

  test('an intact package prints every check as ok, a VERIFIED verdict, and exits 0', async () => {
    for (const path of [dir, zip]) {
      const r = await custos(['export', 'verify', path, '--key', sample.vkey]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^Evidence package .* \((directory|zip)\)\n/);
      assert.equal(r.stdout.match(/^ {2}ok {6}/gm)?.length, 10);
      assert.match(r.stdout, /\nVERIFIED: .*\n$/);
      assert.match(r.stderr, /export\.mp4: 100% \(300000\/300000\)/);
    }
  });

  test('the key can be given as a file holding it, and the report as JSON', async () => {
    const keyFile = join(work, 'audit.vkey');
    await writeFile(keyFile, `${sample.vkey}\n`);
    const r = await custos(['export', 'verify', zip, '--key', keyFile, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean }> };
    assert.equal(report.ok, true);
    assert.equal(report.checks.length, 10);
  });

  test('a tampered package prints the failing check naming the file, a NOT VERIFIED verdict, and exits 1', async () => {
    const mp4 = join(dir, 'export.mp4');
    const original = await readFile(mp4);
    const changed = Buffer.from(original);
    changed[1234] = (changed[1234] as number) ^ 0x40;
    await writeFile(mp4, changed);
    try {
      const r = await custos(['export', 'verify', dir, '--key', sample.vkey]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^ {2}FAILED {2}files +export\.mp4: its SHA-256 differs from manifest\.json$/m);
      assert.match(r.stdout, /^ {2}FAILED {2}completion +export\.mp4: its SHA-256 [0-9a-f]{64} is not the mp4Sha256/m);
      assert.match(r.stdout, /\nNOT VERIFIED: 2 of 10 checks failed \(files, completion\)\n$/);
    } finally {
      await writeFile(mp4, original);
    }
    assert.equal((await custos(['export', 'verify', join(work, 'no-such-package'), '--key', sample.vkey])).code, 1);
  });

  test('bad usage prints a one-line reason and exits 2; help exits 0', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['export', 'verify', dir], /^custos export: export verify needs --key/],
      [['export', 'verify', '--key', sample.vkey], /^custos export: export verify needs exactly one PATH/],
      [['export', 'verify', dir, zip, '--key', sample.vkey], /exactly one PATH/],
      [['export', 'verify', dir, '--key', 'audit+0000000a+AAAA'], /^custos export: --key: /],
      [['export', 'verify', dir, '--key', join(work, 'missing.vkey')], /^custos export: --key is neither a verifier key nor a readable file \(ENOENT\)/],
      [['export', 'verify', dir, '--key', sample.vkey, '--bogus'], /Unknown option '--bogus'/],
      [['export', 'check', dir], /unknown export command "check"/],
    ];
    for (const [args, message] of cases) {
      const r = await custos(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split('\n').length, 2, 'one line');
    }
    assert.equal((await custos(['export'])).code, 2);
    const help = await custos(['export', 'verify', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: custos export verify PATH --key VKEY_OR_FILE/);
  });
});
