// Guides the first administrator: while they are the only user, offer to create an operator or
// an investigator (user, then a global grant). The admin role cannot play back or export, so
// without this step nobody could (issue 19, item 6).
import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';

const roles = ['operator', 'investigator', 'viewer'] as const;

export function FirstRunGuide() {
  const { api } = useSession();
  const { m } = useI18n();
  const [alone, setAlone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);

  useEffect(() => {
    api
      .ok(api.client.GET('/api/v1/users'))
      .then((users) => setAlone(users.length <= 1))
      .catch(() => setAlone(false));
  }, []);

  if (!alone && !line) return null;

  async function create(form: HTMLFormElement): Promise<void> {
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value.trim();
    const role = value('role');
    setBusy(true);
    setLine(null);
    try {
      const user = await api.ok(api.client.POST('/api/v1/users', { body: { username: value('username'), displayName: value('displayName') || undefined, password: (form.elements.namedItem('password') as HTMLInputElement).value } as never }));
      await api.ok(api.client.POST('/api/v1/access/grants', { body: { userId: user.id, role, scope: 'global' } as never }));
      form.reset();
      setAlone(false);
      setLine({ text: m.users.created(user.username, role), error: false });
    } catch (e) {
      setLine({ text: m.users.failed(e instanceof Error ? e.message : String(e)), error: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section id="first-run-guide" class="panel guide" aria-labelledby="guide-heading">
      {alone && (
        <>
          <h2 id="guide-heading">{m.users.guideHeading}</h2>
          <p>{m.users.guideIntro}</p>
          <form
            class="auth-form inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void create(e.currentTarget);
            }}
          >
            <label for="guide-username">{m.users.username}</label>
            <input id="guide-username" name="username" required maxLength={64} autocomplete="off" />
            <label for="guide-display">{m.users.displayName}</label>
            <input id="guide-display" name="displayName" maxLength={100} autocomplete="off" />
            <label for="guide-password">{m.users.password}</label>
            <input id="guide-password" name="password" type="password" required minLength={14} maxLength={1024} autocomplete="new-password" aria-describedby="guide-password-hint" />
            <p id="guide-password-hint" class="hint muted">
              {m.users.passwordHint}
            </p>
            <label for="guide-role">{m.users.role}</label>
            <select id="guide-role" name="role">
              {roles.map((r) => (
                <option key={r} value={r}>
                  {m.users.roles[r]}
                </option>
              ))}
            </select>
            <button type="submit" disabled={busy}>
              {m.users.create}
            </button>
          </form>
        </>
      )}
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status">
          {line.text}
        </p>
      )}
    </section>
  );
}
