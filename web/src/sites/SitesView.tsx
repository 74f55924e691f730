// Sites and camera groups (GET /api/v1/sites and /groups with camera.read; POST and PATCH with
// camera.manage, global): list, create, rename; a site's four-eyes rule switches on at once, and
// switching it off answers APPROVAL_REQUIRED — the page says the request went to the approvals
// inbox. A group's members are chosen from the cameras the user can see.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import type { CameraPoll } from '../cameras/use-cameras.ts';
import { useI18n } from '../i18n/index.ts';

type Site = JsonOf<'/api/v1/sites'>[number];
type Group = JsonOf<'/api/v1/groups'>[number];

export function SitesView({ poll }: { poll: CameraPoll }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.adminScreens.sites;
  const [sites, setSites] = useState<Site[] | null>(null);
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [edits, setEdits] = useState<Record<string, { name: string; fourEyes?: boolean; cameraIds?: string[] }>>({});
  const [line, setLine] = useState<{ text: string; error: boolean; approval?: boolean } | null>(null);
  const [site, setSite] = useState({ id: '', name: '', fourEyes: false });
  const [group, setGroup] = useState({ id: '', name: '' });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stopped = false;
    Promise.all([api.ok(api.client.GET('/api/v1/sites')), api.ok(api.client.GET('/api/v1/groups'))])
      .then(([s, g]) => {
        if (stopped) return;
        setSites(s);
        setGroups(g);
        setEdits({});
      })
      .catch((e: unknown) => !stopped && setLine({ text: t.loadFailed(e instanceof Error ? e.message : String(e)), error: true }));
    return () => {
      stopped = true;
    };
  }, [tick]);

  const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const cameras = poll.cameras ?? [];

  async function run(call: () => Promise<unknown>, ok: string): Promise<void> {
    setLine(null);
    try {
      await call();
      setLine({ text: ok, error: false });
      setTick((n) => n + 1);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'APPROVAL_REQUIRED') setLine({ text: t.pendingApproval, error: false, approval: true });
      else setLine({ text: t.failed(why(e)), error: true });
    }
  }

  function createSite(ev: Event): void {
    ev.preventDefault();
    void run(async () => {
      await api.ok(api.client.POST('/api/v1/sites', { body: site }));
      setSite({ id: '', name: '', fourEyes: false });
    }, t.created(site.name));
  }

  function createGroup(ev: Event): void {
    ev.preventDefault();
    void run(async () => {
      await api.ok(api.client.POST('/api/v1/groups', { body: { ...group, cameraIds: [] } }));
      setGroup({ id: '', name: '' });
    }, t.created(group.name));
  }

  function saveSite(s: Site, ev: Event): void {
    ev.preventDefault();
    const e = edits[`site:${s.id}`];
    if (!e) return;
    const body: { name?: string; fourEyes?: boolean } = {};
    if (e.name !== s.name) body.name = e.name;
    if (e.fourEyes !== undefined && e.fourEyes !== s.fourEyes) body.fourEyes = e.fourEyes;
    void run(() => api.ok(api.client.PATCH('/api/v1/sites/{id}', { params: { path: { id: s.id } }, body })), t.saved(e.name));
  }

  function saveGroup(g: Group, ev: Event): void {
    ev.preventDefault();
    const e = edits[`group:${g.id}`];
    if (!e) return;
    void run(() => api.ok(api.client.PATCH('/api/v1/groups/{id}', { params: { path: { id: g.id } }, body: { name: e.name, cameraIds: e.cameraIds ?? g.cameraIds } })), t.saved(e.name));
  }

  const siteEdit = (s: Site) => edits[`site:${s.id}`] ?? { name: s.name, fourEyes: s.fourEyes };
  const groupEdit = (g: Group) => edits[`group:${g.id}`] ?? { name: g.name, cameraIds: g.cameraIds };
  const edit = (key: string, value: { name: string; fourEyes?: boolean; cameraIds?: string[] }) => setEdits({ ...edits, [key]: value });

  return (
    <section id="sites-view" aria-labelledby="sites-heading">
      <h2 id="sites-heading">{t.heading}</h2>
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status">
          {line.text}
          {line.approval && (
            <>
              {' '}
              <a href="#/approvals">{t.toApprovals}</a>
            </>
          )}
        </p>
      )}
      {sites !== null && sites.length === 0 && <p class="muted">{t.noSites}</p>}
      <ul class="alarm-list site-list">
        {(sites ?? []).map((s) => {
          const e = siteEdit(s);
          return (
            <li key={s.id} class="site" data-site-id={s.id}>
              <strong>{s.id}</strong> <span class="badge">{s.fourEyes ? t.fourEyesOn : t.fourEyesOff}</span>
              <form class="admin-form" onSubmit={(ev) => saveSite(s, ev)}>
                <label>
                  {t.name}
                  <input required maxLength={100} value={e.name} onInput={(ev) => edit(`site:${s.id}`, { ...e, name: ev.currentTarget.value })} />
                </label>
                <label class="check">
                  <input type="checkbox" checked={e.fourEyes} onChange={(ev) => edit(`site:${s.id}`, { ...e, fourEyes: ev.currentTarget.checked })} /> {t.fourEyes}
                </label>
                <button type="submit" class="secondary" aria-label={t.saveOf(s.name)}>
                  {t.save}
                </button>
              </form>
            </li>
          );
        })}
      </ul>
      <form class="admin-form site-create" onSubmit={createSite}>
        <label>
          {t.id}
          <input required pattern="[a-z0-9][a-z0-9\-]{0,63}" value={site.id} onInput={(ev) => setSite({ ...site, id: ev.currentTarget.value })} />
        </label>
        <label>
          {t.name}
          <input required maxLength={100} value={site.name} onInput={(ev) => setSite({ ...site, name: ev.currentTarget.value })} />
        </label>
        <label class="check">
          <input type="checkbox" checked={site.fourEyes} onChange={(ev) => setSite({ ...site, fourEyes: ev.currentTarget.checked })} /> {t.fourEyes}
        </label>
        <button type="submit">{t.create}</button>
      </form>

      <h2 id="groups-heading">{t.groupsHeading}</h2>
      {groups !== null && groups.length === 0 && <p class="muted">{t.noGroups}</p>}
      <ul class="alarm-list group-list" aria-labelledby="groups-heading">
        {(groups ?? []).map((g) => {
          const e = groupEdit(g);
          const members = e.cameraIds ?? g.cameraIds;
          return (
            <li key={g.id} class="group" data-group-id={g.id}>
              <strong>{g.id}</strong>
              <form class="admin-form" onSubmit={(ev) => saveGroup(g, ev)}>
                <label>
                  {t.name}
                  <input required maxLength={100} value={e.name} onInput={(ev) => edit(`group:${g.id}`, { ...e, name: ev.currentTarget.value })} />
                </label>
                <fieldset>
                  <legend>{t.cameras}</legend>
                  {cameras.map((c) => (
                    <label key={c.id} class="check">
                      <input
                        type="checkbox"
                        checked={members.includes(c.id)}
                        onChange={(ev) => edit(`group:${g.id}`, { ...e, cameraIds: ev.currentTarget.checked ? [...members, c.id] : members.filter((x) => x !== c.id) })}
                      />{' '}
                      {c.name}
                    </label>
                  ))}
                </fieldset>
                <button type="submit" class="secondary" aria-label={t.saveOf(g.name)}>
                  {t.save}
                </button>
              </form>
            </li>
          );
        })}
      </ul>
      <form class="admin-form group-create" onSubmit={createGroup}>
        <label>
          {t.id}
          <input required pattern="[a-z0-9][a-z0-9\-]{0,63}" value={group.id} onInput={(ev) => setGroup({ ...group, id: ev.currentTarget.value })} />
        </label>
        <label>
          {t.name}
          <input required maxLength={100} value={group.name} onInput={(ev) => setGroup({ ...group, name: ev.currentTarget.value })} />
        </label>
        <button type="submit">{t.createGroup}</button>
      </form>
    </section>
  );
}
