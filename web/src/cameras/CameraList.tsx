// The cameras screen: a card per camera with its state, transport, address and counters, and,
// for those allowed, recent playback and export. Live video is on the live screen.
import { useState } from 'preact/hooks';
import { useSession } from '../app/session.ts';
import { formatBytes, formatTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { ExportHistory } from '../exports/ExportHistory.tsx';
import { AddCamera, CameraControls } from './CameraAdmin.tsx';
import { ExportMinute, PlaybackPanel, type Marks } from './Recordings.tsx';
import { StateBadge } from './StateBadge.tsx';
import type { Camera, CameraPoll } from './use-cameras.ts';

function CameraCard({ camera, reachable }: { camera: Camera; reachable: boolean }) {
  const { m } = useI18n();
  const { can } = useSession();
  const s = camera.status;
  const plaintext = camera.transport === 'plaintext';
  const stateLabel = m.camera.states[s.state] ?? s.state;
  let detail = m.camera.since(stateLabel, formatTime(s.since));
  if (s.state === 'retrying' && s.retryInSeconds !== null) detail += m.camera.nextAttempt(Math.ceil(s.retryInSeconds));
  detail += m.camera.detail(formatBytes(s.bytes), s.viewers, camera.retentionHours);
  const [marks, setMarks] = useState<Marks>({ in: null, out: null });
  const canPlay = can('recording.play');
  const canExport = can('recording.export');
  return (
    <li class="camera" data-camera-id={camera.id}>
      <article class="camera-card" data-camera-id={camera.id} aria-labelledby={`camera-${camera.id}`}>
        <header class="camera-head">
          <h3 class="camera-name" id={`camera-${camera.id}`}>
            {camera.name}
          </h3>
          <StateBadge camera={camera} reachable={reachable} />
          <span class={`badge camera-transport ${plaintext ? 'risk' : 'safe'}`} title={plaintext ? m.camera.plaintextTitle : m.camera.tlsTitle}>
            {plaintext ? m.camera.plaintext : m.camera.tls}
          </span>
        </header>
        <p class="camera-url muted">
          {camera.url}
          {camera.hasCredentials ? m.camera.withCredentials : ''}
        </p>
        <p class="camera-detail muted">{reachable ? detail : m.camera.unknownTitle}</p>
        {s.lastError && <p class="camera-error error">{m.camera.lastError(s.lastError)}</p>}
        {can('camera.manage') && <CameraControls camera={camera} />}
        {(canPlay || canExport) && (
          <div class="actions">
            {canPlay && <PlaybackPanel camera={camera} marks={marks} onMarks={setMarks} />}
            {canExport && <ExportMinute camera={camera} marks={marks} />}
          </div>
        )}
      </article>
    </li>
  );
}

export function CameraList({ poll }: { poll: CameraPoll }) {
  const { m } = useI18n();
  const { can } = useSession();
  return (
    <section id="cameras-view" aria-labelledby="cameras-heading">
      <div class="section-head">
        <h2 id="cameras-heading">{m.camera.heading}</h2>
        <p id="refresh-status" class={poll.reachable ? 'muted' : 'error'} role="status">
          {!poll.reachable ? m.camera.unreachable(poll.lastAnswer ? formatTime(poll.lastAnswer) : '—') : poll.lastAnswer ? m.camera.updated(formatTime(poll.lastAnswer)) : m.camera.loading}
        </p>
      </div>
      {poll.error && poll.reachable && (
        <p id="page-error" class="error" role="alert">
          {m.camera.loadFailed(poll.error)}
        </p>
      )}
      {can('camera.manage') && <AddCamera cameras={poll.cameras ?? []} />}
      {poll.cameras !== null && poll.cameras.length === 0 && (
        <p id="no-cameras" class="muted">
          {can('camera.manage') ? m.camera.noneAdmin : m.camera.none}
        </p>
      )}
      <ul id="camera-list" class="camera-list">
        {(poll.cameras ?? []).map((c) => (
          <CameraCard key={c.id} camera={c} reachable={poll.reachable} />
        ))}
      </ul>
      {can('audit.read') ? <ExportHistory cameras={poll.cameras ?? []} scope="all" /> : can('recording.export') && <ExportHistory cameras={poll.cameras ?? []} scope="mine" />}
    </section>
  );
}
