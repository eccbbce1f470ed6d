import { execFile } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { openDatabase } from '../functions/local/embedded-database.js';
import { createGateway } from '../functions/local/gateway.js';
import { loadConfig } from '../functions/local/config.js';
import { closeServer, listen } from '../functions/shared/http/listen.js';
import { createLogger } from '../functions/shared/logger.js';
import { connectDatabase } from '../functions/shared/storage/database.js';
import { launchBrowser } from '../test/support/browser.js';
import { jsonAnswer } from '../test/support/net.js';
import { buildWeb } from '../web/build.js';

export const run = promisify(execFile);

const REPO = fileURLToPath(new URL('../', import.meta.url));

/** Benchmarks measure what the image runs: the build, not the sources through tsx. */
export async function buildForBenchmark(): Promise<void> {
  await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
}

/**
 * A benchmark's own server entry (`bench/<name>.ts`), built beside the
 * functions' build (`dist/bench/<name>.js`, whose `../functions/…` imports are
 * that build) so that it runs compiled as they do; its path.
 */
export async function buildBenchEntry(name: string): Promise<string> {
  const outfile = join(REPO, 'dist', 'bench', `${name}.js`);
  await build({ entryPoints: [join(REPO, 'bench', `${name}.ts`)], outfile, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
  return outfile;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const started = process.hrtime.bigint();
  const result = await work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, result };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** CPU seconds a process has used, with those of its children it has waited for (ffmpeg runs). */
export async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
  return ticks / 100;
}

/** The value below which `fraction` of the values lie (nearest rank). */
export const percentile = (values: number[], fraction: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
};

/** A tone with pink noise over it: audio an encoder has real work on, made the same every time. */
export const noisyTone = (seconds: number) =>
  `sine=f=440:d=${seconds},aformat=channel_layouts=stereo[t];anoisesrc=d=${seconds}:c=pink:a=0.1:seed=3,aformat=channel_layouts=stereo[n];[t][n]amix=inputs=2[out]`;

export async function noisyToneMp3(path: string, seconds: number): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-filter_complex', noisyTone(seconds), '-map', '[out]', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '320k', path]);
}

/** Bytes of every file under `dir`. */
export async function directorySize(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(entries.filter((entry) => entry.isFile()).map((entry) => stat(join(entry.parentPath, entry.name))));
  return sizes.reduce((sum, { size }) => sum + size, 0);
}

export const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** POSTs a file as a raw body, streamed from disk, and resolves with the parsed reply. */
export function uploadRaw(baseUrl: string, path: string, mimeType: string): Promise<{ status: number; body: any }> {
  const url = new URL('/tracks?wait=true', baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': mimeType, 'Content-Length': statSync(path).size, 'X-Filename': basename(path) },
      },
      (response) => {
        jsonAnswer(response).then(resolve, reject);
      },
    );
    outgoing.on('error', reject);
    createReadStream(path).pipe(outgoing);
  });
}

export async function deleteTrack(baseUrl: string, id: string): Promise<void> {
  const response = await fetch(new URL(`/tracks/${id}`, baseUrl), { method: 'DELETE' });
  if (response.status !== 204) throw new Error(`delete answered ${response.status}`);
}

/**
 * The whole service as `npm start` runs it (crud, stream and the web player
 * behind one gateway, on the embedded database unless MONGODB_URI is set),
 * on loopback, with Chromium to drive the player.
 */
export async function startWebStack(name: string): Promise<{ work: string; origin: string; browser: Browser; close(): Promise<void> }> {
  const work = await mkdtemp(join(tmpdir(), `segue-bench-${name}-`));
  const logger = createLogger('warn', 'bench');
  const engine = await openDatabase(process.env.MONGODB_URI, join(work, 'db'), logger);
  const database = await connectDatabase(engine.uri, `segue_bench_${name}_${Date.now()}`);
  const config = loadConfig({ LOG_LEVEL: 'warn', TMPDIR: work, WRITE_RATE_LIMIT_PER_MINUTE: '0', SECRETS_DIR: join(work, 'none') });
  const webRoot = await buildWeb({ outDir: join(work, 'web') });
  const gateway = createGateway({ config, database, logger, webRoot });
  const server = await listen(gateway.app, 0, '127.0.0.1');
  const browser = await launchBrowser();
  return {
    work,
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    browser,
    close: async () => {
      await browser.close();
      await gateway.crud.shutdown();
      await closeServer(server);
      await database.db.dropDatabase();
      await database.close();
      await engine.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}
