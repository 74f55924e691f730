// User administration (user.manage): the accounts with their grants; create a local user, grant
// a role on a scope (with an optional expiry), revoke a grant, disable or enable an account.
// Sensitive grants may answer APPROVAL_REQUIRED: the message says so and the request waits on
// the approvals screen. The server audits every change.
import { useEffect, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { PendingGrants } from './PendingGrants.tsx';

type User = JsonOf<'/api/v1/users'>[number];
type Grant = JsonOf<'/api/v1/access/grants'>[number];
type Role = JsonOf<'/api/v1/access/roles'>[number];

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
const value = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value.trim();

export function UsersView() {
  const { api, me } = useSession();
  const { m } = useI18n();
  const [users, setUsers] = useState<User[]>([]);
  const [grants, setGrants] = useState<Grant[]>([]);
  const [roles, setRoles] = useState<Role[]>([]);
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    Promise.all([api.ok(api.client.GET('/api/v1/users')), api.ok(api.client.GET('/api/v1/access/grants')), api.ok(api.client.GET('/api/v1/access/roles'))])
      .then(([u, g, r]) => {
        setUsers(u);
        setGrants(g);
        setRoles(r);
      })
      .catch((e: unknown) => setLine({ text: m.usersAdmin.loadFailed(why(e)), error: true }));
  }, [tick]);

  async function act(action: () => Promise<unknown>, done: string): Promise<boolean> {
    setLine(null);
    try {
      await action();
      setLine({ text: done, error: false });
      setTick((t) => t + 1);
      return true;
    } catch (e) {
      setLine({ text: m.usersAdmin.failed(why(e)), error: true });
      return false;
    }
  }

  const roleOptions = roles.map((r) => (
    <option key={r.name} value={r.name}>
      {r.name}
      {r.mfa ? ` (${m.usersAdmin.mfa})` : ''}
    </option>
  ));

  return (
    <section id="users-view" aria-labelledby="users-heading">
      <h2 id="users-heading">{m.usersAdmin.heading}</h2>
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status">
          {line.text}
        </p>
      )}
      <form
        class="panel admin-form"
        aria-labelledby="new-user-heading"
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const body = { username: value(form, 'username'), displayName: value(form, 'displayName') || undefined, password: (form.elements.namedItem('password') as HTMLInputElement).value };
          void act(async () => {
            const user = await api.ok(api.client.POST('/api/v1/users', { body: body as never }));
            const role = value(form, 'role');
            if (role) await api.ok(api.client.POST('/api/v1/access/grants', { body: { userId: user.id, role, scope: 'global' } as never }));
            form.reset();
          }, m.usersAdmin.created(body.username));
        }}
      >
        <h3 id="new-user-heading">{m.usersAdmin.newUser}</h3>
        <label>
          {m.users.username}
          <input name="username" required maxLength={64} autocomplete="off" />
        </label>
        <label>
          {m.users.displayName}
          <input name="displayName" maxLength={100} autocomplete="off" />
        </label>
        <label>
          {m.users.password}
          <input name="password" type="password" required minLength={14} maxLength={1024} autocomplete="new-password" />
        </label>
        <label>
          {m.usersAdmin.globalRole}
          <select name="role">
            <option value="">{m.usersAdmin.noRole}</option>
            {roleOptions}
          </select>
        </label>
        <button type="submit">{m.users.create}</button>
      </form>
      <ul class="user-list">
        {users.map((u) => {
          const own = grants.filter((g) => g.userId === u.id);
          return (
            <li key={u.id} class={`panel user${u.disabled ? ' disabled' : ''}`}>
              <h3>
                {u.displayName || u.username} <span class="muted">({u.username})</span> {u.disabled && <span class="badge state-disabled">{m.usersAdmin.disabled}</span>}
              </h3>
              <ul class="grant-list">
                {own.map((g) => (
                  <li key={g.id}>
                    <code>{g.role}</code> {m.usersAdmin.on} <code>{g.scope}</code>
                    {g.expiresAt ? ` · ${m.usersAdmin.until(formatDateTime(g.expiresAt))}` : ''}
                    {u.id !== me.user.id && (
                      <button type="button" class="link-button" aria-label={m.usersAdmin.revokeOf(g.role, u.username)} onClick={() => void act(() => api.ok(api.client.DELETE('/api/v1/access/grants/{id}', { params: { path: { id: g.id } } })), m.usersAdmin.revoked)}>
                        {m.usersAdmin.revoke}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
              {u.id !== me.user.id && (
                <div class="user-tools">
                  <form
                    class="bookmark-form"
                    onSubmit={(e) => {
                      e.preventDefault();
                      const form = e.currentTarget;
                      const expires = value(form, 'expiresAt');
                      const body = { userId: u.id, role: value(form, 'role'), scope: value(form, 'scope') || 'global', expiresAt: expires ? new Date(expires).toISOString() : undefined };
                      void act(() => api.ok(api.client.POST('/api/v1/access/grants', { body: body as never })), m.usersAdmin.granted(body.role, u.username));
                    }}
                  >
                    <label>
                      {m.usersAdmin.role}
                      <select name="role">{roleOptions}</select>
                    </label>
                    <label>
                      {m.usersAdmin.scope}
                      <input name="scope" placeholder="global, site:ID, group:ID, camera:ID" maxLength={80} />
                    </label>
                    <label>
                      {m.usersAdmin.expires}
                      <input name="expiresAt" type="datetime-local" />
                    </label>
                    <button type="submit" class="secondary">
                      {m.usersAdmin.grant}
                    </button>
                  </form>
                  <button type="button" class="secondary" onClick={() => void act(() => api.ok(api.client.PATCH('/api/v1/users/{id}', { params: { path: { id: u.id } }, body: { disabled: !u.disabled } })), u.disabled ? m.usersAdmin.enabledDone : m.usersAdmin.disabledDone)}>
                    {u.disabled ? m.usersAdmin.enable : m.usersAdmin.disable}
                  </button>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      <PendingGrants />
    </section>
  );
}
