import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildWeb } from '../../web/build.js';
import { launchBrowser } from './browser.js';
import { type GatewayHarness, startGateway } from './gateway.js';

export const audioState = (page: Page) =>
  page.evaluate(() => {
    const audio = document.querySelector('audio')!;
    return { currentTime: audio.currentTime, paused: audio.paused, duration: audio.duration };
  });

export async function waitForTime(page: Page, seconds: number): Promise<void> {
  await page.waitForFunction((target) => (document.querySelector('audio')?.currentTime ?? 0) >= target, seconds, { timeout: 30_000 });
}

/** For one suite: the player built, the gateway serving it (configured by `env`) and Chromium. */
export function playerSuite(env: Record<string, string> = {}) {
  const suite = {} as { harness: GatewayHarness; browser: Browser };
  let webRoot: string | undefined;
  before(async () => {
    webRoot = await buildWeb({ outDir: await mkdtemp(join(tmpdir(), 'segue-web-')) });
    suite.harness = await startGateway(env, { webRoot });
    suite.browser = await launchBrowser();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.harness?.close();
    if (webRoot) await rm(webRoot, { recursive: true, force: true });
  });
  return suite;
}

