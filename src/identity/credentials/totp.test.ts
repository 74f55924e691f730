import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../../lib/errors.ts';
import { base32Decode, base32Encode } from './base32.ts';
import { generateTotpSecret, hotp, totpCode, totpStep, totpUri, verifyTotp } from './totp.ts';

/** The RFC's shared secret, ASCII "12345678901234567890". */
const rfcKey = Buffer.from('12345678901234567890');
const rfcSecret = base32Encode(rfcKey);

describe('hotp', () => {
  // RFC 4226 Appendix D: HOTP values for counts 0 to 9.
  const appendixD = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  appendixD.forEach((expected, count) => {
    test(`gives the RFC 4226 Appendix D value for count ${count}`, () => assert.equal(hotp(rfcKey, count), expected));
  });
});

describe('totpCode', () => {
  // RFC 6238 Appendix B, SHA-1 rows: Unix time in seconds → 8-digit TOTP.
  const appendixB: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [seconds, expected] of appendixB) {
    test(`gives the RFC 6238 Appendix B value at T=${seconds} with 8 digits`, () => assert.equal(totpCode(rfcSecret, seconds * 1000, 8), expected));
    test(`gives the last six digits of that value at T=${seconds} with 6 digits`, () => assert.equal(totpCode(rfcSecret, seconds * 1000), expected.slice(2)));
  }
});

describe('generateTotpSecret', () => {
  test('returns 32 base32 characters that decode to 20 bytes', () => {
    const secret = generateTotpSecret();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(secret).length, 20);
  });

  test('returns a different secret each time', () => {
    assert.equal(new Set(Array.from({ length: 20 }, generateTotpSecret)).size, 20);
  });
});

describe('totpUri', () => {
  test('builds the Key Uri Format with the label and issuer percent-encoded', () => {
    const uri = totpUri({ secret: rfcSecret, account: 'jane doe@example.eu', issuer: 'Custos VMS' });
    assert.equal(
      uri,
      `otpauth://totp/Custos%20VMS:jane%20doe%40example.eu?secret=${rfcSecret}&issuer=Custos%20VMS&algorithm=SHA1&digits=6&period=30`,
    );
  });

  test('yields a URI whose parts parse back to the inputs', () => {
    const uri = new URL(totpUri({ secret: rfcSecret, account: 'ops+night/shift?&=', issuer: 'Custos & Co' }));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Custos & Co:ops+night/shift?&=');
    assert.deepEqual(Object.fromEntries(uri.searchParams), { secret: rfcSecret, issuer: 'Custos & Co', algorithm: 'SHA1', digits: '6', period: '30' });
  });

  const refused: [string, Parameters<typeof totpUri>[0], string][] = [
    ['an issuer with a colon', { secret: rfcSecret, account: 'jdoe', issuer: 'Custos:VMS' }, 'VALIDATION_FAILED'],
    ['an account with a colon', { secret: rfcSecret, account: 'j:doe', issuer: 'Custos' }, 'VALIDATION_FAILED'],
    ['a secret that is not base32', { secret: 'not-base32!', account: 'jdoe', issuer: 'Custos' }, 'VALIDATION_FAILED'],
  ];
  for (const [name, input, code] of refused) {
    test(`refuses ${name}`, () => assert.throws(() => totpUri(input), (e) => isAppError(e) && e.code === code));
  }
});

describe('verifyTotp', () => {
  // Fixed secrets keep the outcomes deterministic (random ones collide one run in ~300,000).
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const step = 58_000_000; // 2025-02-20
  const at = (s: number, offsetMs = 0) => s * 30_000 + offsetMs;
  const code = (s: number) => totpCode(secret, at(s));

  const accepted: [string, string, number, Parameters<typeof verifyTotp>[3], number][] = [
    ['accepts the current step’s code and returns that step', code(step), at(step, 12_345), {}, step],
    ['accepts the previous step’s code within a window of one', code(step - 1), at(step), { window: 1 }, step - 1],
    ['accepts the next step’s code within a window of one', code(step + 1), at(step), { window: 1 }, step + 1],
    ['accepts at the first millisecond of a step', code(step), at(step, 0), { window: 0 }, step],
    ['accepts at the last millisecond of a step', code(step), at(step, 29_999), { window: 0 }, step],
    ['accepts a code newer than the last used step', code(step), at(step), { lastStep: step - 1 }, step],
    ['accepts a later step in the window when the current one was used', code(step + 1), at(step), { lastStep: step }, step + 1],
  ];
  for (const [name, given, now, options, expected] of accepted) {
    test(`verifyTotp ${name}`, () => assert.equal(verifyTotp(secret, given, now, options), expected));
  }

  const refused: [string, string, number, Parameters<typeof verifyTotp>[3]][] = [
    ['refuses a code two steps old with a window of one', code(step - 2), at(step), { window: 1 }],
    ['refuses a code two steps ahead with a window of one', code(step + 2), at(step), { window: 1 }],
    ['refuses the previous step’s code with a window of zero', code(step - 1), at(step), { window: 0 }],
    ['refuses the code once the step ended (window zero)', code(step), at(step + 1, 0), { window: 0 }],
    ['refuses a replay of the step already used', code(step), at(step), { lastStep: step }],
    ['refuses an older code once a newer step was used', code(step - 1), at(step), { lastStep: step }],
    ['refuses a code of another secret', totpCode(rfcSecret, at(step)), at(step), {}],
    ['refuses five digits', code(step).slice(1), at(step), {}],
    ['refuses seven digits', `${code(step)}0`, at(step), {}],
    ['refuses the 8-digit form', totpCode(secret, at(step), 8), at(step), {}],
    ['refuses a code with a space', ` ${code(step)}`, at(step), {}],
    ['refuses full-width digits', code(step).replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))), at(step), {}],
    ['refuses an empty code', '', at(step), {}],
  ];
  for (const [name, given, now, options] of refused) {
    test(`verifyTotp ${name}`, () => assert.equal(verifyTotp(secret, given, now, options), null));
  }

  test('verifyTotp refuses a wrong 6-digit code that is none of the window’s', () => {
    const window = new Set([code(step - 1), code(step), code(step + 1)]);
    let wrong = Number(code(step));
    do wrong = (wrong + 1) % 1_000_000;
    while (window.has(String(wrong).padStart(6, '0')));
    assert.equal(verifyTotp(secret, String(wrong).padStart(6, '0'), at(step)), null);
  });

  test('totpStep counts 30-second steps from the epoch', () => {
    assert.deepEqual([totpStep(0), totpStep(29_999), totpStep(30_000), totpStep(59_000)], [0, 0, 1, 1]);
  });
});
