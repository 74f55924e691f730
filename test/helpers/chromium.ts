/**
 * The system Chromium, driven by playwright-core, for end-to-end tests of the web page. Debian's
 * /usr/bin/chromium plays H.264 in Media Source Extensions, which the live view needs.
 * CUSTOS_TEST_CHROMIUM overrides the executable.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildWeb } from '../../scripts/web-build.ts';

/** Path of the Chromium executable used by the tests. */
export const chromiumPath = process.env.CUSTOS_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet, reproducible headless run: no network chatter of its own, no GPU, no QUIC. */
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

/**
 * Launches headless Chromium; the caller MUST close it (also when the test fails). The console
 * is built first when its sources changed since the last build (prereqs.sh did it for the gate;
 * this covers a browser test run on its own).
 */
export async function launchChromium(): Promise<Browser> {
  await buildWeb({ quiet: true });
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/** A context that accepts the server's self-signed certificate, as the test servers use one. */
export async function newTrustingContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
}

/**
 * Collects everything the page reports as an error: console errors (CSP violations and failed
 * loads among them) and uncaught exceptions. Returns the live list.
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`exception: ${err.message}`));
  return errors;
}
