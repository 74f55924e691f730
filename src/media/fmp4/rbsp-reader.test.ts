import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faultOf } from '../../../test/helpers/parameter-set-kit.ts';
import { RbspReader, toRbsp } from './rbsp-reader.ts';

test('emulation prevention bytes are removed after two zero bytes, and only there', () => {
  const cases: [string, string][] = [
    ['67000003010000030000', '00000100000000'], // both 03s follow 00 00
    ['6700000300', '000000'],
    ['67000103', '000103'], // 03 after 00 01 stays
    ['6703000003', '030000'], // a trailing 03 after 00 00 is dropped too
    ['67ffee', 'ffee'],
  ];
  for (const [nal, rbsp] of cases) {
    assert.equal(Buffer.from(toRbsp(Buffer.from(nal, 'hex'), 1)).toString('hex'), rbsp, nal);
  }
});

test('a payload without emulation prevention is returned as a view, not a copy', () => {
  const nal = Buffer.from('67640028ac', 'hex');
  const rbsp = toRbsp(nal, 1);
  assert.equal(rbsp.buffer, nal.buffer);
});

test('ue(v) and se(v) decode the Exp-Golomb codes of H.264 Table 9-2 and 9-3', () => {
  // Codes 1, 010, 011, 00100, 00101, 00110, 00111, 0001000 → ue 0..7; padded with 1s.
  const r = new RbspReader(Buffer.from([0b10100110, 0b01000010, 0b10011000, 0b11100010, 0b00111111]), 'test');
  assert.deepEqual([r.ue(), r.ue(), r.ue(), r.ue(), r.ue(), r.ue(), r.ue(), r.ue()], [0, 1, 2, 3, 4, 5, 6, 7]);
  const s = new RbspReader(Buffer.from([0b10100110, 0b01000010, 0b10011000]), 'test');
  assert.deepEqual([s.se(), s.se(), s.se(), s.se(), s.se()], [0, 1, -1, 2, -2]);
});

test('ue(v) reads the largest 32-bit code and refuses a longer one', () => {
  // 31 zeros, a one, then 31 ones: 2^32 - 2.
  const max = new RbspReader(Buffer.from('00000001ffffffff', 'hex'), 'test');
  assert.equal(max.ue(), 2 ** 32 - 2);
  assert.equal(faultOf(() => new RbspReader(Buffer.from('0000000080', 'hex'), 'test').ue()), 'out-of-range');
});

test('reading past the end is a typed truncation error, including an all-zero payload', () => {
  assert.equal(faultOf(() => new RbspReader(Buffer.from([0xff]), 'test').bits(9)), 'truncated');
  assert.equal(faultOf(() => new RbspReader(Buffer.alloc(2), 'test').ue()), 'truncated');
  assert.equal(faultOf(() => new RbspReader(Buffer.alloc(0), 'test').flag()), 'truncated');
});

test('ueMax names the field that is out of range', () => {
  const r = new RbspReader(Buffer.from([0b00111000]), 'H.264 SPS'); // ue = 6
  assert.throws(() => r.ueMax('chroma_format_idc', 3), /chroma_format_idc = 6 exceeds 3/);
});
