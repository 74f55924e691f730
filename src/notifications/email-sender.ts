import { readFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import type { NotificationsConfig } from '../config/notifications.schema.ts';
import type { Notice } from './notice.ts';

/** Sends one notice to one recipient; throws on any failure (the notifier retries). */
export interface EmailSender {
  send(to: string, notice: Notice): Promise<void>;
  close(): void;
}

/** What sending needs of the SMTP settings (the jurisdiction is for residency only). */
type SmtpConfig = Omit<NonNullable<NotificationsConfig['smtp']>, 'jurisdiction'>;

/**
 * The SMTP adapter (nodemailer). Contract: the connection is TLS 1.2+ with the server
 * certificate verified against `caFile` (or the system store) and its name checked against
 * `host`; with `starttls` the upgrade is required (`requireTLS`), so a server that does not
 * offer STARTTLS, or a man in the middle stripping it, gets no mail and no password. The
 * password is read from its file once, here, and never logged.
 */
export async function createEmailSender(config: SmtpConfig): Promise<EmailSender> {
  const ca = config.caFile === null ? undefined : await readFile(config.caFile, 'utf8');
  const password = config.passwordFile === null ? null : ((await readFile(config.passwordFile, 'utf8')).split(/\r?\n/)[0] ?? '');
  if (config.user !== null && password === null) throw new Error('notifications.smtp.user needs notifications.smtp.passwordFile');
  const timeoutMs = config.timeoutSeconds * 1000;
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.security === 'tls',
    requireTLS: config.security === 'starttls',
    ignoreTLS: false,
    tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(ca === undefined ? {} : { ca }) },
    ...(config.user !== null && password !== null ? { auth: { user: config.user, pass: password } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(to, notice) {
      await transport.sendMail({
        from: config.from,
        to,
        subject: `[Custos ${notice.severity}] ${notice.subject}`,
        text: `${notice.text}\n\nNotice ${notice.id} at ${notice.time}\n`,
        headers: { 'X-Custos-Notice': notice.id, 'X-Custos-Type': notice.type },
      });
    },
    close() {
      transport.close();
    },
  };
}
