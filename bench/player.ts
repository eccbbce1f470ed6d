import { join } from 'node:path';
import { Segue } from '@segue/api-client';
import { openPage } from '../test/support/browser.js';
import { median, run, startWebStack } from './support.js';

/**
 * Click-to-playing in the web player on loopback: from the play button's click
 * to the audio element's `playing` event, on a freshly loaded track page.
 * The reference, measured in the same run, is the same browser playing the
 * track's original file from a bare `<audio src preload=none>` (progressive
 * download, no HLS) from the moment `play()` is called: what Chromium itself
 * needs to start a file it has not loaded.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const GOAL_MS = 300;

const { work, origin, browser, close } = await startWebStack('player');

try {
  const source = join(work, 'three-minutes.mp3');
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=330:d=180', '-ac', '2', '-b:a', '192k', source]);
  const track = await new Segue({ baseUrl: origin }).tracks.create({ file: source, title: 'Bench', wait: true });

  const segueTimes: number[] = [];
  const referenceTimes: number[] = [];
  for (let index = 0; index < RUNS; index++) {
    const page = await openPage(browser);
    await page.goto(`${origin}/t/${track.id}`);
    // the page is ready for a listener once its quality list is filled in: hls.js has read the playlists
    await page.waitForFunction(() => document.querySelectorAll('#quality option').length > 1);
    segueTimes.push(
      await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const audio = document.querySelector('audio')!;
            const started = performance.now();
            audio.addEventListener('playing', () => resolve(performance.now() - started), { once: true });
            document.querySelector<HTMLButtonElement>('button.play')!.click();
          }),
      ),
    );
    await page.close();

    const reference = await openPage(browser);
    await reference.goto(`${origin}/function/crud/healthz`);
    referenceTimes.push(
      await reference.evaluate(
        (src) =>
          new Promise<number>((resolve) => {
            const audio = new Audio();
            audio.preload = 'none';
            audio.src = src;
            const started = performance.now();
            audio.addEventListener('playing', () => resolve(performance.now() - started), { once: true });
            void audio.play();
          }),
        `${origin}/function/stream/tracks/${track.id}/original`,
      ),
    );
    await reference.close();
  }

  const segue = median(segueTimes);
  const reference = median(referenceTimes);
  console.log(`\nclick to playing, median of ${RUNS} fresh page loads (loopback, Chromium):`);
  console.log(`  web player (hls.js):        ${segue.toFixed(0)} ms   (max ${Math.max(...segueTimes).toFixed(0)} ms; goal ≤ ${GOAL_MS} ms)`);
  console.log(`  bare <audio src=original>:  ${reference.toFixed(0)} ms`);
  console.log(`  ratio player / bare:        ${(segue / Math.max(reference, 1)).toFixed(2)}`);
} finally {
  await close();
}
