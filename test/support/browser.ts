import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core; no downloaded browser. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
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
}

/**
 * A page ready for `page.evaluate(fn)`: the test files are compiled with
 * esbuild's keepNames, which wraps functions in a `__name` helper the page
 * does not have.
 */
export async function openPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript('globalThis.__name = (fn) => fn');
  return page;
}
