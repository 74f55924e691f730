// The signed-in console: the screens the user's permissions open, as tabs (#/live, #/cameras,
// #/alarms, #/audit). A screen the user cannot use is not offered at all, and nothing of it
// runs: an auditor gets no live tiles, hence no denied live sockets (issue 19, item 6).
// Screens: #/live, #/cameras, #/playback, #/inventory, #/approvals, #/users, #/health, #/sites, #/alarms,
// #/incidents, #/holds, #/audit, #/governance, #/residency, #/register; and #/account (API tokens; every
// user, linked from the header, not a tab).
import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';
import { AlarmsView } from '../alarms/AlarmsView.tsx';
import { ApprovalsView } from '../approvals/ApprovalsView.tsx';
import { AuditView } from '../audit/AuditView.tsx';
import { CameraList } from '../cameras/CameraList.tsx';
import { useCameras } from '../cameras/use-cameras.ts';
import { LiveGrid } from '../live/LiveGrid.tsx';
import { HealthView } from '../health/HealthView.tsx';
import { IncidentsView } from '../incidents/IncidentsView.tsx';
import { InventoryView } from '../inventory/InventoryView.tsx';
import { HoldsView } from '../holds/HoldsView.tsx';
import { GovernanceView } from '../governance/GovernanceView.tsx';
import { ResidencyView } from '../residency/ResidencyView.tsx';
import { SyncPlayback } from '../playback/SyncPlayback.tsx';
import { RegisterView } from '../access/RegisterView.tsx';
import { TokensView } from '../account/TokensView.tsx';
import { SitesView } from '../sites/SitesView.tsx';
import { FirstRunGuide } from '../users/FirstRunGuide.tsx';
import { UsersView } from '../users/UsersView.tsx';
import { IdleWarning } from './IdleWarning.tsx';

/** The screens, each with the permission that opens it, in the order of the navigation. */
const screens = [
  { id: 'live', permission: 'live.view' },
  { id: 'cameras', permission: 'camera.read' },
  // Several cameras in sync: for those who may play recordings.
  { id: 'playback', permission: 'recording.play' },
  // Supply-chain inventory: for those who onboard cameras and those who audit them, not for watchers.
  { id: 'inventory', permission: ['camera.manage', 'audit.read'] },
  // Everyone may see their own four-eyes requests; the tab is for those who file or decide them.
  { id: 'approvals', permission: ['recording.export', 'privacy.unmask', 'user.manage', 'camera.manage'] },
  { id: 'users', permission: 'user.manage' },
  { id: 'health', permission: 'camera.manage' },
  // Sites and groups: read with camera.read, but a screen for those who manage them (viewers see none).
  { id: 'sites', permission: 'camera.manage' },
  { id: 'alarms', permission: 'incident.read' },
  { id: 'incidents', permission: 'incident.read' },
  { id: 'holds', permission: 'recording.hold' },
  { id: 'audit', permission: 'audit.read' },
  // NIS2 governance: compliance officers, auditors, the management body.
  { id: 'governance', permission: 'governance.read' },
  // Where is every byte: the route's permission (audit.read).
  { id: 'residency', permission: 'audit.read' },
  { id: 'register', permission: 'audit.read' },
] as const satisfies ReadonlyArray<{ id: string; permission: string | readonly string[] }>;
/** Screens every signed-in user has, reached from the header rather than the tabs. */
const ownScreens = ['account'] as const;
export type Screen = (typeof screens)[number]['id'] | (typeof ownScreens)[number];

/** Where a user lands: video for those who watch, the audit log for those who audit. */
function landing(can: (p: string) => boolean): Screen | null {
  if (can('live.view')) return 'live';
  if (can('audit.read')) return 'audit';
  return screens.find((s) => opens(s.permission, can))?.id ?? null;
}

/** A screen opens for a holder of its permission, or of any of its permissions. */
function opens(permission: string | readonly string[], can: (p: string) => boolean): boolean {
  return typeof permission === 'string' ? can(permission) : permission.some(can);
}

function screenOfHash(hash: string, allowed: readonly Screen[]): Screen | null {
  const id = hash.replace(/^#\/?/, '');
  return (allowed as readonly string[]).includes(id) || (ownScreens as readonly string[]).includes(id) ? (id as Screen) : null;
}

export function Console() {
  const session = useSession();
  const { m } = useI18n();
  const allowed = screens.filter((s) => opens(s.permission, session.can)).map((s) => s.id);
  const home = landing(session.can);
  const [screen, setScreen] = useState<Screen | null>(() => screenOfHash(location.hash, allowed) ?? home);
  useEffect(() => {
    const onHash = () => setScreen(screenOfHash(location.hash, allowed) ?? home);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [session]);
  const poll = useCameras(session.can('camera.read'));

  return (
    <section id="console-view" class="console" aria-label={m.app.subtitle}>
      <nav class="tabs" aria-label={m.app.mainNav}>
        <ul>
          {allowed.map((id) => (
            <li key={id}>
              <a href={`#/${id}`} class={`tab tab-${id}`} aria-current={screen === id ? 'page' : undefined}>
                {m.nav[id]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {session.can('user.manage') && <FirstRunGuide />}
      {screen === 'live' && <LiveGrid poll={poll} />}
      {screen === 'cameras' && <CameraList poll={poll} />}
      {screen === 'playback' && <SyncPlayback poll={poll} />}
      {screen === 'inventory' && <InventoryView poll={poll} />}
      {screen === 'approvals' && <ApprovalsView />}
      {screen === 'users' && <UsersView />}
      {screen === 'health' && <HealthView poll={poll} />}
      {screen === 'alarms' && <AlarmsView />}
      {screen === 'incidents' && <IncidentsView />}
      {screen === 'holds' && <HoldsView poll={poll} />}
      {screen === 'audit' && <AuditView />}
      {screen === 'governance' && <GovernanceView />}
      {screen === 'residency' && <ResidencyView />}
      {screen === 'sites' && <SitesView poll={poll} />}
      {screen === 'register' && <RegisterView />}
      {screen === 'account' && <TokensView />}
      <IdleWarning />
    </section>
  );
}
