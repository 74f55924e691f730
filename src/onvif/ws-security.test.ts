import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ns } from './namespaces.ts';
import { child, parseSafeXml, pathOf } from './safe-xml.ts';
import { soapEnvelope } from './soap-envelope.ts';
import { passwordDigest, usernameTokenHeader } from './ws-security.ts';

test('the password digest matches the worked example of the ONVIF Application Programmer\'s Guide', () => {
  const nonce = Buffer.from('LKqI6G/AikKCQrN0zqZFlg==', 'base64');
  assert.equal(passwordDigest(nonce, '2010-09-16T07:50:45Z', 'userpassword'), 'tuOSpGlFlIXsozq4HFNeeGeFLEI=');
});

test('the UsernameToken header carries user, digest, nonce and a second-precision Created, never the password', () => {
  const nonce = Buffer.alloc(16, 7);
  const header = usernameTokenHeader('ad<min', 's3cret-pass', Date.UTC(2026, 11, 7, 5, 0, 1, 999), nonce);
  assert.ok(!header.includes('s3cret-pass'));
  const token = pathOf(parseSafeXml(soapEnvelope('<x/>', header)), [ns.soap, 'Header'], [ns.wsse, 'Security'], [ns.wsse, 'UsernameToken']);
  assert.equal(child(token, ns.wsse, 'Username')?.text, 'ad<min');
  assert.equal(child(token, ns.wsu, 'Created')?.text, '2026-12-07T05:00:01Z');
  assert.equal(child(token, ns.wsse, 'Nonce')?.text, nonce.toString('base64'));
  assert.equal(child(token, ns.wsse, 'Password')?.text, passwordDigest(nonce, '2026-12-07T05:00:01Z', 's3cret-pass'));
});

test('two headers made at the same instant differ (fresh nonce each time)', () => {
  assert.notEqual(usernameTokenHeader('u', 'p', 0), usernameTokenHeader('u', 'p', 0));
});
