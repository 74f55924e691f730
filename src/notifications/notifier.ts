import { randomUUID } from 'node:crypto';
import type { NotificationRouteConfig } from '../config/notifications.schema.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { RetryBackoff } from '../lib/retry-backoff.ts';
import type { DeliveryStore } from './deliveries.store.ts';
import type { Notice } from './notice.ts';
import { targetsOf, type Target } from './routing.ts';

/** The channels the notifier sends through (adapters: email-sender.ts, webhook-sender.ts). */
export interface Channels {
  readonly email: { send(to: string, notice: Notice): Promise<void> } | null;
  readonly webhook: { send(name: string, notice: Notice): Promise<void> } | null;
}

/**
 * Sends each notice to every target of the routes it matches (routing.ts), one logged delivery
 * per target. Contracts: a delivery is logged `pending` before its first attempt and `sent` or
 * `failed` after its last; a failed attempt is retried with doubling waits (lib/retry-backoff.ts)
 * up to `attempts` times; `notify` never throws and never waits for the deliveries (`idle`
 * does). The error text logged is the adapter's message, which holds no secret.
 */
export class Notifier {
  readonly #routes: readonly NotificationRouteConfig[];
  readonly #channels: Channels;
  readonly #store: DeliveryStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #attempts: number;
  readonly #maxWaitMs: number;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #backoffs = new Set<RetryBackoff>();
  #closing = false;

  constructor(deps: { routes: readonly NotificationRouteConfig[]; channels: Channels; store: DeliveryStore; clock: Clock; log: Logger; attempts: number; maxWaitMs: number }) {
    this.#routes = deps.routes;
    this.#channels = deps.channels;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#attempts = deps.attempts;
    this.#maxWaitMs = deps.maxWaitMs;
  }

  /** Starts the deliveries of `notice`; returns the number of targets it matched. */
  notify(notice: Notice): number {
    const targets = targetsOf(this.#routes, notice);
    for (const target of targets) {
      const p = this.#deliver(notice, target).catch((e: unknown) => this.#log.error({ err: e, notice: notice.id }, 'a notification delivery could not be logged'));
      this.#inFlight.add(p);
      void p.finally(() => this.#inFlight.delete(p));
    }
    return targets.length;
  }

  /** Resolves when every delivery started so far is sent or failed. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Stops waiting between retries: every pending delivery makes its remaining attempts now. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const b of this.#backoffs) b.hurry();
    await this.idle();
  }

  async #deliver(notice: Notice, target: Target): Promise<void> {
    const id = randomUUID();
    const created = this.#clock.now();
    await this.#store.insert({ id, noticeId: notice.id, kind: notice.kind, type: notice.type, route: target.route, channel: target.channel, target: target.to, status: 'pending', attempts: 0, lastError: null, createdMs: created, updatedMs: created });
    const backoff = new RetryBackoff(this.#maxWaitMs);
    if (this.#closing) backoff.hurry();
    this.#backoffs.add(backoff);
    let lastError: string | null = null;
    try {
      for (let attempt = 1; attempt <= this.#attempts; attempt++) {
        try {
          await this.#send(notice, target);
          await this.#store.update(id, { status: 'sent', attempts: attempt, lastError, updatedMs: this.#clock.now() });
          return;
        } catch (e) {
          lastError = (e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 300) ?? 'failed';
          this.#log.warn({ notice: notice.id, channel: target.channel, route: target.route, attempt, error: lastError }, 'a notification attempt failed');
          if (attempt === this.#attempts) break;
          await this.#store.update(id, { status: 'pending', attempts: attempt, lastError, updatedMs: this.#clock.now() });
          await backoff.wait();
        }
      }
      await this.#store.update(id, { status: 'failed', attempts: this.#attempts, lastError, updatedMs: this.#clock.now() });
      this.#log.error({ notice: notice.id, channel: target.channel, route: target.route }, 'a notification could not be delivered');
    } finally {
      this.#backoffs.delete(backoff);
    }
  }

  async #send(notice: Notice, target: Target): Promise<void> {
    if (target.channel === 'email') {
      if (this.#channels.email === null) throw new Error('no SMTP server configured (notifications.smtp)');
      await this.#channels.email.send(target.to, notice);
    } else {
      if (this.#channels.webhook === null) throw new Error('no webhooks configured');
      await this.#channels.webhook.send(target.to, notice);
    }
  }
}
