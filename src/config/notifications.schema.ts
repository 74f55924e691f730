import { z } from 'zod';
import { jurisdiction } from './jurisdiction.ts';

/**
 * The `notifications` part of the one configuration schema (schema.ts composes it): where alarms
 * and incident reminders are sent (e-mail over SMTP with TLS, signed webhooks) and which go where.
 * Secrets (the SMTP password, each webhook's HMAC key) are read from files named here, never
 * written in the configuration. Reference: docs/reference/notifications.md.
 */

const name = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a name is lower-case letters, digits and dashes');

const smtp = z
  .strictObject({
    host: z.string().min(1).describe('SMTP server host name (the certificate MUST name it).'),
    port: z.number().int().min(1).max(65535).default(587).describe('SMTP port: 587 for STARTTLS, 465 for implicit TLS.'),
    security: z
      .enum(['starttls', 'tls'])
      .default('starttls')
      .describe('starttls: plain connection upgraded with STARTTLS, refused when the server does not offer it; tls: TLS from the first byte (port 465). Plaintext is not possible.'),
    caFile: z.string().nullable().default(null).describe('PEM file of the CA(s) that sign the server certificate; the system trust store when unset. The certificate is always verified.'),
    user: z.string().nullable().default(null).describe('SMTP user name; no authentication when unset.'),
    passwordFile: z.string().nullable().default(null).describe('File holding the SMTP password (first line). Required with user.'),
    from: z.string().min(3).describe('Sender address of notifications, e.g. custos@vms.example.eu.'),
    timeoutSeconds: z.number().min(1).max(300).default(20).describe('Connection, greeting and socket timeout of one delivery attempt.'),
    jurisdiction: jurisdiction.nullable().default(null).describe('ISO 3166-1 alpha-2 country code where the SMTP server is (data residency: refused when residency.allowed is set and this is outside it or unset).'),
  })
  .describe('The SMTP server notifications are sent through.');

const webhook = z.strictObject({
  name: name.describe('Name routes refer to.'),
  url: z.url({ protocol: /^https$/ }).describe('HTTPS URL the signed JSON is POSTed to.'),
  secretFile: z.string().min(1).describe('File holding the HMAC-SHA256 key (first line, at least 32 characters).'),
  caFile: z.string().nullable().default(null).describe('PEM file of the CA(s) of the receiver; the system trust store when unset.'),
  timeoutSeconds: z.number().min(1).max(300).default(10).describe('Timeout of one delivery attempt.'),
  jurisdiction: jurisdiction.nullable().default(null).describe('ISO 3166-1 alpha-2 country code where the receiver is (data residency: refused when residency.allowed is set and this is outside it or unset).'),
});

const route = z.strictObject({
  name: name.describe('Name of the routing rule (shown in the delivery log).'),
  types: z.array(z.string().min(1)).default([]).describe('Alarm rules (`details.rule`, e.g. lockouts-burst, camera-tamper) or `incident.clock`; empty matches every type.'),
  sites: z.array(z.string().min(1)).default([]).describe('Site ids whose alarms match; empty matches every site (and alarms of no site).'),
  minSeverity: z.enum(['low', 'medium', 'high', 'critical']).default('low').describe('Lowest severity sent by this route.'),
  email: z.array(z.string().min(3)).default([]).describe('Recipients of e-mail (needs notifications.smtp).'),
  webhooks: z.array(name).default([]).describe('Names of webhooks (notifications.webhooks) to call.'),
});

export const notifications = z
  .strictObject({
    smtp: smtp.nullable().default(null).describe('The SMTP server notifications are sent through (host, port, security, caFile, user, passwordFile, from, timeoutSeconds); null: no e-mail. See docs/reference/notifications.md.'),
    webhooks: z.array(webhook).default([]).describe('Signed webhook receivers.'),
    routes: z.array(route).default([]).describe('Routing rules: each alarm goes to every route it matches.'),
    retry: z
      .strictObject({
        attempts: z.number().int().min(1).max(20).default(6).describe('Attempts per delivery before it is logged as failed.'),
        maxSeconds: z.number().min(1).max(3600).default(300).describe('Longest wait between attempts (waits double from 0.25 s).'),
      })
      .prefault({})
      .describe('Retries of a failed delivery.'),
  })
  .prefault({})
  .describe('Notifications of alarms and incident deadlines (docs/reference/notifications.md).');

export type NotificationsConfig = z.output<typeof notifications>;
export type NotificationRouteConfig = z.output<typeof route>;
