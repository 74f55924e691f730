import { test } from 'node:test';
import assert from 'node:assert/strict';
import { euMemberStates, jurisdiction, jurisdictionAllowedBy } from './jurisdiction.ts';

test('EU in an allow-list admits the 27 member states and nothing else', () => {
  assert.equal(euMemberStates.length, 27);
  for (const code of euMemberStates) assert.equal(jurisdictionAllowedBy(code, ['EU']), true, code);
  for (const code of ['US', 'GB', 'CH', 'NO', 'CN', 'EL']) assert.equal(jurisdictionAllowedBy(code, ['EU']), false, code);
});

test('a country allow-list admits exactly its countries', () => {
  assert.equal(jurisdictionAllowedBy('DE', ['DE', 'FR']), true);
  assert.equal(jurisdictionAllowedBy('NL', ['DE', 'FR']), false);
  assert.equal(jurisdictionAllowedBy('CH', ['EU', 'CH']), true);
});

test('a jurisdiction is two upper-case letters', () => {
  assert.equal(jurisdiction.safeParse('DE').success, true);
  for (const bad of ['de', 'DEU', 'EU ', '', 'D1']) assert.equal(jurisdiction.safeParse(bad).success, false, bad);
});
