import { createReadStream, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Track } from '../functions/core/schemas/track.js';
import { openPage } from '../test/support/browser.js';
import { jsonAnswer } from '../test/support/net.js';
import { noisyTone, run, startWebStack } from './support.js';

/**
 * Play while processing, on loopback: a 60-minute MP3 uploaded as a raw body,
 * then, from the moment its last byte is sent:
 *  - the upload's answer (202);
 *  - `track.playable`, polled every 20 ms;
 *  - `playing` in Chromium, through the web player: its share page opened at
 *    the answer and Play clicked as soon as there is a Play button to click;
 *  - `ready`, the whole ladder stored: the reference, measured in the same
 *    run, since until now a track could only be played once it was ready.
 * The page plays on in real time until the track is ready and hls.js has read
 * the finished playlists, counting `waiting` events (stalls) on the way.
 */
const DURATION_SEC = Number(process.env.BENCH_INSTANT_SECONDS ?? 3600);
const GOAL_SEC = 3;

/** POSTs the file as a raw body; resolves with when its last byte went out and with the answer. */
function upload(origin: string, path: string): Promise<{ sentAt: number; answeredAt: number; status: number; track: Track }> {
  return new Promise((resolve, reject) => {
    let sentAt = 0;
    const outgoing = request(
      new URL('/function/crud/tracks', origin),
      { method: 'POST', headers: { 'Content-Type': 'audio/mpeg', 'Content-Length': statSync(path).size, 'X-Filename': 'an-hour.mp3' } },
      (response) => {
        const answeredAt = performance.now();
        jsonAnswer(response).then(({ status, body }) => resolve({ sentAt, answeredAt, status, track: body as Track }), reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.on('finish', () => {
      sentAt = performance.now();
    });
    createReadStream(path).pipe(outgoing);
  });
}

const { work, origin, browser, close } = await startWebStack('instant');

try {
  const source = join(work, 'an-hour.mp3');
  await run('ffmpeg', ['-v', 'error', '-filter_complex', noisyTone(DURATION_SEC), '-map', '[out]', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '192k', source]);
  const page = await openPage(browser);
  // the player's code is in the browser's cache, as it is for anyone who has used it
  await page.goto(`${origin}/`);

  const { sentAt, answeredAt, status, track } = await upload(origin, source);
  if (status !== 202) throw new Error(`the upload answered ${status}: ${JSON.stringify(track)}`);
  // when the service first says it can be played, watched closely from here
  const playableAt = (async () => {
    for (;;) {
      if (((await (await fetch(`${origin}/function/crud/tracks/${track.id}`)).json()) as Track).playable) return performance.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  await page.goto(`${origin}/t/${track.id}`);
  await page.locator('button.play').waitFor({ timeout: 60_000 });
  const playingAfterMs = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const audio = document.querySelector('audio')!;
        const watch = window as unknown as { stalls: number };
        watch.stalls = 0;
        audio.addEventListener(
          'playing',
          () => {
            resolve(performance.timeOrigin + performance.now());
            audio.addEventListener('waiting', () => watch.stalls++);
          },
          { once: true },
        );
        document.querySelector<HTMLButtonElement>('button.play')!.click();
      }),
  );
  const playingAt = playingAfterMs - performance.timeOrigin;
  const statusAtPlaying = (await (await fetch(`${origin}/function/crud/tracks/${track.id}`)).json()) as Track;

  let readyAt = 0;
  for (;;) {
    const seen = (await (await fetch(`${origin}/function/crud/tracks/${track.id}`)).json()) as Track;
    if (seen.status !== 'processing') {
      if (seen.status !== 'ready') throw new Error(`the track ended ${seen.status}: ${JSON.stringify(seen.error)}`);
      readyAt = performance.now();
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await page.waitForFunction((total) => Math.abs(document.querySelector('audio')!.duration - total) < 0.5, DURATION_SEC, { timeout: 60_000 });
  const { stalls, played, paused } = await page.evaluate(() => ({
    stalls: (window as unknown as { stalls: number }).stalls,
    played: document.querySelector('audio')!.currentTime,
    paused: document.querySelector('audio')!.paused,
  }));

  const seconds = (at: number) => ((at - sentAt) / 1000).toFixed(2);
  console.log(`\nplay while processing: a ${DURATION_SEC / 60}-minute 192 kbit/s MP3 uploaded on loopback; seconds after its last byte was sent:`);
  console.log(`  upload answered (202):              ${seconds(answeredAt)} s`);
  console.log(`  playable (track.playable):          ${seconds(await playableAt)} s`);
  console.log(`  playing in Chromium (web player):   ${seconds(playingAt)} s   (goal ≤ ${GOAL_SEC} s; the track was ${statusAtPlaying.status} then)`);
  console.log(`  ready (the whole ladder stored):    ${seconds(readyAt)} s   (the reference: until now, the earliest it could play)`);
  console.log(`  ratio playing / ready:              ${((playingAt - sentAt) / (readyAt - sentAt)).toFixed(3)}`);
  console.log(`  played on into the finished track:  ${played.toFixed(1)} s of audio, ${stalls} stall(s), ${paused ? 'paused' : 'still playing'}`);
} finally {
  await close();
}
