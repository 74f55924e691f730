import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clipArgs, clipFileName } from './clip.ts';

const arg = (args: string[], name: string): string | undefined => args[args.indexOf(name) + 1];

describe('clip recipe', () => {
  for (const [profile, size, rate] of [['full', '1920x1080', '4M'], ['small', '640x360', '500k']] as const) {
    it(`encodes the ${profile} profile at ${size}, 25 fps, ${rate}, one key frame a second, no B-frames, with AUDs`, () => {
      const args = clipArgs(profile);
      assert.match(arg(args, '-i') ?? '', new RegExp(`size=${size}:rate=25`));
      assert.equal(arg(args, '-g'), '25');
      assert.equal(arg(args, '-keyint_min'), '25');
      assert.equal(arg(args, '-sc_threshold'), '0');
      assert.equal(arg(args, '-bf'), '0');
      assert.equal(arg(args, '-b:v'), rate);
      assert.equal(arg(args, '-x264-params'), 'aud=1');
      assert.equal(arg(args, '-pix_fmt'), 'yuv420p');
      assert.equal(arg(args, '-f', ), 'lavfi');
      assert.equal(args.at(-1), 'h264', 'raw Annex B output');
    });
  }

  it('names each profile by a hash of its arguments', () => {
    assert.match(clipFileName('full'), /^camsim-full-[0-9a-f]{12}\.h264$/);
    assert.notEqual(clipFileName('full').slice(-17), clipFileName('small').slice(-17));
  });
});
