import type { NotificationRouteConfig } from '../config/notifications.schema.ts';
import { atLeast, type Notice } from './notice.ts';

/** One place a notice goes: an e-mail recipient or a named webhook, and the route that chose it. */
export type Target = { readonly route: string; readonly channel: 'email'; readonly to: string } | { readonly route: string; readonly channel: 'webhook'; readonly to: string };

/** True when the route takes the notice: its type, its site and its severity all match. */
export function routeMatches(route: NotificationRouteConfig, notice: Notice): boolean {
  if (route.types.length > 0 && !route.types.includes(notice.type)) return false;
  if (route.sites.length > 0 && (notice.siteId === null || !route.sites.includes(notice.siteId))) return false;
  return atLeast(notice.severity, route.minSeverity);
}

/**
 * Every target of the matching routes, each recipient or webhook once (the first route that
 * names it is logged as the one that chose it). Pure.
 */
export function targetsOf(routes: readonly NotificationRouteConfig[], notice: Notice): Target[] {
  const chosen = new Map<string, Target>();
  for (const route of routes) {
    if (!routeMatches(route, notice)) continue;
    const targets: Target[] = [...route.email.map((to) => ({ route: route.name, channel: 'email' as const, to })), ...route.webhooks.map((to) => ({ route: route.name, channel: 'webhook' as const, to }))];
    for (const target of targets) if (!chosen.has(`${target.channel}:${target.to}`)) chosen.set(`${target.channel}:${target.to}`, target);
  }
  return [...chosen.values()];
}
