import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { create } from 'qrcode';
import { qrSvg } from './qr-svg.ts';

/** Reads the dark modules back out of the SVG path the renderer draws (`M x y`, `m dx dy`, `h n`). */
function darkModules(svg: string): { size: number; dark: Set<string> } {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const path = /<path stroke="#000000" d="([^"]*)"/.exec(svg);
  assert.ok(viewBox && path, 'an SVG with a viewBox and a stroked path');
  const dark = new Set<string>();
  let x = 0;
  let y = 0;
  for (const [, op, a, b] of path[1]!.matchAll(/([Mmh])([\d.]+)(?:[ ,]([\d.]+))?/g)) {
    if (op === 'M') [x, y] = [Number(a), Number(b)];
    else if (op === 'm') [x, y] = [x + Number(a), y + Number(b)];
    else for (let i = 0; i < Number(a); i++) dark.add(`${x++},${Math.floor(y)}`);
  }
  return { size: Number(viewBox[1]), dark };
}

/** The 15-bit format information next to the top-left finder, unmasked (ISO/IEC 18004 §7.9). */
function formatInfo(isDark: (x: number, y: number) => boolean): number {
  const cells: [number, number][] = [[0, 8], [1, 8], [2, 8], [3, 8], [4, 8], [5, 8], [7, 8], [8, 8], [8, 7], [8, 5], [8, 4], [8, 3], [8, 2], [8, 1], [8, 0]];
  let bits = 0;
  for (const [x, y] of cells) bits = (bits << 1) | (isDark(x, y) ? 1 : 0);
  return bits ^ 0b101010000010010;
}

describe('qrSvg', () => {
  const uri = 'otpauth://totp/Custos%20VMS:jdoe?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Custos%20VMS&algorithm=SHA1&digits=6&period=30';

  test('returns a standalone SVG document with no script or external reference', async () => {
    const svg = await qrSvg(uri);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>\s*$/s);
    assert.doesNotMatch(svg, /<script|href=|url\(/i);
  });

  test('draws exactly the modules of the QR code for the text, inside a 4-module quiet zone', async () => {
    const { size, dark } = darkModules(await qrSvg(uri));
    const qr = create(uri, { errorCorrectionLevel: 'M' });
    const n = qr.modules.size;
    assert.equal(size, n + 8);
    const expected = new Set<string>();
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if (qr.modules.get(y, x)) expected.add(`${x + 4},${y + 4}`);
    assert.deepEqual(dark, expected);
  });

  test('encodes with error correction level M, as its format information says', async () => {
    const { dark } = darkModules(await qrSvg(uri));
    const info = formatInfo((x, y) => dark.has(`${x + 4},${y + 4}`));
    let remainder = (info >> 10) << 10; // BCH(15,5) with generator 0x537 checks the 10 low bits
    for (let bit = 14; bit >= 10; bit--) if (remainder & (1 << bit)) remainder ^= 0x537 << (bit - 10);
    assert.equal(info & 0x3ff, remainder, 'the format information is a valid BCH code word');
    assert.equal(info >> 13, 0b00, 'EC level bits 00 mean M');
  });

  test('has the three finder patterns at their corners', async () => {
    const { size, dark } = darkModules(await qrSvg(uri));
    const n = size - 8;
    const finder = ['1111111', '1000001', '1011101', '1011101', '1011101', '1000001', '1111111'];
    for (const [ox, oy] of [[0, 0], [n - 7, 0], [0, n - 7]] as const) {
      const seen = Array.from({ length: 7 }, (_, y) => Array.from({ length: 7 }, (_, x) => (dark.has(`${ox + x + 4},${oy + y + 4}`) ? '1' : '0')).join(''));
      assert.deepEqual(seen, finder);
    }
  });

  test('gives different codes for different texts', async () => {
    assert.notEqual(await qrSvg(uri), await qrSvg(uri.replace('jdoe', 'jroe')));
  });
});
