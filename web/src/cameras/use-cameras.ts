// The camera list, polled in the background while the console is open. A failed poll (server
// down, network gone) makes every state unknown: badges MUST NOT keep saying "Recording" when
// nobody can know (issue 19, item 2).
import { useEffect, useState } from 'preact/hooks';
import { backgroundHeader, type JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';

/** One camera as GET /api/v1/cameras lists it. */
export type Camera = JsonOf<'/api/v1/cameras'>[number];

/** What the poll knows: the cameras, whether the server answered the last poll, and when it last did. */
export interface CameraPoll {
  cameras: Camera[] | null;
  reachable: boolean;
  lastAnswer: Date | null;
  error: string | null;
}

const refreshMs = 3000;

/** Polls the camera list every 3 s with the background header (polling is not activity). */
export function useCameras(enabled: boolean): CameraPoll {
  const { api } = useSession();
  const [poll, setPoll] = useState<CameraPoll>({ cameras: null, reachable: true, lastAnswer: null, error: null });
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const cameras = await api.ok(api.client.GET('/api/v1/cameras', { headers: backgroundHeader }));
        if (!stopped) setPoll({ cameras, reachable: true, lastAnswer: new Date(), error: null });
      } catch (e) {
        // A network failure (TypeError) or a 5xx: the server cannot tell us anything now.
        const status = (e as { status?: number }).status;
        const unreachable = !(typeof status === 'number') || status >= 500;
        if (!stopped) setPoll((p) => ({ ...p, reachable: !unreachable, error: e instanceof Error ? e.message : String(e) }));
      }
      if (!stopped) timer = setTimeout(() => void tick(), refreshMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [enabled, api]);
  return poll;
}
