import { z } from 'zod';

/** Wire schemas of PTZ through ONVIF (issue 17 item 10); velocities in ONVIF's generic spaces. */

const unit = z.number().min(-1).max(1);

export const moveRequest = z
  .strictObject({
    pan: unit.default(0).describe('Pan velocity, -1 (left) to 1 (right).'),
    tilt: unit.default(0).describe('Tilt velocity, -1 (down) to 1 (up).'),
    zoom: unit.default(0).describe('Zoom velocity, -1 (out) to 1 (in).'),
    timeoutMs: z.number().int().min(100).max(10_000).default(1_000).describe('The camera stops by itself after this long without another move (ONVIF Timeout).'),
  })
  .describe('A continuous move (ContinuousMove); send it again to keep moving, then stop.');

export const moveResult = z.object({
  session: z.enum(['started', 'continued']).describe('Whether this move started a PTZ session (audited) or continued one.'),
});

export const stopResult = z.object({ stopped: z.literal(true) });

export const gotoResult = z.object({ moved: z.literal(true) });

export const preset = z.object({ token: z.string(), name: z.string() });

export const presetRequest = z
  .strictObject({
    name: z.string().min(1).max(64).regex(/^[^\p{Cc}]+$/u, 'no control characters').describe('The preset name.'),
    token: z.string().min(1).max(64).optional().describe("An existing preset's token to overwrite; a new preset without it."),
  })
  .describe("Stores the camera's current position as a preset (SetPreset).");

export const presetParams = z.strictObject({ id: z.uuid().describe('Camera id'), token: z.string().min(1).max(64).describe('Preset token') });

export const ptzStatus = z.object({
  position: z.object({ pan: z.number(), tilt: z.number(), zoom: z.number() }).nullable(),
  moveStatus: z.string().describe('IDLE, MOVING or UNKNOWN as the camera says.'),
});
