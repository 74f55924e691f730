import type { OidcProviderConfig, SamlProviderConfig } from '../config/identity.schema.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { OidcRelyingParty } from './oidc/oidc-rp.ts';
import type { AssertionReplayStore } from './saml/assertion-replay.store.ts';
import { SamlServiceProvider } from './saml/saml-sp.ts';

/**
 * The configured SSO providers, built on first use (an OIDC provider's discovery document is
 * fetched then, so a provider that is down does not stop Custos from starting; a failed
 * discovery is retried at the next login).
 */
export class SsoProviders {
  readonly #oidc: readonly OidcProviderConfig[];
  readonly #saml: readonly SamlProviderConfig[];
  readonly #publicUrl: () => string;
  readonly #replay: AssertionReplayStore;
  readonly #clock: Clock;
  readonly #oidcBuilt = new Map<string, Promise<OidcRelyingParty>>();
  readonly #samlBuilt = new Map<string, Promise<SamlServiceProvider>>();

  constructor(deps: { oidc: readonly OidcProviderConfig[]; saml: readonly SamlProviderConfig[]; publicUrl: () => string; replay: AssertionReplayStore; clock: Clock }) {
    this.#oidc = deps.oidc;
    this.#saml = deps.saml;
    this.#publicUrl = deps.publicUrl;
    this.#replay = deps.replay;
    this.#clock = deps.clock;
  }

  /** The providers to offer on the login page. */
  list(): { oidc: { id: string; name: string }[]; saml: { id: string; name: string }[] } {
    return { oidc: this.#oidc.map(({ id, name }) => ({ id, name })), saml: this.#saml.map(({ id, name }) => ({ id, name })) };
  }

  /** The OIDC relying party of a provider id; NOT_FOUND for an unknown id. */
  oidc(id: string): Promise<OidcRelyingParty> {
    const config = this.#oidc.find((p) => p.id === id);
    if (!config) return Promise.reject(new AppError('NOT_FOUND', 'no such identity provider'));
    return this.#memo(this.#oidcBuilt, id, () => OidcRelyingParty.discover(config, this.#publicUrl(), this.#clock));
  }

  /** The SAML service provider of a provider id; NOT_FOUND for an unknown id. */
  saml(id: string): Promise<SamlServiceProvider> {
    const config = this.#saml.find((p) => p.id === id);
    if (!config) return Promise.reject(new AppError('NOT_FOUND', 'no such identity provider'));
    return this.#memo(this.#samlBuilt, id, () => SamlServiceProvider.open(config, this.#publicUrl(), this.#replay, this.#clock));
  }

  #memo<T>(map: Map<string, Promise<T>>, id: string, build: () => Promise<T>): Promise<T> {
    let built = map.get(id);
    if (!built) {
      built = build();
      map.set(id, built);
      built.catch(() => map.delete(id));
    }
    return built;
  }
}
