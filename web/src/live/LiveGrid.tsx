// The live workspace: cameras in a grid of 1, 4, 9 or 16 tiles (remembered per browser), with
// pages when there are more cameras than tiles; one tile can be maximised. Only tiles on screen
// have a player, so a page of 4 opens 4 live sockets, not one per camera.
import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../app/session.ts';
import { formatTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import type { CameraPoll } from '../cameras/use-cameras.ts';
import { LiveTile } from './LiveTile.tsx';
import { LayoutEditor } from './LayoutEditor.tsx';
import { gridFor, loadActive, loadLayouts, saveActive, saveLayouts, type CustomLayout } from './custom-layouts.ts';

export const layouts = [1, 4, 9, 16] as const;
type Layout = (typeof layouts)[number];
const layoutKey = 'custos.live.layout';

function initialLayout(): Layout {
  const stored = Number(localStorage.getItem(layoutKey));
  return (layouts as readonly number[]).includes(stored) ? (stored as Layout) : 4;
}

export function LiveGrid({ poll }: { poll: CameraPoll }) {
  const { m } = useI18n();
  const { can } = useSession();
  const [layout, setLayout] = useState<Layout>(initialLayout);
  const [page, setPage] = useState(0);
  const [maximised, setMaximised] = useState<string | null>(null);
  useEffect(() => localStorage.setItem(layoutKey, String(layout)), [layout]);
  // Custom layouts (named, ordered cameras), kept in this browser.
  const [customs, setCustoms] = useState<CustomLayout[]>(loadLayouts);
  const [customId, setCustomId] = useState<string | null>(() => loadActive(loadLayouts()));
  const [editing, setEditing] = useState(false);
  useEffect(() => saveActive(customId), [customId]);
  const custom = customs.find((l) => l.id === customId) ?? null;

  const all = poll.cameras ?? [];
  const cameras = custom ? custom.cameras.map((id) => all.find((c) => c.id === id)).filter((c) => c !== undefined) : all;
  const perPage = custom ? gridFor(cameras.length) : layout;
  const pages = custom ? 1 : Math.max(1, Math.ceil(cameras.length / layout));
  const current = Math.min(page, pages - 1);
  const shown = maximised ? cameras.filter((c) => c.id === maximised) : cameras.slice(current * perPage, current * perPage + perPage);
  // A maximised camera that went away returns the grid.
  useEffect(() => {
    if (maximised && poll.cameras && !poll.cameras.some((c) => c.id === maximised)) setMaximised(null);
  }, [poll.cameras, maximised]);

  return (
    <section id="live-view" aria-labelledby="live-heading">
      <div class="section-head">
        <h2 id="live-heading">{m.live.heading}</h2>
        <p id="refresh-status" class={poll.reachable ? 'muted' : 'error'} role="status">
          {!poll.reachable ? m.camera.unreachable(poll.lastAnswer ? formatTime(poll.lastAnswer) : '—') : poll.lastAnswer ? m.camera.updated(formatTime(poll.lastAnswer)) : m.camera.loading}
        </p>
        <div class="grid-tools">
          <fieldset class="layout-picker">
            <legend>{m.live.layout}</legend>
            {layouts.map((n) => (
              <button
                key={n}
                type="button"
                class={`secondary layout-${n}`}
                aria-pressed={layout === n && !maximised && !custom}
                aria-label={m.live.layoutN(n)}
                onClick={() => {
                  setLayout(n);
                  setCustomId(null);
                  setMaximised(null);
                  setPage(0);
                }}
              >
                {n}
              </button>
            ))}
          </fieldset>
          <fieldset class="layout-picker custom-layouts">
            <legend>{m.sync.layouts.custom}</legend>
            {customs.map((l) => (
              <button key={l.id} type="button" class="secondary custom-layout" aria-pressed={customId === l.id && !maximised} aria-label={m.sync.layouts.choose(l.name)} onClick={() => {
                setCustomId(l.id);
                setMaximised(null);
                setPage(0);
              }}>
                {l.name}
              </button>
            ))}
            {custom && (
              <button type="button" class="secondary" aria-label={m.sync.layouts.remove(custom.name)} onClick={() => {
                const rest = customs.filter((l) => l.id !== custom.id);
                saveLayouts(rest);
                setCustoms(rest);
                setCustomId(null);
              }}>
                ✕
              </button>
            )}
            <button type="button" class="secondary new-layout" aria-expanded={editing} onClick={() => setEditing(!editing)}>
              {m.sync.layouts.newLayout}
            </button>
          </fieldset>
          {!maximised && pages > 1 && (
            <div class="pager">
              <button type="button" class="secondary" aria-label={m.live.previousPage} disabled={current === 0} onClick={() => setPage(current - 1)}>
                ‹
              </button>
              <span>{m.live.page(current + 1, pages)}</span>
              <button type="button" class="secondary" aria-label={m.live.nextPage} disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
                ›
              </button>
            </div>
          )}
        </div>
      </div>
      {editing && (
        <LayoutEditor
          cameras={all}
          onCancel={() => setEditing(false)}
          onSave={(l) => {
            const list = [...customs, l];
            saveLayouts(list);
            setCustoms(list);
            setCustomId(l.id);
            setEditing(false);
            setMaximised(null);
          }}
        />
      )}
      {custom && poll.cameras !== null && cameras.length === 0 && <p class="muted">{m.sync.layouts.missing}</p>}
      {!custom && poll.cameras !== null && cameras.length === 0 && (
        <p id="no-cameras" class="muted">
          {can('camera.manage') ? m.camera.noneAdmin : m.camera.none}
        </p>
      )}
      <div class={`live-grid grid-${maximised ? 1 : perPage}`} data-layout={custom ? custom.name : String(layout)}>
        {shown.map((camera) => (
          <LiveTile
            key={camera.id}
            camera={camera}
            reachable={poll.reachable}
            maximised={maximised === camera.id}
            stream={maximised === camera.id || perPage === 1 ? 'main' : 'sub'}
            onMaximise={() => setMaximised(maximised === camera.id ? null : camera.id)}
          />
        ))}
      </div>
    </section>
  );
}
