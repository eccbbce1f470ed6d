import { join } from 'node:path';
import { Segue } from '@segue/api-client';
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { run, startWebStack } from './support.js';

/**
 * Lighthouse's mobile profile (a mid-range phone, simulated slow 4G and a
 * 4× slower CPU) on the pages a link opened on a phone lands on: the share
 * page of a track with a 1,400 px cover, and a playlist of three such tracks.
 * Goals: performance ≥ 95, accessibility 100 on both. Lighthouse simulates the throttling from one unthrottled load.
 */
const GOALS = { performance: 95, accessibility: 100 };
const CHROMIUM_FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const METRICS = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'] as const;

const { work, origin, close } = await startWebStack('lighthouse');
const chrome = await launch({ chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', chromeFlags: CHROMIUM_FLAGS });

async function audit(url: string): Promise<void> {
  const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'] });
  if (!result) throw new Error(`Lighthouse gave no result for ${url}`);
  const { categories, audits } = result.lhr;
  const score = (name: keyof typeof GOALS) => Math.round((categories[name]?.score ?? 0) * 100);
  console.log(`\n${url}`);
  for (const name of Object.keys(GOALS) as Array<keyof typeof GOALS>) console.log(`  ${name.padEnd(28)} ${String(score(name)).padStart(4)}   (goal ≥ ${GOALS[name]})`);
  for (const id of METRICS) console.log(`  ${audits[id]!.title.padEnd(28)} ${audits[id]!.displayValue}`);
  console.log(`  ${'transferred'.padEnd(28)} ${audits['total-byte-weight']!.displayValue}`);
  const nodes = (id: string) =>
    JSON.stringify(audits[id]?.details ?? {})
      .match(/"snippet":"((?:[^"\\]|\\.)*)"/g)
      ?.map((snippet) => snippet.slice(11, -1).replaceAll('\\"', '"')) ?? [];
  console.log(`  largest contentful paint: ${nodes('largest-contentful-paint-element')[0] ?? 'none'}`);
  for (const shifted of nodes('layout-shifts')) console.log(`  shifted: ${shifted}`);
  const requests = (audits['network-requests']?.details as { items?: Array<{ url: string; transferSize: number }> } | undefined)?.items ?? [];
  for (const request of requests) console.log(`    ${(request.transferSize / 1024).toFixed(1).padStart(7)} KiB  ${request.url.replace(origin, '')}`);
}

/** A three-minute MP3 with a 1,400 px cover, its pitch its own so that no two are the same file. */
async function trackWithCover(frequency: number): Promise<string> {
  const cover = join(work, `cover-${frequency}.png`);
  const source = join(work, `with-cover-${frequency}.mp3`);
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `mandelbrot=size=1400x1400:start_scale=${frequency / 100}`, '-frames:v', '1', cover]);
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=f=${frequency}:d=180`, '-i', cover, '-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame', '-b:a', '192k', '-c:v', 'copy', '-disposition:v', 'attached_pic', '-id3v2_version', '3', source]);
  return source;
}

try {
  const segue = new Segue({ baseUrl: origin });
  const tracks = [];
  for (const [index, frequency] of [330, 440, 550].entries()) {
    tracks.push(await segue.tracks.create({ file: await trackWithCover(frequency), title: `A share link opened on a phone, part ${index + 1}`, artist: 'Segue', wait: true }));
  }
  const playlist = await segue.playlists.create({ name: 'A playlist opened on a phone', trackIds: tracks.map((track) => track.id) });
  await audit(`${origin}/t/${tracks[0]!.id}`);
  await audit(`${origin}/p/${playlist.id}`);
} finally {
  await chrome.kill();
  await close();
}
