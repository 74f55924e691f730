import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import type { NotificationsConfig } from '../config/notifications.schema.ts';
import type { Notice } from './notice.ts';
import { deliveryHeader, signatureHeader, signWebhook, timestampHeader } from './webhook-signature.ts';

/** POSTs one notice to one named webhook; throws unless the receiver answers 2xx. */
export interface WebhookSender {
  send(name: string, notice: Notice): Promise<void>;
}

/** What sending needs of a webhook's settings (the jurisdiction is for residency only). */
type WebhookConfig = Omit<NotificationsConfig['webhooks'][number], 'jurisdiction'>;

/**
 * The webhook adapter (node:https). Each attempt is signed afresh with the current time
 * (webhook-signature.ts); the certificate of the receiver is verified. Keys are read from their
 * files once, here; a key shorter than 32 characters is refused at start.
 */
export async function createWebhookSender(hooks: readonly WebhookConfig[], now: () => number): Promise<WebhookSender> {
  const byName = new Map<string, { config: WebhookConfig; key: string; ca: string | undefined }>();
  for (const config of hooks) {
    const key = (await readFile(config.secretFile, 'utf8')).split(/\r?\n/)[0] ?? '';
    if (key.length < 32) throw new Error(`notifications.webhooks ${config.name}: the key in secretFile must be at least 32 characters`);
    byName.set(config.name, { config, key, ca: config.caFile === null ? undefined : await readFile(config.caFile, 'utf8') });
  }
  return {
    async send(name, notice) {
      const hook = byName.get(name);
      if (hook === undefined) throw new Error(`no webhook named ${name}`);
      const body = JSON.stringify({ id: notice.id, kind: notice.kind, type: notice.type, severity: notice.severity, siteId: notice.siteId, subject: notice.subject, time: notice.time, data: notice.data });
      const timestamp = Math.floor(now() / 1000);
      await post(hook.config, hook.ca, body, {
        'content-type': 'application/json',
        [timestampHeader]: String(timestamp),
        [deliveryHeader]: notice.id,
        [signatureHeader]: signWebhook(hook.key, timestamp, body),
      });
    },
  };
}

function post(config: WebhookConfig, ca: string | undefined, body: string, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(config.url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: config.timeoutSeconds * 1000, minVersion: 'TLSv1.2', rejectUnauthorized: true, ...(ca === undefined ? {} : { ca }) }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`the webhook answered HTTP ${status}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('the webhook did not answer in time')));
    req.on('error', reject);
    req.end(body);
  });
}
