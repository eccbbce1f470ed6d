import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ChecksumMismatchError, RESUMABLE_CHUNK_BYTES, Segue, type UploadProgress } from '@segue/api-client';
import { expect } from 'chai';
import { closeServer, listen } from '../../../functions/shared/http/listen.js';
import { type CrudHarness, startCrud } from '../../support/crud.js';
import { distinctCopy } from '../../support/fixtures.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';
import { freshDatabase, type TestDatabase, testDatabaseUri } from '../../support/database.js';
import { type FunctionProcess, startFunctionProcess } from '../../support/function-process.js';
import { mediaTools, sha256Of } from '../../support/media.js';
import { peakRssBytes } from '../../support/proc.js';
import { type ReplicaSwitch, replicaSwitch } from '../../support/replica-switch.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../../api-client/bin/segue.js', import.meta.url));
const MiB = 1024 * 1024;
/** 31 minutes of 96 kHz 24-bit stereo: 1.07 GB, as a long live recording is */
const DURATION_SEC = 31 * 60;


describe('the SDK: resumable uploads', function () {
  this.timeout(120_000);
  let harness: GatewayHarness;
  let segue: Segue;
  before(async () => {
    harness = await startGateway();
    segue = new Segue({ baseUrl: harness.origin });
  });
  after(() => harness.close());

  it('sends a file resumable when asked, with progress, and resolves with the same track as a direct upload', async () => {
    const file = await distinctCopy('plainWav');
    const { size } = await stat(file.path);
    const progress: UploadProgress[] = [];
    const track = await segue.tracks.create({ file: file.path, artist: 'Someone', resumable: true, wait: true, onProgress: (event) => progress.push(event) });
    expect(track).to.include({ status: 'ready', artist: 'Someone', duplicate: false });
    expect(track.source).to.include({ bytes: size, sha256: await sha256Of(file.path), filename: file.filename });
    expect(progress.at(-1)).to.deep.equal({ loaded: size, total: size });
    const again = await segue.tracks.create({ file: await readFile(file.path), resumable: true, filename: 'again.wav' });
    expect(again).to.include({ id: track.id, duplicate: true });
  });

  it('refuses to send a stream resumable, since it cannot be read again', async () => {
    const file = await distinctCopy('plainWav');
    const error = await segue.tracks.create({ file: createReadStream(file.path), resumable: true }).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(TypeError);
  });

  it('refuses a file whose bytes differ from the sha256 it was given, keeping nothing', async () => {
    const file = await distinctCopy('plainWav');
    const error = await segue.tracks.create({ file: file.path, resumable: true, sha256: '0'.repeat(64) }).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(ChecksumMismatchError);
    expect(await harness.database.uploads.countDocuments({ sha256: '0'.repeat(64) })).to.equal(0);
  });
});

describe('segue upload, stopped midway and run again', function () {
  this.timeout(180_000);
  let harness: CrudHarness;
  let server: Server;
  let gateway: ReplicaSwitch;
  let cache: string;

  before(async () => {
    harness = await startCrud();
    server = await listen(harness.crud.app, 0, '127.0.0.1');
    gateway = await replicaSwitch(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    cache = await mkdtemp(join(tmpdir(), 'segue-cli-cache-'));
  });
  after(async () => {
    await gateway.close();
    await closeServer(server);
    await harness.close();
    await rm(cache, { recursive: true, force: true });
  });

  const cli = (path: string) =>
    spawn(process.execPath, [CLI, 'upload', '--resumable', '--json', path], {
      env: { ...process.env, SEGUE_URL: gateway.origin, XDG_CACHE_HOME: cache },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('goes on from where the killed run stopped, sending only the rest', async () => {
    const file = await distinctCopy('longWav');
    const { size } = await stat(file.path);
    const first = cli(file.path);
    let killedAt = 0;
    gateway.onBodyBytes = (total) => {
      if (killedAt || total < size / 2) return;
      killedAt = total;
      first.kill('SIGKILL');
    };
    await once(first, 'exit');
    expect(killedAt, 'the first run was killed midway').to.be.above(0);
    gateway.onBodyBytes = undefined;
    // the first run's last bytes may reach the gateway after the kill
    await gateway.idle();
    const sentBefore = gateway.bodyBytes;

    const second = cli(file.path);
    let output = '';
    let errors = '';
    second.stdout.on('data', (data: Buffer) => (output += data.toString()));
    second.stderr.on('data', (data: Buffer) => (errors += data.toString()));
    // 'close', not 'exit': only then are stdout and stderr drained
    const [code] = (await once(second, 'close')) as [number | null];
    expect(code, `stdout:\n${output}\nstderr:\n${errors}`).to.equal(0);
    const [result] = JSON.parse(output) as Array<{ track: { id: string; source: { sha256: string } } }>;
    expect(result!.track.source.sha256).to.equal(await sha256Of(file.path));
    const resumedFrom = gateway.headOffsets.at(-1) ?? 0;
    expect(resumedFrom, 'the second run went on from what the first had stored').to.be.above(size / 2 - 8 * MiB);
    expect(gateway.bodyBytes - sentBefore, 'the second run sent only the rest').to.equal(size - resumedFrom);
    const remembered = JSON.parse(await readFile(join(cache, 'segue', 'uploads.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(remembered), 'a finished upload is forgotten').to.deep.equal([]);
  });
});

describe('a 1 GB resumable upload through the SDK, its replica killed halfway', function () {
  this.timeout(30 * 60_000);
  let dir: string;
  let wav: string;
  let size: number;
  let sha256: string;
  let database: TestDatabase;
  const replicas: FunctionProcess[] = [];
  let gateway: ReplicaSwitch | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'segue-gigabyte-'));
    wav = join(dir, 'live set.wav');
    // two tones, one a channel: deterministic, made in seconds
    const graph =
      `sine=f=440:d=${DURATION_SEC}:r=96000[left];sine=f=660:d=${DURATION_SEC}:r=96000[right];` +
      '[left][right]join=inputs=2:channel_layout=stereo[out]';
    await run(mediaTools.ffmpeg, ['-v', 'error', '-nostdin', '-y', '-filter_complex', graph, '-map', '[out]', '-fflags', '+bitexact', '-c:a', 'pcm_s24le', wav]);
    size = (await stat(wav)).size;
    sha256 = await sha256Of(wav);
    database = await freshDatabase();
  });
  after(async () => {
    await gateway?.close();
    for (const replica of replicas) replica.child.kill('SIGKILL');
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('resumes through another replica sending only the rest, and ends ready with the SHA-256 of the file', async () => {
    expect(size).to.be.greaterThan(1_000_000_000);
    const env = { MONGODB_URI: testDatabaseUri(), MONGODB_DB: database.name, SWEEP_INTERVAL_SECONDS: '0' };
    const [first, second] = await Promise.all([startFunctionProcess('crud', env), startFunctionProcess('crud', env)]);
    replicas.push(first!, second!);
    gateway = await replicaSwitch(first!.url);
    let killedAt: number | null = null;
    gateway.onBodyBytes = (total) => {
      if (killedAt !== null || total < size / 2) return;
      killedAt = total;
      first!.child.kill('SIGKILL');
      gateway!.target = second!.url;
    };
    const progress: UploadProgress[] = [];
    const segue = new Segue({ baseUrl: gateway.origin });
    const started = performance.now();
    const uploaded = await segue.tracks.create({ file: wav, retryDelays: [200, 1000, 2000], onProgress: (event) => progress.push(event) });
    const uploadSec = (performance.now() - started) / 1000;

    expect(killedAt, 'the first replica was killed midway').to.not.equal(null);
    const sentAgain = gateway.bodyBytes - size;
    const resumedFrom = gateway.headOffsets[0] ?? 0;
    expect(resumedFrom, 'it went on from where the first replica had got to').to.be.above(size / 2 - 32 * MiB);
    // what goes twice is what was on its way when the replica died: in the sockets' buffers, and the chunk it was writing
    expect(sentAgain, `${sentAgain} bytes were sent twice`).to.be.at.least(0).and.at.most(RESUMABLE_CHUNK_BYTES / 2);
    expect(progress.at(-1)).to.deep.equal({ loaded: size, total: size });
    expect(uploaded.duplicate).to.equal(false);

    const ready = await segue.tracks.waitUntilReady(uploaded.id, { timeout: 20 * 60_000 });
    expect(ready.source).to.include({ bytes: size, sha256, filename: 'live set.wav' });
    expect(ready.durationSec).to.be.closeTo(DURATION_SEC, 0.1);
    const readySec = (performance.now() - started) / 1000;
    const peakMiB = Math.round(peakRssBytes(second!.child.pid!) / MiB);
    // figures for the record, not assertions: the machine is shared
    console.log(
      `      ${(size / 1e9).toFixed(2)} GB: killed at ${((killedAt ?? 0) / 1e6).toFixed(0)} MB, resumed from ${(resumedFrom / 1e6).toFixed(0)} MB, sent again ${(sentAgain / MiB).toFixed(1)} MiB, ` +
        `uploaded and finished in ${uploadSec.toFixed(0)} s, ready after ${readySec.toFixed(0)} s, second replica peak RSS ${peakMiB} MiB`,
    );
    expect(peakMiB, 'the replica that finished it held the file on disk, not in memory').to.be.below(1024);
  });
});
