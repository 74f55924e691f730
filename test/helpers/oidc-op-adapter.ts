/**
 * A storage adapter for one test OpenID Provider: plain Maps owned by that provider, so two
 * providers in one test process share nothing (oidc-provider's own memory adapter is one
 * module-level store). Entries do not expire; a test provider lives for seconds.
 */

type Payload = Record<string, unknown> & { consumed?: number; grantId?: string; uid?: string; userCode?: string };

/** oidc-provider's adapter interface (see its docs: "adapter"). */
export interface ProviderAdapter {
  upsert(id: string, payload: Payload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Payload | undefined>;
  findByUid(uid: string): Promise<Payload | undefined>;
  findByUserCode(userCode: string): Promise<Payload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** The `adapter` option of a provider: a factory of one adapter per model over shared Maps. */
export function inMemoryAdapter(): (model: string) => ProviderAdapter {
  const entries = new Map<string, Payload>();
  const byGrant = new Map<string, Set<string>>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  return (model) => {
    const key = (id: string): string => `${model}:${id}`;
    return {
      upsert: async (id, payload) => {
        entries.set(key(id), payload);
        if (payload.grantId) byGrant.set(payload.grantId, (byGrant.get(payload.grantId) ?? new Set()).add(key(id)));
        if (model === 'Session' && payload.uid) byUid.set(payload.uid, id);
        if (payload.userCode) byUserCode.set(payload.userCode, id);
      },
      find: async (id) => entries.get(key(id)),
      findByUid: async (uid) => {
        const id = byUid.get(uid);
        return id === undefined ? undefined : entries.get(key(id));
      },
      findByUserCode: async (userCode) => {
        const id = byUserCode.get(userCode);
        return id === undefined ? undefined : entries.get(key(id));
      },
      consume: async (id) => {
        const payload = entries.get(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        entries.delete(key(id));
      },
      revokeByGrantId: async (grantId) => {
        for (const k of byGrant.get(grantId) ?? []) entries.delete(k);
        byGrant.delete(grantId);
      },
    };
  };
}
