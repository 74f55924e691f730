/**
 * The part of oidc-provider 9 (a dev dependency without bundled types, and no @types package
 * installed) that the test OpenID Provider uses. Only what test/helpers/oidc-op.ts calls.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** The Koa context, as far as a middleware of the test OP reads or rewrites it. */
  export interface ProviderContext {
    readonly path: string;
    readonly method: string;
    status: number;
    body: unknown;
  }

  /** An interaction in progress (login or consent prompt). */
  export interface InteractionDetails {
    readonly uid: string;
    readonly prompt: { readonly name: string; readonly details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[] } };
    readonly params: Readonly<Record<string, unknown>> & { readonly client_id: string };
    readonly session?: { readonly accountId: string };
    readonly grantId?: string;
  }

  /** What the user agreed to share with a client. */
  export interface Grant {
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    save(): Promise<string>;
  }

  /** An OpenID Provider (a Koa application). */
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: ProviderContext, next: () => Promise<void>) => Promise<void>): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    readonly Grant: {
      new (init: { accountId: string; clientId: string }): Grant;
      find(id: string): Promise<Grant | undefined>;
    };
  }
}
