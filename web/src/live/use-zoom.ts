// Digital zoom of a live tile: 1× to 4× in steps, panned by dragging or the arrow keys. It
// scales the picture with a CSS transform set through the CSSOM (the page's CSP forbids style
// attributes in markup, not the CSSOM), so no pixel leaves the browser and the stream is unchanged.
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

const maxZoom = 4;
const panStep = 0.05;

const clamp = (v: number, limit: number) => Math.max(-limit, Math.min(limit, v));

export function useZoom(videoRef: RefObject<HTMLVideoElement | null>) {
  const [level, setLevel] = useState(1);
  /** Pan as a fraction of the frame, limited so the picture always covers it. */
  const [pan, setPan] = useState({ x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; px: number; py: number } | null>(null);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const limit = (level - 1) / (2 * level);
    video.style.transform = level === 1 ? '' : `scale(${level}) translate(${(clamp(pan.x, limit) * 100).toFixed(2)}%, ${(clamp(pan.y, limit) * 100).toFixed(2)}%)`;
  }, [level, pan]);

  /** Changes the level from the current one (clicks may come faster than renders). */
  const set = (next: (l: number) => number) => {
    setLevel((l) => {
      const n = Math.max(1, Math.min(maxZoom, next(l)));
      if (n === 1) setPan({ x: 0, y: 0 });
      return n;
    });
  };
  const limitOf = (l: number) => (l - 1) / (2 * l);

  return {
    level,
    in: () => set((l) => l + 1),
    out: () => set((l) => l - 1),
    reset: () => set(() => 1),
    frameProps: {
      tabIndex: level > 1 ? 0 : -1,
      onWheel: (e: WheelEvent) => {
        if (!e.ctrlKey && !e.altKey) return;
        e.preventDefault();
        set((l) => (e.deltaY < 0 ? l + 1 : l - 1));
      },
      onKeyDown: (e: KeyboardEvent) => {
        if (level === 1) return;
        const d = { ArrowLeft: [panStep, 0], ArrowRight: [-panStep, 0], ArrowUp: [0, panStep], ArrowDown: [0, -panStep] }[e.key];
        if (!d) return;
        e.preventDefault();
        setPan((p) => ({ x: clamp(p.x + (d[0] ?? 0), limitOf(level)), y: clamp(p.y + (d[1] ?? 0), limitOf(level)) }));
      },
      onPointerDown: (e: PointerEvent) => {
        if (level === 1) return;
        drag.current = { x: e.clientX, y: e.clientY, px: pan.x, py: pan.y };
        (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
      },
      onPointerMove: (e: PointerEvent) => {
        const d = drag.current;
        if (!d) return;
        const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
        setPan({ x: clamp(d.px + (e.clientX - d.x) / box.width / level, limitOf(level)), y: clamp(d.py + (e.clientY - d.y) / box.height / level, limitOf(level)) });
      },
      onPointerUp: () => {
        drag.current = null;
      },
    },
  };
}
