import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { openPage } from '../support/browser.js';
import type { GatewayHarness } from '../support/gateway.js';
import { mediaTools } from '../support/media.js';
import { playerSuite } from '../support/player.js';

const run = promisify(execFile);

/** Three tones, each its own pitch, the second mono at another sample rate: a player must change its decoder between them. */
const TONES = [
  { frequency: 440, seconds: 6, sampleRate: 44_100, channels: 2 },
  { frequency: 660, seconds: 5, sampleRate: 48_000, channels: 1 },
  { frequency: 880, seconds: 6, sampleRate: 44_100, channels: 2 },
];
const GAP_GOAL_MS = 100;
/** A change of pitch is sure two 4096-sample windows after the tone changed: within 0.2 s at 44.1 kHz, 0.4 s allowed. */
const BOUNDARY_WINDOW_SEC = 0.4;

/** What the page's audio did, as heard through Web Audio: the silences between sound, and the pitches in order. */
interface Heard {
  /** each run of silence after sound began (the last, after the end, is not among them), and when it ended on the audio clock */
  silences: Array<{ ms: number; at: number }>;
  /** the pitch heard, window by window, runs of the same collapsed into one */
  pitches: number[];
  /** when each pitch after the first was heard for sure (two windows in a row), on the audio clock */
  changes: number[];
  /** `waiting` events once playing: the player ran out of what it had buffered */
  waiting: number;
  ended: boolean;
}

/**
 * Listens to the page's audio element from an AudioWorklet, on the audio
 * thread: it counts the samples of every silence (below -46 dBFS; the tones
 * are at -18) once sound has begun, and the pitch of every 4096 samples by
 * their zero crossings.
 */
async function listen(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const worklet = `
      class Listener extends AudioWorkletProcessor {
        constructor() { super(); this.silent = 0; this.started = false; this.crossings = 0; this.window = 0; this.last = 0; this.quiet = false; }
        process([input]) {
          const samples = input[0];
          if (!samples) return true;
          for (const sample of samples) {
            if (Math.abs(sample) > 0.005) {
              // a sine passes under the threshold for a sample or two at each zero crossing: that is no silence
              if (this.started && this.silent > 10) this.port.postMessage({ silence: this.silent, at: currentTime });
              this.started = true;
              this.silent = 0;
            } else if (this.started) {
              this.silent++;
              if (this.silent > 10) this.quiet = true;
            }
            if ((sample >= 0) !== (this.last >= 0)) this.crossings++;
            this.last = sample;
            if (++this.window === 4096) {
              // a window with a silence in it, or across two tones, reads no one pitch: only whole windows of sound count
              if (this.started && !this.quiet) this.port.postMessage({ pitch: (this.crossings / 2) * (sampleRate / 4096), at: currentTime });
              this.quiet = !this.started;
              this.window = 0;
              this.crossings = 0;
            }
          }
          return true;
        }
      }
      registerProcessor('listener', Listener);`;
    const audio = document.querySelector('audio')!;
    const context = new AudioContext();
    await context.audioWorklet.addModule(URL.createObjectURL(new Blob([worklet], { type: 'text/javascript' })));
    const listener = new AudioWorkletNode(context, 'listener');
    const heard: Heard = { silences: [], pitches: [], changes: [], waiting: 0, ended: false };
    let lastPitch = 0;
    (window as unknown as { heard: Heard }).heard = heard;
    listener.port.onmessage = ({ data }: MessageEvent<{ silence?: number; pitch?: number; at: number }>) => {
      if (data.silence !== undefined) heard.silences.push({ ms: (data.silence / context.sampleRate) * 1000, at: data.at });
      if (data.pitch === undefined) return;
      // to the nearest 20 Hz, and only once two windows in a row agree: a window across a change of tone reads between the two
      const pitch = Math.round(data.pitch / 20) * 20;
      if (pitch === lastPitch && heard.pitches.at(-1) !== pitch) {
        if (heard.pitches.length > 0) heard.changes.push(data.at);
        heard.pitches.push(pitch);
      }
      lastPitch = pitch;
    };
    context.createMediaElementSource(audio).connect(listener).connect(context.destination);
    // before it first plays it waits for its first segments, as any player does after Play
    let playing = false;
    audio.addEventListener('playing', () => (playing = true));
    audio.addEventListener('waiting', () => playing && heard.waiting++);
    audio.addEventListener('ended', () => (heard.ended = true));
  });
}

/** A key pressed with nothing focused: the page's own shortcuts, not a button's. */
async function pressOnPage(page: Page, key: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(key);
}

describe('a shared playlist in Chromium', function () {
  this.timeout(180_000);
  const suite = playerSuite();
  let harness: GatewayHarness;
  let page: Page;
  let work: string;
  let playlistId: string;
  let trackIds: string[];

  before(async () => {
    harness = suite.harness;
    work = await mkdtemp(join(tmpdir(), 'segue-playlist-'));
    trackIds = [];
    for (const [index, tone] of TONES.entries()) {
      const path = join(work, `tone-${tone.frequency}.wav`);
      await run(mediaTools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', `sine=f=${tone.frequency}:d=${tone.seconds}:r=${tone.sampleRate}`, '-ac', String(tone.channels), path]);
      const uploaded = await harness.http.post('/function/crud/tracks?wait=true').field('title', `Tone ${index + 1}`).attach('file', path);
      expect(uploaded.status, JSON.stringify(uploaded.body)).to.equal(201);
      trackIds.push(uploaded.body.id);
    }
    const created = await harness.http.post('/function/crud/playlists').send({ name: 'Three tones', description: 'One after another', trackIds });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    playlistId = created.body.id;
  });
  beforeEach(async () => {
    page = await openPage(suite.browser);
  });
  afterEach(() => page?.close());
  after(() => rm(work, { recursive: true, force: true }));

  it(`plays its tracks end to end in order, with under ${GAP_GOAL_MS} ms of silence between one and the next`, async () => {
    await page.goto(`${harness.origin}/p/${playlistId}`);
    await page.getByRole('heading', { name: 'Three tones' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#quality option').length > 1);
    await listen(page);
    const titles: string[] = [];
    await page.exposeFunction('sawTitle', (title: string) => titles.push(title));
    await page.evaluate(() => {
      const seen = (window as unknown as { sawTitle(title: string): void }).sawTitle;
      new MutationObserver(() => seen(document.title)).observe(document.querySelector('title')!, { childList: true });
    });
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.waitForFunction(() => (window as unknown as { heard: Heard }).heard.ended, undefined, { timeout: 60_000 });
    const heard = await page.evaluate(() => (window as unknown as { heard: Heard }).heard);

    // a silence at a change of tone is the gap between tracks; any other would be this machine's audio thread running late
    const atBoundary = (silence: { at: number }) => heard.changes.some((change) => change - silence.at > -0.1 && change - silence.at < BOUNDARY_WINDOW_SEC);
    const gaps = heard.silences.filter(atBoundary);
    const other = heard.silences.filter((silence) => !atBoundary(silence));
    console.log(`      silence between tracks: ${gaps.map((gap) => `${gap.ms.toFixed(1)} ms`).join(', ') || 'none'}${other.length ? `; elsewhere: ${other.map((gap) => `${gap.ms.toFixed(1)} ms`).join(', ')}` : ''}`);
    expect(heard.pitches, 'the tones heard, in order').to.deep.equal(TONES.map((tone) => tone.frequency));
    expect(gaps.length, 'at most one silence at each change of track').to.be.at.most(TONES.length - 1);
    for (const gap of gaps) expect(gap.ms).to.be.below(GAP_GOAL_MS);
    expect(heard.waiting, 'waiting events: the next track was buffered in time').to.equal(0);
    expect(titles.map((title) => title.split(' · ')[0])).to.include.members(['Tone 2', 'Tone 3']);
    expect(await page.locator('.playlist-track:has([aria-current="true"])').getAttribute('data-track-id')).to.equal(trackIds[2]);
  });

  it('goes to the next and previous track with its buttons, its keys, and from the list', async () => {
    await page.goto(`${harness.origin}/p/${playlistId}`);
    await page.waitForFunction(() => document.querySelectorAll('#quality option').length > 1);
    // each step is taken paused, so that only the step itself can move the player
    const after = async (step: () => Promise<unknown>, label: string, from: number) => {
      await step();
      await page.waitForFunction((text) => document.querySelector('.now-playing')?.textContent?.startsWith(text), label, { timeout: 5_000 });
      await page.evaluate(() => document.querySelector('audio')!.pause());
      const time = await page.evaluate(() => document.querySelector('audio')!.currentTime);
      expect(time, `${label} starts at ${from} s`).to.be.within(from - 0.1, from + 1);
    };
    const [, second, third] = [0, TONES[0]!.seconds, TONES[0]!.seconds + TONES[1]!.seconds];

    await after(() => page.getByRole('button', { name: 'Play Tone 2' }).click(), '2 of 3', second!);
    expect(await page.locator('.playlist-track:has([aria-current="true"])').getAttribute('data-track-id')).to.equal(trackIds[1]);
    await after(() => page.getByRole('button', { name: 'Next track' }).click(), '3 of 3', third!);
    expect(await page.getByRole('button', { name: 'Next track' }).getAttribute('aria-disabled')).to.equal('true');
    expect(await page.evaluate(() => navigator.mediaSession.metadata?.title)).to.equal('Tone 3');
    // back, early in a track: the track before
    await after(() => pressOnPage(page, 'p'), '2 of 3', second!);
    // back, later in it: its own start
    await page.evaluate((time) => (document.querySelector('audio')!.currentTime = time), second! + 4);
    await after(() => pressOnPage(page, 'p'), '2 of 3', second!);
    expect(await page.evaluate(() => document.querySelector('audio')!.currentTime)).to.be.below(second! + 1);
    await after(() => pressOnPage(page, 'n'), '3 of 3', third!);
    await after(() => page.getByRole('button', { name: 'Previous track' }).click(), '2 of 3', second!);
  });

  it('reads the playlist again when it was edited while the page was open, rather than play other tracks at their times', async () => {
    const created = await harness.http.post('/function/crud/playlists').send({ name: 'Edited', trackIds: [trackIds[0]] });
    expect(created.status).to.equal(201);
    await page.goto(`${harness.origin}/p/${created.body.id}`);
    // the multivariant playlist is read: this page plays the version with one track
    await page.waitForFunction(() => document.querySelectorAll('#quality option').length > 1);
    expect(await page.locator('.playlist-track').count()).to.equal(1);
    const edited = await harness.http.post(`/function/crud/playlists/${created.body.id}/tracks`).send({ trackIds: [trackIds[2]] });
    expect(edited.status).to.equal(200);
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('.playlist-track').length === 2);
    expect(await page.locator('.track-artist').first().textContent()).to.equal('2 tracks · 0:12');
    expect(await page.locator('#announcer').textContent()).to.equal('This playlist changed while it was open: here it is as it is now.');
  });

  it('says so for a playlist that does not exist', async () => {
    await page.goto(`${harness.origin}/p/AAAAAAAAAAAA`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    expect(await page.getByText('This playlist does not exist, or it was removed.').count()).to.equal(1);
  });

  it('creates a playlist from the tracks ticked in the library, in the order they were ticked, and opens it', async () => {
    await page.goto(`${harness.origin}/`);
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    await page.getByRole('checkbox', { name: 'Add Tone 3 to the new playlist' }).check();
    await page.getByRole('checkbox', { name: 'Add Tone 1 to the new playlist' }).check();
    await page.getByLabel('New playlist from the ticked tracks').fill('Picked');
    await page.getByRole('button', { name: 'Create playlist' }).click();
    await page.getByRole('heading', { name: 'Picked' }).waitFor();
    const id = new URL(page.url()).pathname.split('/').at(-1)!;
    expect(page.url()).to.equal(`${harness.origin}/p/${id}`);
    const stored = (await harness.http.get(`/function/crud/playlists/${id}`)).body;
    expect(stored.trackIds).to.deep.equal([trackIds[2], trackIds[0]]);
    expect(await page.locator('.playlist-track').evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.trackId))).to.deep.equal([
      trackIds[2],
      trackIds[0],
    ]);
  });
});
