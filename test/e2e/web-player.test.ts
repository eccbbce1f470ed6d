import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { openPage } from '../support/browser.js';
import { distinctCopy, fixture } from '../support/fixtures.js';
import type { GatewayHarness } from '../support/gateway.js';
import { audioState, playerSuite, waitForTime } from '../support/player.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');

describe('the web player in Chromium', function () {
  this.timeout(180_000);
  const suite = playerSuite();
  let harness: GatewayHarness;
  let page: Page;

  before(async () => {
    harness = suite.harness;
    page = await openPage(suite.browser);
    await mkdir(ARTIFACTS, { recursive: true });
  });

  it('uploads through the page: progress to ready for audio, the reason for a file that is not', async () => {
    await page.goto(`${harness.origin}/`);
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenStates: string[] }).seenStates = seen;
      new MutationObserver(() => {
        for (const row of document.querySelectorAll<HTMLElement>('.upload')) {
          const entry = `${row.querySelector('.upload-name')?.textContent}:${row.dataset.state}`;
          if (seen.at(-1) !== entry && !seen.includes(entry)) seen.push(entry);
        }
      }).observe(document.querySelector('.upload-list')!, { subtree: true, attributes: true, childList: true });
    });
    const song = await fixture('taggedMp3');
    const text = await fixture('textAsMp3');
    await page.setInputFiles('#file-picker', [song.path, text.path]);

    await page.locator('.upload[data-state="ready"]').waitFor({ timeout: 60_000 });
    const failed = page.locator('.upload[data-state="failed"]');
    await failed.waitFor();
    expect(await failed.textContent()).to.contain(text.filename).and.match(/audio/i);

    const seen = await page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates);
    const mine = seen.filter((entry) => entry.startsWith(`${song.filename}:`)).map((entry) => entry.split(':')[1]);
    const order = ['uploading', 'processing', 'ready'].map((state) => mine.indexOf(state));
    expect(order, mine.join(' → ')).to.deep.equal([...order].sort((x, y) => x - y));
    expect(order[0], mine.join(' → ')).to.be.at.least(0);
    expect(mine.at(-1)).to.equal('ready');

    const item = page.locator('.track-item').first();
    await item.waitFor();
    expect(await item.textContent()).to.contain('0:14');
    expect(await page.getByRole('button', { name: 'Load more' }).isHidden(), 'one page holds everything').to.equal(true);
    await page.screenshot({ path: join(ARTIFACTS, 'library.png'), fullPage: true });
  });

  it('finds tracks by search', async () => {
    const tagged = await harness.database.tracks.findOne({});
    const other = await harness.ingest('oneSecondWav');
    expect(other.title.toLowerCase()).not.to.contain(tagged!.title.slice(0, 5).toLowerCase());
    await page.fill('#search', ' ');
    await page.waitForFunction(() => document.querySelectorAll('.track-item').length === 2);
    await page.fill('#search', tagged!.title.slice(0, 5));
    await page.waitForFunction(() => document.querySelectorAll('.track-item').length === 1);
    expect(await page.locator('.track-item').textContent()).to.contain(tagged!.title);
    await page.fill('#search', 'no such thing at all');
    await page.getByText('Nothing matches').waitFor();
    await page.fill('#search', '');
    await page.locator('.track-item').first().waitFor();
  });

  it('plays a track: time advances with no hls.js error, seeking to 75 % goes on from there, and quality switches', async () => {
    await page.locator('.track-item a', { hasText: 'Night Drive' }).click();
    await page.waitForURL(/\/t\/[0-9A-Za-z]{12}$/);
    const player = page.locator('.player[data-engine="hls.js"]');
    await player.waitFor();
    await page.getByRole('button', { name: 'Play' }).click();
    await waitForTime(page, 2);
    expect(await player.getAttribute('data-hls-errors')).to.equal('0');

    const { duration } = await audioState(page);
    const target = duration * 0.75;
    await page.evaluate((seconds) => {
      const seek = document.querySelector<HTMLInputElement>('.seek-input')!;
      seek.value = String(seconds);
      seek.dispatchEvent(new Event('input', { bubbles: true }));
    }, target);
    await waitForTime(page, target + 1);
    const afterSeek = await audioState(page);
    expect(afterSeek.paused).to.equal(false);
    expect(afterSeek.currentTime).to.be.within(target + 1, target + 4);

    const options = await page.locator('#quality option').evaluateAll((each) => each.map((option) => (option as HTMLOptionElement).value));
    expect(options.length).to.be.greaterThan(1);
    const labels = await page.locator('#quality option').allTextContents();
    expect(labels[0]).to.equal('Auto');
    expect(labels.slice(1)).to.include('64 kbit/s');
    for (const label of labels.slice(1)) expect(label).to.match(/^(64|128|256) kbit\/s$/);
    // a rendition other than the one playing, so the switch is the choice's doing
    const playing = await player.getAttribute('data-quality');
    const lowest = options.find((value) => value !== '-1' && value !== playing)!;
    await page.evaluate(() => {
      const audio = document.querySelector('audio')!;
      audio.currentTime = 0;
      void audio.play();
    });
    await page.selectOption('#quality', lowest);
    await page.waitForFunction((level) => document.querySelector<HTMLElement>('.player')?.dataset.quality === level, lowest, { timeout: 30_000 });
    await waitForTime(page, 2);
    expect(await player.getAttribute('data-hls-errors')).to.equal('0');
    expect(await page.locator('.player-error').textContent()).to.equal('');
  });

  it('answers the keyboard and shows the track’s facts, at 360 px without sideways scrolling', async () => {
    await page.locator('main').click({ position: { x: 2, y: 2 } });
    await page.evaluate(() => {
      document.querySelector('audio')!.currentTime = 2;
    });
    await page.keyboard.press(' ');
    await page.waitForFunction(() => document.querySelector('audio')!.paused);
    const before = (await audioState(page)).currentTime;
    await page.keyboard.press('ArrowRight');
    expect((await audioState(page)).currentTime).to.be.closeTo(before + 5, 0.5);

    expect(await page.locator('.tags').textContent()).to.contain('Duration');
    expect(await page.getByRole('link', { name: 'Download original' }).getAttribute('href')).to.match(/\/original$/);
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(360);
    await page.screenshot({ path: join(ARTIFACTS, 'track.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('says clearly when a track or a page does not exist', async () => {
    const missing = await page.goto(`${harness.origin}/t/AAAAAAAAAAAA`);
    expect(missing?.status()).to.equal(200);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    expect(await page.title()).to.contain('Not found');

    const nowhere = await page.goto(`${harness.origin}/no/such/page`);
    expect(nowhere?.status()).to.equal(404);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.getByRole('link', { name: 'Back to the library' }).click();
    await page.getByRole('heading', { name: 'Library' }).waitFor();
  });

  /** A track of its own, uploaded and ready, its page open. */
  async function openOwnTrack(name: 'plainWav' | 'oneSecondWav' = 'plainWav'): Promise<string> {
    const file = await distinctCopy(name);
    const response = await harness.http.post('/function/crud/tracks?wait=true').attach('file', file.path, file.filename);
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    await page.goto(`${harness.origin}/t/${response.body.id}`);
    await page.locator('.player').waitFor();
    return response.body.id as string;
  }

  it('loads the share page without the library’s code, and fetches nothing but the multivariant playlist until Play is pressed, then plays', async () => {
    const file = await distinctCopy('plainWav');
    const uploaded = await harness.http.post('/function/crud/tracks?wait=true').attach('file', file.path, file.filename);
    expect(uploaded.status).to.equal(201);
    const fetched: string[] = [];
    const record = (request: { url(): string }) => fetched.push(new URL(request.url()).pathname);
    page.on('request', record);
    try {
      await page.goto(`${harness.origin}/t/${uploaded.body.id}`);
      // the quality list is filled in from the multivariant playlist
      await page.waitForFunction(() => document.querySelectorAll('#quality option').length > 1);
      await sleep(500);
      const audio = (paths: string[]) => paths.filter((path) => /\/(index\.m3u8|init\.mp4|\d{6}\.m4s)$/.test(path));
      expect(audio(fetched), 'before Play').to.deep.equal([]);
      expect(fetched).to.include(`/function/stream/tracks/${uploaded.body.id}/master.m3u8`);
      // the page's own code, from the network or the cache: the share page's chunk, never the library's
      const scripts = await page.evaluate(() =>
        performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname).filter((path) => path.endsWith('.js')),
      );
      expect(scripts.filter((path) => /\/assets\/track-page-\w+\.js$/.test(path))).to.have.length(1);
      expect(scripts.filter((path) => /\/assets\/library-\w+\.js$/.test(path))).to.deep.equal([]);
      await page.getByRole('button', { name: 'Play' }).click();
      await waitForTime(page, 1);
      expect(audio(fetched).some((path) => path.endsWith('.m4s')), 'segments once playing').to.equal(true);
    } finally {
      page.off('request', record);
    }
  });

  it('shows a cover at the size it is shown, from its resized copies rather than the original', async () => {
    const file = await distinctCopy('largeCoverMp3');
    const uploaded = await harness.http.post('/function/crud/tracks?wait=true').attach('file', file.path, file.filename);
    expect(uploaded.status).to.equal(201);
    expect(uploaded.body.coverSizes).to.deep.equal([128, 256, 512]);
    await page.goto(`${harness.origin}/t/${uploaded.body.id}`);
    const cover = page.locator('img.cover.large');
    await cover.waitFor();
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('img.cover.large')?.complete);
    const shown = await cover.evaluate((img: HTMLImageElement) => ({ src: img.currentSrc, pixels: img.clientWidth * devicePixelRatio }));
    const width = Number(new RegExp(`/tracks/${uploaded.body.id}/cover/(128|256|512)\\.webp$`).exec(shown.src)?.[1]);
    // the smallest size sharp at this page's pixel ratio
    expect(width, shown.src).to.equal([128, 256, 512].find((size) => size >= shown.pixels) ?? 512);
    const covers = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name).filter((name) => name.includes('/cover')));
    expect(covers.filter((name) => name.endsWith('/cover')), 'the original cover').to.deep.equal([]);
  });

  it('edits a track’s tags from its page: the page and the library show them, and they stay', async () => {
    const id = await openOwnTrack();
    await page.getByText('Edit or delete').click();
    await page.getByRole('button', { name: 'Save tags' }).click();
    expect(await page.locator('.manage-status').textContent()).to.equal('Nothing to save: no tag was changed.');

    await page.getByLabel('Title').fill('Renamed Take');
    await page.getByLabel('Artist').fill('Someone Else');
    await page.getByLabel('Year').fill('1999');
    await page.getByRole('button', { name: 'Save tags' }).click();
    await page.getByRole('heading', { name: 'Renamed Take' }).waitFor();
    expect(await page.locator('.manage-status').textContent()).to.equal('Tags saved.');
    expect(await page.locator('.track-artist').textContent()).to.equal('Someone Else');
    expect(await page.title()).to.equal('Renamed Take – Someone Else · Segue');
    const stored = (await harness.http.get(`/function/crud/tracks/${id}`)).body;
    expect(stored).to.include({ title: 'Renamed Take', artist: 'Someone Else', year: 1999 });

    // an emptied field clears its tag
    await page.getByLabel('Artist').fill('');
    await page.getByRole('button', { name: 'Save tags' }).click();
    await page.locator('.track-artist', { hasText: 'Unknown artist' }).waitFor();
    expect((await harness.http.get(`/function/crud/tracks/${id}`)).body.artist).to.equal(null);
    await page.reload();
    await page.getByRole('heading', { name: 'Renamed Take' }).waitFor();
    await page.goto(`${harness.origin}/`);
    expect(await page.locator(`[data-track-id="${id}"] .track-title`).textContent()).to.equal('Renamed Take');
  });

  it('deletes a track from its page only once asked to confirm, then goes back to the library', async () => {
    const id = await openOwnTrack();
    await page.getByText('Edit or delete').click();
    await page.getByRole('button', { name: 'Delete track' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).to.contain('It goes for good');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.isVisible()).to.equal(false);
    expect((await harness.http.get(`/function/crud/tracks/${id}`)).status, 'cancelled: still there').to.equal(200);

    await page.getByRole('button', { name: 'Delete track' }).click();
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    expect((await harness.http.get(`/function/crud/tracks/${id}`)).status).to.equal(404);
    expect(await page.locator(`[data-track-id="${id}"]`).count()).to.equal(0);
  });

  it('shows a failed track’s reason and processes it again from its page', async () => {
    const id = await openOwnTrack('oneSecondWav');
    // the state a job that gave up leaves: failed with its reason, its original kept
    await harness.database.segments.deleteMany({ trackId: id });
    await harness.database.tracks.updateOne(
      { _id: id },
      { $set: { status: 'failed', error: { code: 'too_many_attempts', message: 'Processing was interrupted too many times' }, renditions: [] } },
    );
    await page.reload();
    const reason = page.getByRole('alert').filter({ hasText: 'could not be processed' });
    await reason.waitFor();
    expect(await reason.textContent()).to.contain('Processing was interrupted too many times');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('.player').waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.player')?.dataset.status === 'ready', undefined, { timeout: 60_000 });
    expect((await harness.http.get(`/function/crud/tracks/${id}`)).body.status).to.equal('ready');
  });

  it('plays an upload while it is processed, from its start on into the finished track without a stall', async () => {
    const file = await fixture('eightMinuteMp3');
    await page.goto(`${harness.origin}/`);
    await page.setInputFiles('#file-picker', [file.path]);
    const row = page.locator('.upload', { hasText: file.filename });
    const playNow = row.locator('a.play-now');
    await playNow.waitFor({ timeout: 60_000 });
    expect(await row.getAttribute('data-state'), 'offered before it is ready').to.equal('processing');
    await playNow.click();
    await page.waitForURL(/\/t\/[0-9A-Za-z]{12}$/);
    const id = page.url().split('/').at(-1)!;

    const player = page.locator('.player[data-engine="hls.js"]');
    await player.waitFor();
    expect(await player.getAttribute('data-status')).to.equal('processing');
    expect(await page.locator('.processing-note').textContent()).to.match(/^Still processing \(\d+%\)/);
    await page.evaluate(() => {
      const audio = document.querySelector('audio')!;
      const watch = window as unknown as { stalls: number };
      watch.stalls = 0;
      audio.addEventListener('playing', () => audio.addEventListener('waiting', () => watch.stalls++), { once: true });
    });
    await page.getByRole('button', { name: 'Play' }).click();
    await waitForTime(page, 1);
    expect(await player.getAttribute('data-status'), 'playing before it is ready').to.equal('processing');

    // in real time, until the page knows the track is ready and hls.js has read the finished playlists
    await page.waitForFunction(
      (total) => document.querySelector<HTMLElement>('.player')?.dataset.status === 'ready' && Math.abs(document.querySelector('audio')!.duration - total) < 0.1,
      file.durationSec,
      { timeout: 60_000 },
    );
    const { currentTime, paused } = await audioState(page);
    expect(paused).to.equal(false);
    expect(await page.evaluate(() => (window as unknown as { stalls: number }).stalls), 'waiting events after playback began').to.equal(0);
    await waitForTime(page, currentTime + 1);
    expect(await page.locator('.processing-note').count(), 'the note goes once it is ready').to.equal(0);
    expect(await page.locator('.player .total').textContent()).to.equal('8:00');

    // and it ends where the finished track does
    await page.evaluate((seconds) => {
      document.querySelector('audio')!.currentTime = seconds;
    }, file.durationSec - 3);
    await page.waitForFunction(() => document.querySelector('audio')!.ended, undefined, { timeout: 30_000 });
    expect((await audioState(page)).currentTime).to.be.closeTo(file.durationSec, 0.1);
    expect(await player.getAttribute('data-hls-errors'), (await player.getAttribute('data-hls-last-error')) ?? '').to.equal('0');
    expect((await harness.http.delete(`/function/crud/tracks/${id}`)).status).to.equal(204);
  });

  it('says a file is already in the library when it is uploaded again, and links its track instead of adding one', async () => {
    await page.goto(`${harness.origin}/`);
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    const file = await distinctCopy('plainWav');
    await page.setInputFiles('#file-picker', file.path);
    const ready = page.locator('.upload[data-state="ready"]');
    await ready.waitFor({ timeout: 60_000 });
    const href = await ready.getByRole('link').getAttribute('href');
    expect(href).to.match(/^t\/[0-9A-Za-z]{12}$/);
    const tracks = await harness.database.tracks.countDocuments();

    await page.setInputFiles('#file-picker', file.path);
    const duplicate = page.locator('.upload[data-state="duplicate"]');
    await duplicate.waitFor({ timeout: 60_000 });
    expect(await duplicate.locator('.upload-state').textContent()).to.equal('Already in your library: field recording');
    const link = duplicate.getByRole('link', { name: 'field recording' });
    expect(await link.getAttribute('href')).to.equal(href);
    expect(await harness.database.tracks.countDocuments(), 'no track more').to.equal(tracks);
    await page.screenshot({ path: join(ARTIFACTS, 'duplicate.png'), fullPage: true });

    await link.click();
    await page.waitForURL(new RegExp(`/${href}$`));
    await page.getByRole('heading', { name: 'field recording' }).waitFor();
  });
});

describe('the web player on a service with API keys', function () {
  this.timeout(120_000);
  const KEY = 'listener-key-0123456789abcdef012345678';
  const suite = playerSuite({ API_KEYS: KEY });

  it('asks for the key when an upload is refused, then uploads with it', async () => {
    const page = await openPage(suite.browser);
    await page.goto(`${suite.harness.origin}/`);
    const file = await fixture('oneSecondWav');
    await page.setInputFiles('#file-picker', file.path);
    await page.locator('.upload[data-state="failed"]').waitFor();
    const key = page.getByLabel('API key');
    await key.waitFor();
    await key.fill('listener-key-0123456789abcdef012345678');
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.setInputFiles('#file-picker', file.path);
    await page.locator('.upload[data-state="ready"]').waitFor({ timeout: 60_000 });
    expect(await suite.harness.database.tracks.countDocuments()).to.equal(1);
  });

  it('asks for the key when a tag edit is refused, then saves with it', async () => {
    const page = await openPage(suite.browser);
    const file = await distinctCopy('oneSecondWav');
    const uploaded = await suite.harness.http
      .post('/function/crud/tracks?wait=true')
      .set('Authorization', `Bearer ${KEY}`)
      .attach('file', file.path, file.filename);
    expect(uploaded.status).to.equal(201);
    await page.goto(`${suite.harness.origin}/t/${uploaded.body.id}`);
    await page.getByText('Edit or delete').click();
    await page.getByLabel('Title').fill('Keyed Edit');
    await page.getByRole('button', { name: 'Save tags' }).click();
    await page.locator('.manage-status', { hasText: 'needs an API key' }).waitFor();
    await page.getByLabel('API key').fill(KEY);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.getByRole('button', { name: 'Save tags' }).click();
    await page.getByRole('heading', { name: 'Keyed Edit' }).waitFor();
    expect((await suite.harness.http.get(`/function/crud/tracks/${uploaded.body.id}`)).body.title).to.equal('Keyed Edit');
  });
});
