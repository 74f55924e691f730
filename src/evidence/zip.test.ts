// The zip writer and the untrusted-zip reader, against real files in a temporary directory.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { crc32, deflateRawSync } from 'node:zlib';
import { isAppError } from '../lib/errors.ts';
import { pseudoRandomBytes } from '../../test/helpers/evidence-sample.ts';
import { openZip, unsafeNameReason, type ZipArchive } from './zip-reader.ts';
import { zipStream, type ZipEntry } from './zip-writer.ts';

const limits = { maxEntries: 100, maxCentralDirectoryBytes: 1 << 20 };

async function zipOf(entries: ZipEntry[], forceZip64 = false): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of zipStream(entries, { modified: new Date('2025-01-15T10:00:00Z'), forceZip64 })) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function readAll(zip: ZipArchive, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of zip.stream(name)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A one-file archive built by hand: deflated or stored, with the sizes and CRC it claims. */
function handMade(entries: Array<{ name: string; data: Buffer; method?: 0 | 8; size?: number; crc?: number }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name, 'utf8');
    const crc = e.crc ?? crc32(e.data);
    const size = e.size ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe('zip files', () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custos-zip-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function open(bytes: Buffer): Promise<ZipArchive> {
    const path = join(dir, `${n++}.zip`);
    await writeFile(path, bytes);
    return openZip(path, limits);
  }

  test('what the writer streams, the reader reads back: in-memory and streamed entries, with and without ZIP64', async () => {
    const big = pseudoRandomBytes(3_000_000, 11);
    for (const forceZip64 of [false, true]) {
      const zip = await open(
        await zipOf(
          [
            { name: 'a.txt', data: Buffer.from('alpha') },
            { name: 'empty', data: Buffer.alloc(0) },
            { name: 'dir/big.bin', stream: (async function* () { for (let at = 0; at < big.length; at += 100_000) yield big.subarray(at, at + 100_000); })() },
            { name: 'z.json', data: Buffer.from('{}') },
          ],
          forceZip64,
        ),
      );
      try {
        assert.deepEqual(zip.problems, []);
        assert.deepEqual(zip.files, [{ name: 'a.txt', size: 5 }, { name: 'empty', size: 0 }, { name: 'dir/big.bin', size: big.length }, { name: 'z.json', size: 2 }]);
        assert.deepEqual(await readAll(zip, 'dir/big.bin'), big);
        assert.equal((await readAll(zip, 'a.txt')).toString(), 'alpha');
        assert.equal((await readAll(zip, 'empty')).length, 0);
      } finally {
        await zip.close();
      }
    }
  });

  test('the writer refuses unsafe or repeated names before writing them', async () => {
    for (const name of ['../x', '/x', 'a\\b', 'a//b', './a', 'é', '']) {
      await assert.rejects(zipOf([{ name, data: Buffer.from('x') }]), (e: unknown) => isAppError(e, 'VALIDATION_FAILED'), name);
    }
    await assert.rejects(zipOf([{ name: 'a', data: Buffer.from('x') }, { name: 'a', data: Buffer.from('y') }]), /repeated/);
  });

  test('deflated entries (as zip tools write them) are read, and directory entries are skipped', async () => {
    const text = Buffer.from('hello '.repeat(1000));
    const zip = await open(handMade([{ name: 'events/', data: Buffer.alloc(0), method: 0 }, { name: 'events/1.json', data: text }]));
    try {
      assert.deepEqual(zip.problems, []);
      assert.deepEqual(zip.files, [{ name: 'events/1.json', size: text.length }]);
      assert.deepEqual(await readAll(zip, 'events/1.json'), text);
    } finally {
      await zip.close();
    }
  });

  test('unsafe names are refused and reported; the other entries stay readable', async () => {
    const cases: Array<[string, RegExp]> = [
      ['../evil', /climbs out/],
      ['a/../../evil', /climbs out/],
      ['/etc/passwd', /absolute/],
      ['C:/Windows/x', /absolute/],
      ['a\\..\\b', /backslash/],
      ['a//b', /empty or "\."/],
      ['./a', /empty or "\."/],
      ['a\u0000b', /control/],
    ];
    for (const [name, reason] of cases) {
      const zip = await open(handMade([{ name, data: Buffer.from('x') }, { name: 'ok.txt', data: Buffer.from('fine') }]));
      try {
        assert.equal(zip.problems.length, 1, name);
        assert.match(zip.problems[0] as string, reason);
        assert.ok((zip.problems[0] as string).includes(JSON.stringify(name)));
        assert.deepEqual(zip.files.map((f) => f.name), ['ok.txt']);
      } finally {
        await zip.close();
      }
      assert.match(unsafeNameReason(name) ?? '', reason);
    }
  });

  test('a name given twice is refused in both places, so no tool can pick a different copy', async () => {
    const zip = await open(handMade([{ name: 'custody.json', data: Buffer.from('one') }, { name: 'custody.json', data: Buffer.from('two') }]));
    try {
      assert.deepEqual(zip.files, []);
      assert.match(zip.problems.join('\n'), /"custody\.json" appears more than once/);
    } finally {
      await zip.close();
    }
  });

  test('a deflate bomb, a short entry and a wrong CRC are rejected while reading', async () => {
    const bomb = Buffer.alloc(5_000_000);
    const zip = await open(
      handMade([
        { name: 'bomb', data: bomb, size: 100 },
        { name: 'short', data: Buffer.from('abc'), size: 10 },
        { name: 'crc', data: Buffer.from('abc'), crc: 1 },
      ]),
    );
    try {
      assert.deepEqual(zip.problems, []);
      await assert.rejects(readAll(zip, 'bomb'), /more data than its zip entry declares/);
      await assert.rejects(readAll(zip, 'short'), /less data than its zip entry declares/);
      await assert.rejects(readAll(zip, 'crc'), /CRC-32/);
    } finally {
      await zip.close();
    }
  });

  test('what is not a zip, or a truncated one, cannot be opened', async () => {
    const good = await zipOf([{ name: 'a', data: Buffer.from('alpha') }]);
    for (const bytes of [Buffer.alloc(0), Buffer.from('PK not really'), pseudoRandomBytes(5000, 3), good.subarray(0, good.length - 1), good.subarray(0, 40)]) {
      await assert.rejects(open(bytes), (e: unknown) => isAppError(e, 'VALIDATION_FAILED'));
    }
  });

  test('an entry whose local header names another file is refused', async () => {
    const bytes = handMade([{ name: 'aaaa', data: Buffer.from('x') }]);
    bytes.write('bbbb', 30); // the local header's copy of the name
    const zip = await open(bytes);
    try {
      assert.deepEqual(zip.files, []);
      assert.match(zip.problems.join('\n'), /another name in its local header/);
    } finally {
      await zip.close();
    }
  });

  test('an archive claiming more entries than allowed is refused before reading them', async () => {
    const bytes = handMade([{ name: 'a', data: Buffer.from('x') }]);
    bytes.writeUInt16LE(1000, bytes.length - 22 + 8);
    bytes.writeUInt16LE(1000, bytes.length - 22 + 10);
    await assert.rejects(open(bytes), /1000 entries, more than the 100 allowed/);
  });
});
