import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assessSignificance, lossThresholdEur, recurringCheck, type EntityProfile, type SignificanceFacts, type PastIncident } from './significance.ts';

const none: SignificanceFacts = {
  estimatedLossEur: null,
  tradeSecretsExfiltrated: 'no',
  healthDamage: 'no',
  unauthorisedAccess: 'no',
  suspectedMalicious: 'unknown',
  capableOfSevereDisruption: 'unknown',
  completeUnavailabilityMinutes: null,
  limitedAvailabilityMinutes: null,
  limitedAvailabilityUsers: null,
};
const cloud: EntityProfile = { entityType: 'cloud-provider', annualTurnoverEur: 100_000_000, euUsers: 10_000_000 };
const small: EntityProfile = { entityType: 'default', annualTurnoverEur: 4_000_000, euUsers: null };

const met = (facts: Partial<SignificanceFacts>, profile: EntityProfile, criterion: string) => assessSignificance({ ...none, ...facts }, profile).criteria.find((c) => c.criterion === criterion)?.met;

describe('significance boundaries (INC-2)', () => {
  const cases: [string, Partial<SignificanceFacts>, EntityProfile, string, boolean | undefined][] = [
    ['29 minutes of complete unavailability is not significant', { completeUnavailabilityMinutes: 29 }, cloud, 'complete-unavailability', false],
    ['exactly 30 minutes is not over 30', { completeUnavailabilityMinutes: 30 }, cloud, 'complete-unavailability', false],
    ['31 minutes of complete unavailability is significant', { completeUnavailabilityMinutes: 31 }, cloud, 'complete-unavailability', true],
    ['an entity of the default type has no availability criterion', { completeUnavailabilityMinutes: 600 }, small, 'complete-unavailability', undefined],
    ['4.9 % of turnover (below €500,000) is not significant', { estimatedLossEur: 196_000 }, small, 'financial-loss', false],
    ['exactly 5 % of turnover is not above it', { estimatedLossEur: 200_000 }, small, 'financial-loss', false],
    ['5.1 % of turnover (below €500,000) is significant', { estimatedLossEur: 204_000 }, small, 'financial-loss', true],
    ['a large entity: €499,999 is not above €500,000', { estimatedLossEur: 499_999 }, cloud, 'financial-loss', false],
    ['a large entity: €500,001 is above €500,000 though far below 5 % of turnover', { estimatedLossEur: 500_001 }, cloud, 'financial-loss', true],
    ['limited availability for 4.9 % of EU users over an hour is not significant', { limitedAvailabilityMinutes: 61, limitedAvailabilityUsers: 490_000 }, cloud, 'limited-availability', false],
    ['limited availability for 5.1 % of EU users over an hour is significant', { limitedAvailabilityMinutes: 61, limitedAvailabilityUsers: 510_000 }, cloud, 'limited-availability', true],
    ['5.1 % of users for exactly an hour is not over an hour', { limitedAvailabilityMinutes: 60, limitedAvailabilityUsers: 510_000 }, cloud, 'limited-availability', false],
    ['malicious access needs all three answers yes', { unauthorisedAccess: 'yes', suspectedMalicious: 'yes', capableOfSevereDisruption: 'unknown' }, small, 'malicious-access', false],
    ['successful malicious access capable of severe disruption is significant', { unauthorisedAccess: 'yes', suspectedMalicious: 'yes', capableOfSevereDisruption: 'yes' }, small, 'malicious-access', true],
    ['exfiltrated trade secrets are significant', { tradeSecretsExfiltrated: 'yes' }, small, 'trade-secrets', true],
  ];
  for (const [name, facts, profile, criterion, expected] of cases) test(name, () => assert.equal(met(facts, profile, criterion), expected));

  test('the turnover threshold is the lower of €500,000 and 5 % of turnover, €500,000 when turnover is unknown', () => {
    assert.equal(lossThresholdEur(small), 200_000);
    assert.equal(lossThresholdEur(cloud), 500_000);
    assert.equal(lossThresholdEur({ ...small, annualTurnoverEur: null }), 500_000);
  });

  test('an incident is significant when any criterion is met, and each criterion keeps its reasoning', () => {
    const s = assessSignificance({ ...none, estimatedLossEur: 204_000 }, small);
    assert.equal(s.significant, true);
    assert.match(s.criteria.find((c) => c.criterion === 'financial-loss')?.reasoning ?? '', /above €200,000/);
    assert.equal(assessSignificance(none, small).significant, false);
  });
});

describe('recurring incidents over six months (INC-3)', () => {
  const at = (iso: string) => Date.parse(iso);
  const current: PastIncident = { id: 'c', atMs: at('2026-09-15T10:00:00Z'), rootCauseKey: 'weak-camera-password', estimatedLossEur: 120_000 };
  const cases: [string, PastIncident[], boolean][] = [
    ['alone it is not recurring', [], false],
    ['one more with the same cause within six months, together above the threshold, is significant', [{ id: 'a', atMs: at('2026-03-15T10:00:00Z'), rootCauseKey: 'weak-camera-password', estimatedLossEur: 90_000 }], true],
    ['the same one a minute more than six months before is outside the window', [{ id: 'a', atMs: at('2026-03-15T09:59:00Z'), rootCauseKey: 'weak-camera-password', estimatedLossEur: 90_000 }], false],
    ['another cause does not count', [{ id: 'a', atMs: at('2026-06-01T00:00:00Z'), rootCauseKey: 'firmware-bug', estimatedLossEur: 900_000 }], false],
    ['same cause but together not above the threshold', [{ id: 'a', atMs: at('2026-06-01T00:00:00Z'), rootCauseKey: 'weak-camera-password', estimatedLossEur: 80_000 }], false],
  ];
  for (const [name, register, expected] of cases) test(name, () => assert.equal(recurringCheck(current, register, small).met, expected));

  test('the related incidents are named', () => {
    const r = recurringCheck(current, [{ id: 'a', atMs: at('2026-04-01T00:00:00Z'), rootCauseKey: 'weak-camera-password', estimatedLossEur: 1 }], small);
    assert.deepEqual(r.related, ['a']);
  });
});
