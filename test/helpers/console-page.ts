/**
 * The console e2e tests' shared steps: signing in through the login form, reading the tab list,
 * and opening a signed-in page at a given width in its own browser context.
 */
import type { Browser, Page } from 'playwright-core';
import { collectPageErrors } from './chromium.ts';

/** Signs in with the password form and waits for the console. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  const form = page.locator('#login-form');
  await form.waitFor({ state: 'visible', timeout: 10_000 });
  await form.getByLabel('User name').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('#console-view').waitFor({ state: 'visible', timeout: 10_000 });
}

/** The console's tab labels, in order. */
export const consoleTabs = (page: Page): Promise<string[]> => page.locator('nav.tabs a').allTextContents();

/**
 * A page of `user`, signed in at `url`, in a new context `width` pixels wide (a phone's 844 px
 * height below 500 px, else 900), accepting the test server's certificate and downloads. `defer`
 * receives the context's close; the returned `errors` is the page's live error list.
 */
export async function signedInPage(
  browser: Browser,
  opts: { url: string; user: string; password: string; width: number; defer: (close: () => Promise<unknown>) => void },
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: opts.width, height: opts.width > 500 ? 900 : 844 }, acceptDownloads: true });
  opts.defer(() => context.close());
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(opts.url);
  await signIn(page, opts.user, opts.password);
  return { page, errors };
}
