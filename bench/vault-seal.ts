/**
 * Seal throughput of the vault chunk cipher (src/vault/chunk-cipher.ts) on 64 KiB, 256 KiB and
 * 1 MiB chunks, against `openssl speed -evp aes-256-gcm` on 16 KiB blocks in the same run: the
 * physical limit on this CPU (FORMATS.md, "Encryption at rest"). Goal: ratio ≥ 0.8.
 * Run: node bench/vault-seal.ts
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { ChunkCipher } from '../src/vault/chunk-cipher.ts';
import { newHeader } from '../src/vault/vault-header.ts';

const SECONDS = 2;
const MB = 1e6;

/** MB/s of `sealParts` (the writer's path: no copy into one record) on chunks of `size` bytes. */
function sealRate(size: number): { parts: number; record: number } {
  const header = newHeader(randomUUID(), 'bench-camera', Date.now());
  const cipher = new ChunkCipher(randomBytes(32), header);
  const plain = randomBytes(size);
  const run = (seal: (i: number) => void): number => {
    for (let i = 0; i < 50; i++) seal(i); // warm-up
    let n = 0;
    const t0 = process.hrtime.bigint();
    const limit = t0 + BigInt(SECONDS * 1e9);
    let now = t0;
    while (now < limit) {
      for (let k = 0; k < 16; k++) seal(n++);
      now = process.hrtime.bigint();
    }
    return (n * size) / MB / (Number(now - t0) / 1e9);
  };
  return { parts: run((i) => cipher.sealParts(i, plain, false)), record: run((i) => cipher.seal(i, plain, false)) };
}

/** MB/s of `openssl speed -evp aes-256-gcm -seconds 3 -bytes 16384` (its figure is in kB/s). */
async function opensslRate(): Promise<number> {
  const { stdout } = await promisify(execFile)('openssl', ['speed', '-evp', 'aes-256-gcm', '-seconds', '3', '-bytes', '16384']);
  const line = stdout.split('\n').find((l) => /^aes-256-gcm\s/i.test(l.trim()));
  const m = line?.match(/([\d.]+)k\s*$/);
  if (m?.[1] === undefined) throw new Error(`cannot parse openssl speed output:\n${stdout}`);
  return (Number(m[1]) * 1000) / MB;
}

const openssl = await opensslRate();
console.log(`openssl speed aes-256-gcm 16 KiB: ${openssl.toFixed(0)} MB/s`);
for (const [label, size] of [['64 KiB', 64 << 10], ['256 KiB', 256 << 10], ['1 MiB', 1 << 20]] as const) {
  const r = sealRate(size);
  console.log(
    `vault seal ${label.padEnd(7)}: ${r.parts.toFixed(0)} MB/s (ratio ${(r.parts / openssl).toFixed(2)}); ` +
      `as one record buffer ${r.record.toFixed(0)} MB/s (ratio ${(r.record / openssl).toFixed(2)})`,
  );
}
