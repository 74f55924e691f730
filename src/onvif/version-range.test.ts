import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cvssV3BaseScore } from './cvss-v3.ts';
import { compareFirmwareText, parseFirmwareVersion } from './firmware-version.ts';
import { inRange, parseRangeText, type VersionRange } from './version-range.ts';

test('vendor firmware strings are ordered by release, pre-release and (when both have one) build', () => {
  const cases: [string, string, number | null][] = [
    ['V5.7.3 build 220315', '5.7.3', 0],
    ['V5.7.3 build 220315', 'V5.7.3 build 220401', -1],
    ['5.7.3 Build:220315', '5.7.3 b220315', 0],
    ['5.7', '5.7.0', 0],
    ['5.7.10', '5.7.9', 1],
    ['05.07.03', '5.7.3', 0],
    ['2.4.1-beta2', '2.4.1', -1],
    ['2.4.1-beta2', '2.4.1-rc1', -1],
    ['2.4.1 beta2', '2.4.1 beta10', -1],
    ['2.4.1b2', '2.4.1', -1],
    ['IPC_5.4.0 B190520', '5.4.0', 0],
    ['IPC_5.4.0 B190520', '5.4.0 build 190521', -1],
    ['2.800.0000000.25.R', '2.800.0.24', 1],
    ['5.7.3a', '5.7.3', 0],
    ['firmware 3.0', 'V2.9.99', 1],
    ['unknown', 'UNKNOWN', 0],
    ['unknown', '1.0', null],
  ];
  for (const [a, b, want] of cases) assert.equal(compareFirmwareText(a, b), want, `${a} vs ${b}`);
});

test('a string without a number has no release', () => {
  assert.deepEqual(parseFirmwareVersion('  Stable ').release, []);
});

test('range texts in vers and in vendor wording are understood', () => {
  const cases: [string, VersionRange | null][] = [
    ['vers:generic/>=5.0|<5.7.4', { kind: 'vers', constraints: [{ op: '>=', version: '5.0' }, { op: '<', version: '5.7.4' }] }],
    ['vers:generic/*', { kind: 'all' }],
    ['vers:generic/<=V5.7.3%20build%20220315', { kind: 'vers', constraints: [{ op: '<=', version: 'V5.7.3 build 220315' }] }],
    ['vers:generic/<=5.7.3%ZZ', null],
    ['<= V5.7.3 build 220315', { kind: 'vers', constraints: [{ op: '<=', version: 'V5.7.3 build 220315' }] }],
    ['>=5.0, <5.7.4', { kind: 'vers', constraints: [{ op: '>=', version: '5.0' }, { op: '<', version: '5.7.4' }] }],
    ['>=5.0 <5.7.4', { kind: 'vers', constraints: [{ op: '>=', version: '5.0' }, { op: '<', version: '5.7.4' }] }],
    ['5.0 - 5.7.3', { kind: 'vers', constraints: [{ op: '>=', version: '5.0' }, { op: '<=', version: '5.7.3' }] }],
    ['before 5.7.4', { kind: 'vers', constraints: [{ op: '<', version: '5.7.4' }] }],
    ['5.7.3 and earlier', { kind: 'vers', constraints: [{ op: '<=', version: '5.7.3' }] }],
    ['All versions', { kind: 'all' }],
    ['<latest', null],
    ['', null],
    ['<5.0 <=>', null],
  ];
  for (const [text, want] of cases) assert.deepEqual(parseRangeText(text), want, text);
});

test('vers ranges decide membership with the vers algorithm', () => {
  const r = (t: string) => parseRangeText(t)!;
  const cases: [string, string, boolean][] = [
    ['vers:generic/>=5.0|<5.7.4', '5.7.3', true],
    ['vers:generic/>=5.0|<5.7.4', 'V5.7.3 build 220315', true],
    ['vers:generic/>=5.0|<5.7.4', '5.7.4', false],
    ['vers:generic/>=5.0|<5.7.4', '4.9', false],
    ['vers:generic/<5.0|>=6.0', '4.2', true],
    ['vers:generic/<5.0|>=6.0', '5.5', false],
    ['vers:generic/<5.0|>=6.0', '6.1', true],
    ['vers:generic/>=5.0|<5.7.4|!=5.6.0', '5.6.0', false],
    ['vers:generic/5.9.1|>=5.0|<5.7.4', '5.9.1', true],
    ['<= 5.7.3', '5.7.3 build 999999', true],
    ['<= 5.7.3 build 220315', '5.7.3 build 220401', false],
    ['<= 5.7.3', 'unknown', false],
  ];
  for (const [range, v, want] of cases) assert.equal(inRange(r(range), v), want, `${v} in ${range}`);
});

test('OSV events follow the schema evaluation (introduced inclusive, fixed exclusive, last_affected inclusive)', () => {
  const osv = (...events: Record<string, string>[]): VersionRange => ({ kind: 'osv', events: events as never });
  const cases: [VersionRange, string, boolean][] = [
    [osv({ introduced: '0' }, { fixed: '2.4.2' }), '2.4.1', true],
    [osv({ introduced: '0' }, { fixed: '2.4.2' }), '2.4.2', false],
    [osv({ introduced: '2.0' }, { last_affected: '2.4.1' }), '2.4.1', true],
    [osv({ introduced: '2.0' }, { last_affected: '2.4.1' }), '1.9', false],
    [osv({ fixed: '3.1' }, { introduced: '1.0' }, { introduced: '3.0' }, { fixed: '1.5' }), '1.2', true],
    [osv({ fixed: '3.1' }, { introduced: '1.0' }, { introduced: '3.0' }, { fixed: '1.5' }), '2.0', false],
    [osv({ fixed: '3.1' }, { introduced: '1.0' }, { introduced: '3.0' }, { fixed: '1.5' }), '3.0.5', true],
    [osv({ introduced: '0' }), 'no digits', true],
    [osv({ introduced: '1.0' }), 'no digits', false],
    [{ kind: 'versions', versions: ['2.4.0', '2.4.1'] }, 'V2.4.1 build 1', true],
    [{ kind: 'versions', versions: ['2.4.0', '2.4.1'] }, '2.4.2', false],
  ];
  for (const [range, v, want] of cases) assert.equal(inRange(range, v), want, `${v} in ${JSON.stringify(range)}`);
});

test('CVSS v3 base scores of OSV vectors follow the FIRST formula; invalid vectors have none', () => {
  const cases: [string, number | null][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N', 9.1],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', 5.5],
    ['CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:L/A:N', 7.2],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', null],
    ['CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P', null],
    ['CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', null],
    ['CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', null],
  ];
  for (const [v, want] of cases) assert.equal(cvssV3BaseScore(v), want, v);
});
