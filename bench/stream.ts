import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import supertest from 'supertest';
import which from 'which';
import { createApp as createCrudApp } from '../functions/crud/app.js';
import { openDatabase } from '../functions/local/embedded-database.js';
import { loadConfig } from '../functions/local/config.js';
import { createLogger } from '../functions/shared/logger.js';
import { connectDatabase } from '../functions/shared/storage/database.js';
import { fixture } from '../test/support/fixtures.js';
import { startFunctionProcess } from '../test/support/function-process.js';
import { freePort } from '../test/support/net.js';
import { buildBenchEntry, buildForBenchmark, median, run } from './support.js';

/**
 * The stream function against nginx serving the same bytes from disk, and
 * against its own routes mounted on Express (`stream-on-express.ts`), all
 * single-process (nginx with one worker) and pinned to the same CPU, loaded by
 * wrk (pinned to another) over loopback in the same run: requests per second
 * and p99 latency for a hot segment and for a media playlist.
 */
const DURATION = process.env.BENCH_SECONDS ?? '5';
/** rounds alternate between the servers, and the medians are compared, to even out a noisy machine */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = process.env.BENCH_CONNECTIONS ?? '32';

interface Load {
  requestsPerSecond: number;
  p99Ms: number;
}

function required(command: string): string {
  const path = which.sync(command, { nothrow: true });
  if (!path) throw new Error(`${command} is needed for this benchmark: apt-get install nginx-light wrk`);
  return path;
}

const milliseconds = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit]!;

/** Servers on one CPU, the load generator on another, so neither takes from the other. */
const SERVER_CPU = ['taskset', '-c', '1'];
const CLIENT_CPU = ['taskset', '-c', '0'];

async function load(url: string): Promise<Load> {
  const [command, ...args] = [...CLIENT_CPU, required('wrk'), '-t1', `-c${CONNECTIONS}`, `-d${DURATION}s`, '--latency', url];
  const { stdout } = await run(command!, args);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  if (!rate || !p99) throw new Error(`unexpected wrk output:\n${stdout}`);
  if (errors) throw new Error(`${errors[1]} failed responses from ${url}`);
  return { requestsPerSecond: Number(rate[1]), p99Ms: milliseconds(p99[1]!, p99[2]!) };
}

async function startNginx(root: string, work: string): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const config = join(work, 'nginx.conf');
  await writeFile(
    config,
    `worker_processes 1;
daemon off;
pid ${join(work, 'nginx.pid')};
error_log stderr error;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { audio/mp4 m4s mp4; application/vnd.apple.mpegurl m3u8; }
  client_body_temp_path ${work}/body; proxy_temp_path ${work}/proxy; fastcgi_temp_path ${work}/fastcgi;
  uwsgi_temp_path ${work}/uwsgi; scgi_temp_path ${work}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location ~ \\.m4s$ { add_header Cache-Control "public, max-age=31536000, immutable"; }
  }
}
`,
  );
  const [command, ...args] = [...SERVER_CPU, required('nginx'), '-c', config, '-p', work];
  const child = spawn(command!, args, { stdio: 'inherit' });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if ((await fetch(url).catch(() => undefined)) !== undefined) break;
    await sleep(100);
  }
  return { url, stop: () => child.kill('SIGQUIT') };
}

async function main() {
  required('wrk');
  required('nginx');
  await buildForBenchmark();
  const expressEntry = await buildBenchEntry('stream-on-express');
  const work = await mkdtemp(join(tmpdir(), 'segue-bench-stream-'));
  // nginx's workers drop to an unprivileged user, who must be able to read the files
  await chmod(work, 0o755);
  const logger = createLogger('warn', 'bench');
  const engine = await openDatabase(undefined, join(work, 'db'), logger);
  try {
    const database = await connectDatabase(engine.uri, 'bench');
    const config = loadConfig({ LOG_LEVEL: 'warn', TMPDIR: work, SECRETS_DIR: join(work, 'no-secrets') });
    const crud = createCrudApp({ config, database, logger });
    const file = await fixture('taggedMp3');
    const track = (await supertest(crud.app).post('/tracks?wait=true').attach('file', file.path, file.filename)).body;
    await crud.shutdown();

    const streamEnv = { MONGODB_URI: engine.uri, MONGODB_DB: 'bench', LOG_LEVEL: 'warn' };
    const stream = await startFunctionProcess('stream', streamEnv, { compiled: true, pinned: SERVER_CPU });
    const onExpress = await startFunctionProcess('stream', streamEnv, { entry: expressEntry, pinned: SERVER_CPU });
    const nginxRoot = join(work, 'www');
    const paths = { segment: `/tracks/${track.id}/a128/000001.m4s`, playlist: `/tracks/${track.id}/a128/index.m3u8` };
    for (const path of Object.values(paths)) {
      const response = await fetch(`${stream.url}${path}`);
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      const onExpressResponse = await fetch(`${onExpress.url}${path}`);
      if (!onExpressResponse.ok) throw new Error(`${path} on Express: ${onExpressResponse.status}`);
      await onExpressResponse.arrayBuffer();
      await mkdir(dirname(join(nginxRoot, path)), { recursive: true });
      await writeFile(join(nginxRoot, path), Buffer.from(await response.arrayBuffer()));
    }
    const nginx = await startNginx(nginxRoot, work);
    try {
      console.log(
        `stream: wrk (1 thread, ${CONNECTIONS} connections) on CPU 0, servers on CPU 1 (nginx with 1 worker); median of ${ROUNDS} alternating ${DURATION} s runs`,
      );
      const servers = { nginx: nginx.url, segue: stream.url, express: onExpress.url };
      for (const [name, path] of Object.entries(paths)) {
        const runs: Record<keyof typeof servers, Load[]> = { nginx: [], segue: [], express: [] };
        for (let round = 0; round < ROUNDS; round++) {
          for (const [server, url] of Object.entries(servers)) runs[server as keyof typeof servers].push(await load(`${url}${path}`));
        }
        const summary = (loads: Load[]) => ({
          requestsPerSecond: median(loads.map((entry) => entry.requestsPerSecond)),
          p99Ms: median(loads.map((entry) => entry.p99Ms)),
        });
        const nginxLoad = summary(runs.nginx);
        const segue = summary(runs.segue);
        const express = summary(runs.express);
        const ratio = (measured: Load, against: Load, reference: string) =>
          `${(measured.requestsPerSecond / against.requestsPerSecond).toFixed(2)} of ${reference}'s requests/s, p99 ${(measured.p99Ms / against.p99Ms).toFixed(2)}x`;
        console.log(`  ${name} (${path.split('/').slice(-2).join('/')})`);
        const line = (label: string, figures: Load) =>
          console.log(`    ${label.padEnd(18)} ${figures.requestsPerSecond.toFixed(0).padStart(7)} req/s   p99 ${figures.p99Ms.toFixed(2)} ms`);
        line('nginx', nginxLoad);
        line('segue', segue);
        line('segue on Express', express);
        console.log(`    ratio              segue: ${ratio(segue, nginxLoad, 'nginx')}`);
        console.log(`                       segue on Express: ${ratio(express, segue, 'segue')}`);
      }
    } finally {
      nginx.stop();
      await stream.stop();
      await onExpress.stop();
      await database.close();
    }
  } finally {
    await engine.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
