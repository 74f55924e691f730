import { chromium, type Browser } from 'playwright-core';

/** Renders printable HTML to PDF bytes. */
export interface PdfRenderer {
  render(html: string): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * The Chromium adapter (playwright-core driving the system's Chromium; docs/decisions ADR
 * 0027-incident-report-pdf). The browser starts at the first report and stays up until `close`.
 * Contracts: the page is loaded with JavaScript disabled and every request aborted, so a report
 * (whose fields people typed) can neither run script nor reach the network; text is real text
 * in the PDF (extractable, `pdftotext`).
 */
export function createChromiumPdfRenderer(opts: { executablePath: string }): PdfRenderer {
  let browser: Promise<Browser> | null = null;
  const launch = () => chromium.launch({ executablePath: opts.executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  return {
    async render(html) {
      browser ??= launch();
      const context = await (await browser).newContext({ javaScriptEnabled: false, offline: true });
      try {
        const page = await context.newPage();
        await page.route('**/*', (route) => route.abort());
        await page.setContent(html, { waitUntil: 'load' });
        return await page.pdf({ format: 'A4', printBackground: false, margin: { top: '15mm', bottom: '15mm', left: '15mm', right: '15mm' } });
      } finally {
        await context.close();
      }
    },
    async close() {
      if (browser !== null) await (await browser.catch(() => null))?.close();
      browser = null;
    },
  };
}
