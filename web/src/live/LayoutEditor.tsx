// Making a custom live layout: a name, then the cameras picked in order (move up/down), saved to
// this browser (custom-layouts.ts). Keyboard operable: checkboxes and buttons only.
import { useState } from 'preact/hooks';
import type { Camera } from '../cameras/use-cameras.ts';
import { useI18n } from '../i18n/index.ts';
import { newLayoutId, type CustomLayout } from './custom-layouts.ts';

export function LayoutEditor({ cameras, onSave, onCancel }: { cameras: readonly Camera[]; onSave: (l: CustomLayout) => void; onCancel: () => void }) {
  const { m } = useI18n();
  const t = m.sync.layouts;
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [problem, setProblem] = useState(false);
  const nameOf = (id: string) => cameras.find((c) => c.id === id)?.name ?? id;
  const move = (i: number, by: number) =>
    setPicked((old) => {
      const next = [...old];
      const [item] = next.splice(i, 1);
      next.splice(Math.max(0, Math.min(next.length, i + by)), 0, item!);
      return next;
    });
  return (
    <form
      class="panel layout-editor"
      aria-label={t.newLayout}
      onSubmit={(e) => {
        e.preventDefault();
        if (!name.trim() || picked.length === 0) {
          setProblem(true);
          return;
        }
        onSave({ id: newLayoutId(), name: name.trim().slice(0, 60), cameras: picked.slice(0, 16) });
      }}
    >
      <label>
        {t.name}
        <input type="text" class="layout-name" value={name} maxLength={60} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <fieldset>
        <legend>{t.pick}</legend>
        {cameras.map((c) => (
          <label key={c.id} class="check">
            <input
              type="checkbox"
              checked={picked.includes(c.id)}
              disabled={!picked.includes(c.id) && picked.length >= 16}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                setPicked((old) => (on ? [...old, c.id] : old.filter((x) => x !== c.id)));
              }}
            />
            {c.name}
          </label>
        ))}
      </fieldset>
      {picked.length > 0 && (
        <ol class="layout-order">
          {picked.map((id, i) => (
            <li key={id}>
              <span>{nameOf(id)}</span>
              <button type="button" class="secondary" aria-label={t.moveUp(nameOf(id))} disabled={i === 0} onClick={() => move(i, -1)}>
                ↑
              </button>
              <button type="button" class="secondary" aria-label={t.moveDown(nameOf(id))} disabled={i === picked.length - 1} onClick={() => move(i, 1)}>
                ↓
              </button>
            </li>
          ))}
        </ol>
      )}
      {problem && (
        <p class="error" role="alert">
          {t.needName}
        </p>
      )}
      <button type="submit" class="layout-save">
        {t.save}
      </button>
      <button type="button" class="secondary" onClick={onCancel}>
        {t.cancel}
      </button>
    </form>
  );
}
