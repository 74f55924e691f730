// What the console knows of the signed-in user: who, and which permissions (from /auth/me).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api, JsonOf } from '../api/client.ts';

/** The answer of GET /api/v1/auth/me. */
export type Me = JsonOf<'/api/v1/auth/me'>;

/** The answer of a login step (password, second factor, setup, passkey). */
export interface LoginResult {
  stage: 'complete' | 'second-factor' | 'enrol';
  csrfToken: string | null;
  user?: { id: string; username: string; displayName: string } | undefined;
}

/** The signed-in part of the console: the API, the user, what they may do, and signing out. */
export interface ConsoleSession {
  readonly api: Api;
  readonly me: Me;
  /** True when the user holds the permission on at least one scope (the server still decides per camera). */
  readonly can: (permission: string) => boolean;
  /** Signs out; `reason` (a message) is shown on the login view. */
  readonly signOut: (reason?: string) => Promise<void>;
}

export const Session = createContext<ConsoleSession | null>(null);

/** The session of the signed-in part of the console (only rendered while signed in). */
export function useSession(): ConsoleSession {
  const s = useContext(Session);
  if (!s) throw new Error('useSession outside the signed-in console');
  return s;
}
