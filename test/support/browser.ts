import { type Browser, chromium, type Page } from 'playwright-core';
import { coverPage, writeBrowserCoverage } from './browser-coverage.js';

/** Debian's Chromium, driven by playwright-core; no downloaded browser. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // playback tests press play from a script, not a person
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  // what the pages still open ran is written before they go
  const close = browser.close.bind(browser);
  browser.close = async (options) => {
    try {
      for (const page of browser.contexts().flatMap((context) => context.pages())) await writeBrowserCoverage(page);
    } finally {
      await close(options);
    }
  };
  return browser;
}

/**
 * A page ready for `page.evaluate(fn)`: the test files are compiled with
 * esbuild's keepNames, which wraps functions in a `__name` helper the page
 * does not have.
 */
export async function openPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript('globalThis.__name = (fn) => fn');
  await coverPage(page);
  return page;
}
