import { readFile, stat } from 'node:fs/promises';
import { expect } from 'chai';
import { RUNTIME_PACKAGES, type RuntimePackages } from '../../../functions/local/runtime-packages.js';
import type { Track } from '../../../functions/core/schemas/track.js';
import { type BuiltImages, type FunctionName, type RunningContainer, buildImagesOrSkip, podman, runContainer } from '../../support/containers.js';
import { freshDatabase, type TestDatabase, testDatabaseUri } from '../../support/database.js';
import { fixture } from '../../support/fixtures.js';
import { decodedDurationSec } from '../../support/media.js';
import { DRAIN_TEST_ENV, expectHandedBack, underWay, untilDraining } from '../../support/drain.js';
import { type Stack, readStack, waitForStatus } from '../../support/openfaas.js';

const API_KEY = 'container-test-key-0123456789abcdef01234';

describe('the images, built and run as containers', function () {
  // the first build of the images takes minutes; later ones reuse their layers
  this.timeout(1_200_000);
  let built: BuiltImages;
  let stack: Stack;
  let database: TestDatabase;
  let track: Track;

  before(async function () {
    built = await buildImagesOrSkip(this);
    stack = await readStack();
    database = await freshDatabase();
  });
  after(async () => {
    await database?.drop();
  });

  /** Runs one function's image for the length of `use`; its log is in the message of anything that fails. */
  async function withContainer(name: FunctionName, use: (container: RunningContainer) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
    const container = await runContainer(built.images[name], built.withWatchdog, stack.functions[name]!, {
      MONGODB_URI: testDatabaseUri(),
      MONGODB_DB: database.name,
      API_KEYS: API_KEY,
      LOG_LEVEL: 'warn',
      ...env,
    });
    try {
      await use(container);
    } catch (error) {
      (error as Error).message += `\n--- ${name} container log ---\n${await container.logs()}`;
      throw error;
    } finally {
      await container.stop();
    }
  }

  /** What every image promises: its HEALTHCHECK passes, it runs as uid 10001, and it writes nowhere but /tmp. */
  async function expectHealthyNonRootReadOnly(container: RunningContainer, readyPath: string): Promise<void> {
    await waitForStatus(`${container.url}${readyPath}`, 200);
    await podman(['healthcheck', 'run', container.name]);
    const { stdout } = await container.exec(['sh', '-c', 'id -u; touch /home/app/written 2>&1; touch /tmp/written && echo "/tmp is writable"']);
    expect(stdout.split('\n')).to.include.members(['10001', '/tmp is writable']);
    expect(stdout).to.match(/Read-only file system/);
  }

  it('crud: is healthy, and takes an upload until the track is ready', async () => {
    await withContainer('crud', async (crud) => {
      await expectHealthyNonRootReadOnly(crud, '/healthz');
      const file = await fixture('taggedMp3');
      const response = await fetch(`${crud.url}/tracks?wait=true`, {
        method: 'POST',
        headers: { 'Content-Type': 'audio/mpeg', 'X-Filename': file.filename, Authorization: `Bearer ${API_KEY}` },
        body: await readFile(file.path),
      });
      const body = await response.json();
      expect(response.status, JSON.stringify(body)).to.equal(201);
      expect(body.status).to.equal('ready');
      expect(body.source.bytes).to.equal((await stat(file.path)).size);
      track = body;
      const metrics = await (await fetch(crud.metricsUrl)).text();
      expect(metrics).to.match(/^segue_uploads_total\{outcome="accepted"\} 1$/m);
      expect(metrics).to.match(/^segue_jobs_finished_total\{outcome="ready"\} 1$/m);
    });
  });

  it('stream: is healthy, and plays the track: ffmpeg decodes its HLS to the length of the source', async () => {
    await withContainer('stream', async (stream) => {
      await expectHealthyNonRootReadOnly(stream, '/healthz');
      const decoded = await decodedDurationSec(`${stream.url}/tracks/${track.id}/master.m3u8`);
      expect(decoded).to.be.closeTo(track.durationSec, 0.05);
      expect(track.durationSec).to.be.closeTo(14, 0.05);
    });
  });

  it("web: is healthy, and serves the player and a track's share page", async () => {
    await withContainer('web', async (web) => {
      await expectHealthyNonRootReadOnly(web, '/');
      const share = await fetch(`${web.url}/t/${track.id}`);
      expect(share.status).to.equal(200);
      expect(await share.text()).to.contain('<base href="/function/web/"');
    });
  });

  it('each holds the packages its server imports (runtime-packages.json) with what they depend on, and nothing else', async () => {
    const listed = JSON.parse(await readFile(RUNTIME_PACKAGES, 'utf8')) as RuntimePackages;
    for (const name of ['crud', 'stream', 'web'] as const) {
      // npm ls fails on a package missing, and on one nothing depends on (extraneous)
      const { stdout } = await podman(['run', '--rm', '--network', 'host', '--health-interval', 'disable', built.images[name], 'npm', 'ls', '--omit=dev', '--depth=0', '--json']);
      expect(Object.keys((JSON.parse(stdout) as { dependencies?: object }).dependencies ?? {}).sort(), name).to.deep.equal(listed[name]);
    }
  });

  it('crud: deletes the track, after which the stream has nothing to play', async () => {
    await withContainer('crud', async (crud) => {
      await waitForStatus(`${crud.url}/healthz`, 200);
      const removed = await fetch(`${crud.url}/tracks/${track.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${API_KEY}` } });
      expect(removed.status).to.equal(204);
    });
    await withContainer('stream', async (stream) => {
      await waitForStatus(`${stream.url}/healthz`, 200);
      expect((await fetch(`${stream.url}/tracks/${track.id}/master.m3u8`)).status).to.equal(404);
    });
  });

  it('crud: sent SIGTERM during an upload and a ?wait=true call, answers both, sends new uploads away and exits 0', async () => {
    await withContainer(
      'crud',
      async (crud) => {
        await waitForStatus(`${crud.url}/healthz`, 200);
        const { waiting, arriving, another } = await underWay(crud.url, database, { Authorization: `Bearer ${API_KEY}` });

        await podman(['kill', '--signal', 'TERM', crud.name]);
        await untilDraining(crud.url);
        const refused = await another();
        expect([refused.status, refused.body.error.code]).to.deep.equal([503, 'shutting_down']);
        const waited = await waiting;
        expect([waited.status, waited.body.status], 'answered, for the client to poll').to.deep.equal([202, 'processing']);
        expect((await arriving).status, 'the upload under way was accepted').to.equal(202);
        const { stdout } = await podman(['wait', crud.name]);
        expect(stdout.trim(), 'its exit status').to.equal('0');
        await expectHandedBack(database);
      },
      DRAIN_TEST_ENV,
    );
  });
});
