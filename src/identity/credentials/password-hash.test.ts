import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isAppError } from '../../lib/errors.ts';
import { ARGON2_PARAMS, hashPassword, hashPasswordWithSalt, needsRehash, verifyPassword, type Argon2Params } from './password-hash.ts';

/**
 * Known answers from independent implementations: the reference implementation's `argon2`
 * command (Debian package argon2), e.g. `echo -n password | argon2 somesalt -t 2 -m 16 -p 4 -l 24 -e`.
 * The argon2i vector is also the example in the reference implementation's README.
 */
const vectors: { name: string; password: string; salt: string; params: Argon2Params; phc: string }[] = [
  {
    name: 'argon2id with the default parameters',
    password: 'correct horse battery staple',
    salt: 'somesaltsomesalt',
    params: { memoryKiB: 19456, passes: 2, parallelism: 1 },
    phc: '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y',
  },
  {
    name: 'argon2id with a salt whose base64 needs no padding',
    password: 'Tr0ub4dor&3',
    salt: '0123456789abcdef',
    params: { memoryKiB: 19456, passes: 2, parallelism: 1 },
    phc: '$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$OS+k9IGB56QZaVwAVEMoPc5gGNZisKsnPYRP418lRjc',
  },
  {
    name: 'argon2id of a non-ASCII password (UTF-8, NFC) with two lanes',
    password: 'p\u00e4ssw\u00f6rd \u2713',
    salt: 'NaCl-and-pepper!',
    params: { memoryKiB: 1024, passes: 3, parallelism: 2 },
    phc: '$argon2id$v=19$m=1024,t=3,p=2$TmFDbC1hbmQtcGVwcGVyIQ$12nl5FgENq4TtXijzk6vbXsKn3K2nm9nWRaMHQTrylA',
  },
];

const foreign: [string, string, string][] = [
  ['an argon2i hash with a 24-byte tag (the reference README example)', 'password', '$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG'],
  ['an argon2d hash with a 16-byte tag', 'password', '$argon2d$v=19$m=1024,t=2,p=2$c29tZXNhbHQ$JTxfm+qHeawFhkWa+1DmwA'],
];

describe('hashPasswordWithSalt', () => {
  for (const v of vectors) {
    test(`produces the reference implementation's string for ${v.name}`, async () => {
      assert.equal(await hashPasswordWithSalt(v.password, Buffer.from(v.salt), v.params), v.phc);
    });
  }

  test('refuses a password longer than 4096 UTF-8 bytes with PASSWORD_REJECTED', async () => {
    await assert.rejects(hashPasswordWithSalt('\u00e4'.repeat(2049), randomBytes(16)), (e) => isAppError(e, 'PASSWORD_REJECTED'));
  });
});

describe('verifyPassword', () => {
  for (const v of vectors) {
    test(`accepts the right password for ${v.name}`, async () => assert.equal(await verifyPassword(v.phc, v.password), true));
    test(`refuses a wrong password for ${v.name}`, async () => assert.equal(await verifyPassword(v.phc, `${v.password}x`), false));
  }
  for (const [name, password, phc] of foreign) {
    test(`verifies ${name}`, async () => {
      assert.equal(await verifyPassword(phc, password), true);
      assert.equal(await verifyPassword(phc, 'Password'), false);
    });
  }

  test('accepts the decomposed (NFD) spelling of a password hashed in NFC', async () => {
    const v = vectors[2]!;
    const nfd = v.password.normalize('NFD');
    assert.notEqual(nfd, v.password);
    assert.equal(await verifyPassword(v.phc, nfd), true);
  });

  const good = vectors[0]!;
  const [, , , params, salt, hash] = good.phc.split('$') as [string, string, string, string, string, string];
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  const tampered: [string, string][] = [
    ['a changed hash character', good.phc.replace(hash, flip(hash, 5))],
    ['a changed salt character', good.phc.replace(salt, flip(salt, 3))],
    ['a changed pass count', good.phc.replace('t=2', 't=3')],
    ['a changed memory size', good.phc.replace('m=19456', 'm=19457')],
    ['a changed lane count', good.phc.replace('p=1', 'p=2')],
    ['another Argon2 variant', good.phc.replace('$argon2id$', '$argon2i$')],
    ['a truncated hash', good.phc.slice(0, -4)],
  ];
  for (const [name, phc] of tampered) {
    test(`refuses the right password against a string with ${name}`, async () => {
      assert.notEqual(phc, good.phc);
      assert.equal(await verifyPassword(phc, good.password), false);
    });
  }

  const malformed: [string, unknown][] = [
    ['an empty string', ''],
    ['plain text', 'correct horse battery staple'],
    ['a bcrypt hash', '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy'],
    ['a string without version', `$argon2id$${params}$${salt}$${hash}`],
    ['version 16', good.phc.replace('v=19', 'v=16')],
    ['padded base64', good.phc.replace(salt, `${salt}==`)],
    ['base64 with stray trailing bits', good.phc.replace(salt, `${salt.slice(0, -1)}B`)],
    ['a salt shorter than 8 bytes', good.phc.replace(salt, 'c29tZQ')],
    ['zero lanes', good.phc.replace('p=1', 'p=0')],
    ['zero passes', good.phc.replace('t=2', 't=0')],
    ['memory below 8 KiB per lane', good.phc.replace('m=19456', 'm=7')],
    ['memory beyond the 1 GiB bound', good.phc.replace('m=19456', 'm=4194304')],
    ['passes beyond the bound', good.phc.replace('t=2', 't=100000')],
    ['an extra keyid parameter', good.phc.replace('p=1', 'p=1,keyid=abc')],
    ['a trailing newline', `${good.phc}\n`],
    ['an over-long string', `${good.phc}${'A'.repeat(600)}`],
    ['a value that is not a string', 42],
  ];
  for (const [name, phc] of malformed) {
    test(`returns false without throwing for ${name}`, async () => {
      assert.notEqual(phc, good.phc);
      assert.equal(await verifyPassword(phc as string, good.password), false);
    });
  }

  test('returns false for URL-safe base64 in place of standard base64', async () => {
    const v = vectors[1]!;
    assert.ok(v.phc.includes('+'));
    assert.equal(await verifyPassword(v.phc.replace('+', '-'), v.password), false);
  });

  test('returns false for a password longer than 4096 UTF-8 bytes', async () => {
    assert.equal(await verifyPassword(good.phc, 'a'.repeat(4097)), false);
  });
});

describe('hashPassword', () => {
  test('produces an argon2id PHC string with the default parameters, a 16-byte salt and a 32-byte hash', async () => {
    const phc = await hashPassword('a long enough passphrase');
    const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(phc);
    assert.ok(m, phc);
    assert.deepEqual([Number(m[1]), Number(m[2]), Number(m[3])], [ARGON2_PARAMS.memoryKiB, ARGON2_PARAMS.passes, ARGON2_PARAMS.parallelism]);
    assert.equal(Buffer.from(m[4]!, 'base64').length, 16);
    assert.equal(Buffer.from(m[5]!, 'base64').length, 32);
  });

  test('uses parameters at least as strong as the OWASP baseline (19 MiB, 2 passes, 1 lane)', () => {
    assert.ok(ARGON2_PARAMS.memoryKiB >= 19456 && ARGON2_PARAMS.passes >= 2 && ARGON2_PARAMS.parallelism >= 1);
  });

  test('round-trips: the password verifies and another does not', async () => {
    const phc = await hashPassword('sesame, open up please');
    assert.equal(await verifyPassword(phc, 'sesame, open up please'), true);
    assert.equal(await verifyPassword(phc, 'sesame, open up pleasE'), false);
  });

  test('salts each hash afresh, so one password hashes to different strings', async () => {
    assert.notEqual(await hashPassword('same password'), await hashPassword('same password'));
  });
});

describe('needsRehash', () => {
  const cases: [string, () => Promise<string> | string, boolean][] = [
    ['is false for a fresh hash', () => hashPassword('x'), false],
    ['is false for an independent argon2id hash with the same parameters and lengths', () => vectors[0]!.phc, false],
    ['is true for weaker parameters', () => vectors[2]!.phc, true],
    ['is true for argon2i', () => foreign[0]![2], true],
    ['is true for a 16-byte tag', () => foreign[1]![2], true],
    ['is true for a malformed string', () => 'not a hash', true],
  ];
  for (const [name, phc, expected] of cases) test(`needsRehash ${name}`, async () => assert.equal(needsRehash(await phc()), expected));

  test('is true when the wanted parameters changed', async () => {
    const phc = await hashPassword('x');
    assert.equal(needsRehash(phc, { ...ARGON2_PARAMS, passes: ARGON2_PARAMS.passes + 1 }), true);
  });
});

const cli = '/usr/bin/argon2';
describe('agreement with the reference implementation installed here', { skip: !existsSync(cli) && `${cli} is not installed (apt-get install argon2)` }, () => {
  for (let i = 0; i < 3; i++) {
    test(`a random password and salt hash to the same string as the reference command (run ${i + 1})`, async () => {
      const password = randomBytes(12).toString('base64');
      const salt = randomBytes(12).toString('base64'); // printable, 16 bytes, fits an argv entry
      const out = execFileSync(cli, [salt, '-id', '-t', '2', '-k', '19456', '-p', '1', '-l', '32', '-e'], { input: password }).toString().trim();
      assert.equal(await hashPasswordWithSalt(password, Buffer.from(salt), ARGON2_PARAMS), out);
      assert.equal(await verifyPassword(out, password), true);
    });
  }
});
