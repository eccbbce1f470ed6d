import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { openPage } from '../support/browser.js';
import { mediaTools, sha256Of } from '../support/media.js';
import { freePort, tcpLink } from '../support/net.js';
import { playerSuite } from '../support/player.js';

const run = promisify(execFile);


describe('the web player, uploading a large file while the network drops', function () {
  this.timeout(300_000);
  const suite = playerSuite();
  let dir: string;
  let page: Page;
  let wav: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'segue-web-resume-'));
    // 7 minutes of 48 kHz 16-bit stereo: 80 MB, past the SDK's 64 MiB threshold for resumable uploads
    wav = join(dir, 'long take.wav');
    await run(mediaTools.ffmpeg, ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'sine=f=330:d=420:r=48000', '-ac', '2', '-fflags', '+bitexact', '-c:a', 'pcm_s16le', wav]);
    page = await openPage(suite.browser);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says it is offline, goes on when the network is back, and ends with one track of the whole file', async () => {
    // the page reaches the service through a link that can be cut, as a laptop's network is
    const { harness } = suite;
    const port = await freePort();
    const service = { host: '127.0.0.1', port: Number(new URL(harness.origin).port) };
    const link = await tcpLink(port, service);
    // closed however the test ends
    try {
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.getByRole('heading', { name: 'Library' }).waitFor();
      // slow enough to be caught midway
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 10 * 1024 * 1024 });
      await page.setInputFiles('#file-picker', wav);
      const bar = page.locator('.upload progress');
      await page.waitForFunction(() => (document.querySelector<HTMLProgressElement>('.upload progress')?.value ?? 0) > 0.3, undefined, { timeout: 60_000 });

      await page.context().setOffline(true);
      link.cut();
      const row = page.locator('.upload[data-state="offline"]');
      await row.waitFor({ timeout: 60_000 });
      expect(await row.locator('.upload-state').textContent()).to.match(/^Offline at \d+%: it goes on when the network is back$/);
      const stored = await harness.database.uploads.findOne({});
      expect(stored?.offset, 'part of it is stored').to.be.above(0);

      link.open();
      await page.context().setOffline(false);
      await page.locator('.upload[data-state="ready"]').waitFor({ timeout: 180_000 });
      expect(await bar.evaluate((element: HTMLProgressElement) => element.value)).to.equal(1);
      const uploads = await harness.database.uploads.find({}).toArray();
      expect(uploads.map((upload) => upload._id), 'the same upload went on: no second one began').to.deep.equal([stored!._id]);
      const track = await harness.database.tracks.findOne({ _id: stored!._id });
      expect(track?.source.sha256).to.equal(await sha256Of(wav));
    } finally {
      await link.close();
    }
  });
});
