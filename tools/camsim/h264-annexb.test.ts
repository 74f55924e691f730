import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findParameterSets, groupAccessUnits, profileLevelId, splitNalUnits } from './h264-annexb.ts';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const hex = (u: Uint8Array[]): string[] => u.map((x) => Buffer.from(x).toString('hex'));

describe('Annex B splitting', () => {
  const cases: { name: string; input: number[]; nals: string[] }[] = [
    { name: 'splits on 4-byte start codes', input: [0, 0, 0, 1, 0x09, 0x10, 0, 0, 0, 1, 0x67, 0xaa], nals: ['0910', '67aa'] },
    { name: 'splits on 3-byte start codes', input: [0, 0, 1, 0x68, 0xce, 0, 0, 1, 0x65, 0x88], nals: ['68ce', '6588'] },
    { name: 'mixes 3- and 4-byte start codes', input: [0, 0, 1, 0x06, 0x05, 0, 0, 0, 1, 0x41, 0x9a], nals: ['0605', '419a'] },
    { name: 'ignores bytes before the first start code', input: [0xff, 0xee, 0, 0, 1, 0x41, 0x01], nals: ['4101'] },
    { name: 'strips trailing zero bytes before a start code', input: [0, 0, 1, 0x41, 0x02, 0, 0, 0, 0, 1, 0x41, 0x03], nals: ['4102', '4103'] },
    { name: 'keeps emulation-prevented zeros inside a NAL', input: [0, 0, 1, 0x65, 0, 0, 3, 1, 0x80], nals: ['6500000301' + '80'] },
    { name: 'returns nothing for a stream without start codes', input: [1, 2, 3, 4], nals: [] },
    { name: 'drops empty NAL units between adjacent start codes', input: [0, 0, 1, 0, 0, 1, 0x09, 0xf0], nals: ['09f0'] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(hex(splitNalUnits(bytes(...c.input))), c.nals));
  }

  it('returns views into the input rather than copies', () => {
    const input = bytes(0, 0, 1, 0x41, 0x07);
    const [nal] = splitNalUnits(input);
    assert.equal(nal?.buffer, input.buffer);
  });
});

describe('access unit grouping', () => {
  it('starts a new access unit at every delimiter and flags IDR units as key frames', () => {
    const nals = [bytes(0x09, 0x10), bytes(0x67, 1), bytes(0x68, 2), bytes(0x65, 3), bytes(0x09, 0x30), bytes(0x41, 4)];
    const units = groupAccessUnits(nals);
    assert.equal(units.length, 2);
    assert.deepEqual(units.map((u) => u.key), [true, false]);
    assert.deepEqual(units.map((u) => u.nals.length), [4, 2]);
  });

  it('puts NAL units before the first delimiter in their own access unit', () => {
    const units = groupAccessUnits([bytes(0x41, 1), bytes(0x09, 0x30), bytes(0x41, 2)]);
    assert.deepEqual(units.map((u) => u.nals.length), [1, 2]);
  });
});

describe('parameter sets', () => {
  const sps = bytes(0x67, 0x64, 0x00, 0x1e, 0xac);
  const pps = bytes(0x68, 0xef, 0x3c);

  it('finds the first SPS and PPS', () => {
    const found = findParameterSets([bytes(0x09, 0x10), sps, pps, bytes(0x67, 0x42, 0, 0x0a)]);
    assert.deepEqual(found, { sps, pps });
  });

  it('reports a stream without a PPS as having no parameter sets', () => {
    assert.equal(findParameterSets([sps]), undefined);
  });

  it('derives profile-level-id from SPS bytes 1 to 3', () => {
    assert.equal(profileLevelId(sps), '64001e');
    assert.equal(profileLevelId(bytes(0x67, 0x42, 0xc0, 0x28)), '42c028');
  });

  it('rejects an SPS too short to hold a profile and level', () => {
    assert.throws(() => profileLevelId(bytes(0x67, 0x64)), RangeError);
  });
});
