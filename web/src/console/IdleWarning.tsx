// Warns before the session ends for idleness (or at its absolute limit) and signs out when it
// does; user activity keeps the session. The limits come from GET /api/v1/auth/session, asked
// in the background so that asking does not itself count as use.
import { useEffect, useRef, useState } from 'preact/hooks';
import { backgroundHeader } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';
import { defaultLimits, idlePhase, keepAliveAfterMs, limitsOf, type IdlePhase, type SessionLimits } from './idle-clock.ts';

const activityEvents = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

export function IdleWarning() {
  const { api, signOut } = useSession();
  const { m } = useI18n();
  const [phase, setPhase] = useState<IdlePhase>({ phase: 'active' });
  const limits = useRef<SessionLimits>(defaultLimits);
  const stayRef = useRef<HTMLButtonElement>(null);
  const keepAlive = () => void api.ok(api.client.GET('/api/v1/auth/me')).catch(() => undefined);

  useEffect(() => {
    api
      .ok(api.client.GET('/api/v1/auth/session', { headers: backgroundHeader }))
      .then((answer) => (limits.current = limitsOf(answer)))
      .catch(() => undefined); // The default limits stand; a 401 already switched views.
    const onActivity = () => {
      // While the warning shows, only its button keeps the session: a stray key must not.
      if (idlePhase(Date.now(), api.lastForegroundMs(), limits.current).phase !== 'active') return;
      if (Date.now() - api.lastForegroundMs() >= keepAliveAfterMs(limits.current.idleMs)) keepAlive();
    };
    for (const e of activityEvents) window.addEventListener(e, onActivity, { passive: true, capture: true });
    let ended = false;
    const timer = setInterval(() => {
      const next = idlePhase(Date.now(), api.lastForegroundMs(), limits.current);
      setPhase((p) => (p.phase === next.phase && (p.phase !== 'warning' || next.phase !== 'warning' || p.secondsLeft === next.secondsLeft) ? p : next));
      if (next.phase === 'ended' && !ended) {
        ended = true;
        void signOut(m.auth.idleSignedOut);
      }
    }, 1000);
    return () => {
      clearInterval(timer);
      for (const e of activityEvents) window.removeEventListener(e, onActivity, { capture: true });
    };
  }, [api]);

  useEffect(() => {
    if (phase.phase === 'warning') stayRef.current?.focus();
  }, [phase.phase]);

  if (phase.phase !== 'warning') return null;
  return (
    <div id="idle-warning" class="idle-warning" role="alertdialog" aria-labelledby="idle-title" aria-describedby="idle-text">
      <h2 id="idle-title">{m.idle.title}</h2>
      <p id="idle-text">{m.idle.warning(phase.secondsLeft)}</p>
      <button type="button" ref={stayRef} onClick={keepAlive}>
        {m.idle.stay}
      </button>
    </div>
  );
}
