// A camera's recording state as a badge; grey "Unknown" while the server cannot be reached.
import { useI18n } from '../i18n/index.ts';
import type { Camera } from './use-cameras.ts';

export function StateBadge({ camera, reachable }: { camera: Camera; reachable: boolean }) {
  const { m } = useI18n();
  const state = reachable ? camera.status.state : 'unknown';
  return (
    <span class={`badge camera-state state-${state}`} data-state={state} title={reachable ? undefined : m.camera.unknownTitle}>
      {m.camera.states[state] ?? state}
    </span>
  );
}
