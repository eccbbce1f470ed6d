import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { buildWeb } from '../../../web/build.js';
import type { OpenfaasTool } from '../../../functions/local/openfaas-tools.js';
import type { Track } from '../../../functions/core/schemas/track.js';
import { freshDatabase, type TestDatabase, testDatabaseUri } from '../../support/database.js';
import { fixture } from '../../support/fixtures.js';
import { parseMaster, parseMedia } from '../../support/hls.js';
import {
  REPO,
  type RunningWatchdog,
  type Stack,
  openfaasToolsOrSkip,
  readStack,
  run,
  startWatchdog,
  waitForStatus,
} from '../../support/openfaas.js';
import { mediaTools } from '../../support/media.js';
import { DRAIN_TEST_ENV, expectHandedBack, rawUpload, underWay, untilDraining } from '../../support/drain.js';
import { exitOf, peakRssBytes } from '../../support/proc.js';

const API_KEY = 'watchdog-test-key-0123456789abcdef0123';
const AUTHORIZED = { Authorization: `Bearer ${API_KEY}` };
const MB = 1_000_000;

describe('of-watchdog in front of each function, as in the images', function () {
  this.timeout(600_000);
  let tools: Record<OpenfaasTool, string>;
  let stack: Stack;
  let database: TestDatabase;
  /** laid out like the images' /home/app: package.json, node_modules, dist/ and web/dist/ */
  let app: string;
  let scratch: string;
  let secrets: string;
  let track: Track;

  before(async function () {
    tools = await openfaasToolsOrSkip(this);
    stack = await readStack();
    scratch = await mkdtemp(join(tmpdir(), 'segue-watchdog-'));
    app = join(scratch, 'home-app');
    await mkdir(app);
    await copyFile(join(REPO, 'package.json'), join(app, 'package.json'));
    await symlink(join(REPO, 'node_modules'), join(app, 'node_modules'));
    // the images' build steps: `npm run build` (tsc) into dist/, and the web function's `npm run build:web`
    await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(app, 'dist')], { cwd: REPO });
    await buildWeb({ outDir: join(app, 'web/dist'), basePath: stack.functions.web!.build_args!.SEGUE_BASE_PATH! });
    database = await freshDatabase();
    // OpenFaaS mounts secrets as files; the functions read them from SECRETS_DIR
    secrets = join(scratch, 'secrets');
    await mkdir(secrets);
    await writeFile(join(secrets, 'mongodb-uri'), testDatabaseUri());
    await writeFile(join(secrets, 'api-keys'), `${API_KEY}\n`);
  });
  after(async () => {
    await database?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const start = async (name: 'crud' | 'stream' | 'web', env: Record<string, string> = {}) => {
    const tmp = await mkdtemp(join(scratch, `${name}-tmp-`));
    return startWatchdog(tools['of-watchdog'], stack.functions[name]!, {
      cwd: app,
      env: { SECRETS_DIR: secrets, MONGODB_DB: database.name, TMPDIR: tmp, LOG_LEVEL: 'warn', ...env },
    });
  };

  describe('crud', () => {
    let watchdog: RunningWatchdog;
    before(async () => {
      watchdog = await start('crud');
    });
    after(() => watchdog?.stop());

    it('is ready once its database answers (ready_path)', async () => {
      await waitForStatus(`${watchdog.url}/_/ready`, 200);
      expect((await fetch(`${watchdog.url}/healthz`)).status).to.equal(200);
    });

    it('takes an upload with ?wait=true and answers once it is ready', async () => {
      const file = await fixture('plainWav');
      const response = await rawUpload(`${watchdog.url}/tracks?wait=true`, file.path, file.filename, AUTHORIZED);
      expect(response.status, watchdog.output()).to.equal(201);
      expect(response.body.status).to.equal('ready');
      track = response.body as Track;
    });

    it('takes a 100 MB upload in bounded memory, within its timeouts', async function () {
      const path = join(scratch, 'hundred-megabytes.wav');
      // 16-bit stereo at 44.1 kHz is 176,400 bytes a second
      await run(mediaTools.ffmpeg, ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'anoisesrc=d=567:c=pink:a=0.2:seed=3:r=44100', '-ac', '2', '-c:a', 'pcm_s16le', path]);
      const size = (await stat(path)).size;
      expect(size).to.be.above(100 * MB);

      const started = Date.now();
      const response = await rawUpload(`${watchdog.url}/tracks?wait=true`, path, 'hundred megabytes.wav', AUTHORIZED);
      const seconds = (Date.now() - started) / 1000;
      const peak = peakRssBytes(watchdog.serverPid());
      console.log(`      100 MB through of-watchdog: ${seconds.toFixed(1)} s, crud peak RSS ${(peak / MB).toFixed(0)} MB`);
      expect(response.status, watchdog.output()).to.equal(201);
      expect(response.body.status).to.equal('ready');
      expect(response.body.source.bytes).to.equal(size);
      expect(peak).to.be.below(300 * MB);
    });
  });

  describe('stream', () => {
    let watchdog: RunningWatchdog;
    before(async () => {
      watchdog = await start('stream');
    });
    after(() => watchdog?.stop());

    it('serves the master playlist, a media playlist and its segments of the track uploaded through crud', async () => {
      const base = `${watchdog.url}/tracks/${track.id}`;
      await waitForStatus(`${base}/master.m3u8`, 200);
      const master = await fetch(`${base}/master.m3u8`);
      expect(master.headers.get('content-type')).to.match(/^application\/vnd\.apple\.mpegurl/);
      const variant = parseMaster(await master.text()).variants[0]!;
      const mediaUrl = new URL(variant.uri, `${base}/master.m3u8`);
      const media = parseMedia(await (await fetch(mediaUrl)).text());
      for (const uri of [media.segments[0]!.map!.uri, media.segments[0]!.uri]) {
        const segment = await fetch(new URL(uri, mediaUrl));
        expect(segment.status, uri).to.equal(200);
        expect(segment.headers.get('content-type'), uri).to.equal('audio/mp4');
        expect((await segment.arrayBuffer()).byteLength, uri).to.be.above(0);
      }
    });
  });

  describe('web', () => {
    let watchdog: RunningWatchdog;
    before(async () => {
      watchdog = await start('web');
    });
    after(() => watchdog?.stop());

    it('serves the player, and index.html for a share link', async () => {
      await waitForStatus(`${watchdog.url}/`, 200);
      const share = await fetch(`${watchdog.url}/t/${track.id}`);
      expect(share.status).to.equal(200);
      const html = await share.text();
      expect(html).to.contain('<base href="/function/web/"');
      const script = /<script type="module" src="([^"]+)"/.exec(html)![1]!;
      const app = await fetch(`${watchdog.url}/${script}`, { headers: { 'accept-encoding': 'br' } });
      expect([app.status, app.headers.get('content-type'), app.headers.get('content-encoding')]).to.deep.equal([200, 'text/javascript; charset=UTF-8', 'br']);
      expect((await fetch(`${watchdog.url}/no/such/page`)).status).to.equal(404);
    });
  });

  describe('crud sent SIGTERM (a rollout)', () => {
    let watchdog: RunningWatchdog;
    before(async () => {
      watchdog = await start('crud', DRAIN_TEST_ENV);
    });
    after(() => watchdog?.stop());

    it('listens on loopback only behind the watchdog', async () => {
      const hex = watchdog.serverPort.toString(16).toUpperCase().padStart(4, '0');
      const listening = async (table: string) =>
        (await readFile(table, 'utf8')).split('\n').slice(1).map((line) => line.trim().split(/\s+/)).filter((fields) => fields[1]?.endsWith(`:${hex}`) && fields[3] === '0A');
      expect((await listening('/proc/net/tcp')).map((fields) => fields[1])).to.deep.equal([`0100007F:${hex}`]);
      expect(await listening('/proc/net/tcp6'), 'nothing on IPv6, wildcard included').to.deep.equal([]);
    });

    it('finishes the upload under way and answers the ?wait=true call, sends new uploads away, and leaves within its grace period', async () => {
      const { waiting, arriving, another } = await underWay(watchdog.url, database, AUTHORIZED);
      const exited = exitOf(watchdog.child);
      const signalled = Date.now();
      watchdog.child.kill('SIGTERM');
      await untilDraining(watchdog.url);

      expect((await fetch(`${watchdog.url}/_/health`)).status, "the watchdog's probe fails at once").to.equal(503);
      const refused = await another();
      expect([refused.status, refused.body.error.code]).to.deep.equal([503, 'shutting_down']);
      const waited = await waiting;
      expect([waited.status, waited.body.status], watchdog.output()).to.deep.equal([202, 'processing']);
      const received = await arriving;
      expect(received.status, watchdog.output()).to.equal(202);
      const { code, at } = await exited;
      expect(code, watchdog.output()).to.equal(0);
      expect(at - signalled).to.be.within(2000, 10_000);
      await expectHandedBack(database);
    });
  });
});
