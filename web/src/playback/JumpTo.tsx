// "Go to time": a date and time in the browser's time zone (named beside the field), keyboard
// usable (a native datetime-local input and a submit button), that plays from exactly that time.
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';

/** The browser's IANA time zone, e.g. Europe/Berlin; what datetime-local values mean. */
export const localZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** A Date as a datetime-local value (local time, to the second). */
export function toLocalInput(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}T${p(at.getHours())}:${p(at.getMinutes())}:${p(at.getSeconds())}`;
}

/** A datetime-local value as a Date (the input's value is local time), or null. */
export function fromLocalInput(value: string): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function JumpTo({ label, onJump, initial }: { label?: string; onJump: (at: Date) => void; initial?: Date }) {
  const { m } = useI18n();
  const [value, setValue] = useState(() => (initial ? toLocalInput(initial) : ''));
  const [invalid, setInvalid] = useState(false);
  const [jumped, setJumped] = useState<Date | null>(null);
  const zone = localZone();
  return (
    <form
      class="jump-to"
      data-jumped={jumped?.toISOString()}
      onSubmit={(e) => {
        e.preventDefault();
        const at = fromLocalInput(value);
        setInvalid(at === null);
        if (!at) return;
        setJumped(at);
        onJump(at);
      }}
    >
      <label>
        {label ?? m.sync.jump.label}
        <input type="datetime-local" step="1" class="jump-input" value={value} max={toLocalInput(new Date())} onInput={(e) => setValue(e.currentTarget.value)} aria-invalid={invalid} />
        <span class="muted jump-zone">{m.sync.jump.zone(zone)}</span>
      </label>
      <button type="submit" class="secondary jump-go">
        {m.sync.jump.go}
      </button>
      {invalid && (
        <p class="error" role="alert">
          {m.sync.jump.invalid}
        </p>
      )}
    </form>
  );
}
