import { z } from 'zod';

/** PTZ through ONVIF (docs/reference/onboarding.md "PTZ"). */
export const ptz = z
  .strictObject({
    sessionIdleSeconds: z
      .number()
      .min(1)
      .max(600)
      .default(30)
      .describe('A PTZ session (one audit record at its start and one at its end, not one per move) ends after this long without a move, or at Stop.'),
  })
  .prefault({})
  .describe('PTZ camera control.');
