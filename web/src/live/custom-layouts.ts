// Custom live layouts: a named, ordered choice of cameras, kept in this browser's localStorage
// (no server state). Which one is active is remembered too; unknown or broken entries are dropped.

export interface CustomLayout {
  id: string;
  name: string;
  cameras: string[];
}

const listKey = 'custos.live.customLayouts';
const activeKey = 'custos.live.customLayout';

const isLayout = (v: unknown): v is CustomLayout => {
  const l = v as CustomLayout;
  return typeof l === 'object' && l !== null && typeof l.id === 'string' && typeof l.name === 'string' && Array.isArray(l.cameras) && l.cameras.every((c) => typeof c === 'string');
};

export function loadLayouts(): CustomLayout[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(listKey) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isLayout) : [];
  } catch {
    return [];
  }
}

export function saveLayouts(list: readonly CustomLayout[]): void {
  localStorage.setItem(listKey, JSON.stringify(list));
}

export function loadActive(list: readonly CustomLayout[]): string | null {
  const id = localStorage.getItem(activeKey);
  return id && list.some((l) => l.id === id) ? id : null;
}

export function saveActive(id: string | null): void {
  if (id) localStorage.setItem(activeKey, id);
  else localStorage.removeItem(activeKey);
}

/** The smallest standard grid (1, 4, 9, 16) that holds n tiles. */
export const gridFor = (n: number): 1 | 4 | 9 | 16 => (n <= 1 ? 1 : n <= 4 ? 4 : n <= 9 ? 9 : 16);

export const newLayoutId = (): string => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
