import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import supertest from 'supertest';
import { EmbeddedDatabase } from '../../../functions/local/embedded-database.js';
import { createGateway, type Gateway } from '../../../functions/local/gateway.js';
import { closeServer, listen } from '../../../functions/shared/http/listen.js';
import { createLogger } from '../../../functions/shared/logger.js';
import type { Track } from '../../../functions/core/schemas/track.js';
import { connectDatabase, type Database } from '../../../functions/shared/storage/database.js';
import { testConfig } from '../../support/config.js';
import { type Fixture, type FixtureName, fixture } from '../../support/fixtures.js';
import { mediaTools, sha256Of } from '../../support/media.js';
import { freePort } from '../../support/net.js';
import { REPO } from '../../support/openfaas.js';

const run = promisify(execFile);
const SCRIPTS = join(REPO, 'scripts/backup');
const DB_NAME = 'segue';
const TOLERANCE_SEC = 0.05;
const PCM = { rate: 48000, bytesPerSecond: 48000 * 2 };

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the backup scripts; a non-zero exit is an answer like any other. */
async function script(path: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ScriptRun> {
  try {
    const { stdout, stderr } = await run('bash', [path, ...args], { env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof code !== 'number') throw error;
    return { code, stdout: stdout ?? '', stderr: stderr ?? '' };
  }
}

/** mongodump and mongorestore, found as the scripts find them; a suite without them is skipped, saying why. */
async function mongoToolsOrSkip(context: Mocha.Context): Promise<void> {
  const found = await script('-c', ['source "$0" && mongo_tool mongodump && mongo_tool mongorestore', join(SCRIPTS, 'mongo-tools.sh')]);
  if (found.code === 0) return;
  console.warn(`      skipped: ${found.stderr.trim()}`);
  context.skip();
}

/** The whole decoded stream of one rendition, as 48 kHz mono 16-bit samples. */
async function decodedPcm(master: string, audioStream: number): Promise<Buffer> {
  const { stdout } = await run(
    mediaTools.ffmpeg,
    ['-v', 'error', '-nostdin', '-i', master, '-map', `0:a:${audioStream}`, '-ac', '1', '-ar', String(PCM.rate), '-f', 's16le', '-'],
    { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout;
}

interface Library {
  origin: string;
  database: Database;
  http: ReturnType<typeof supertest>;
  close(): Promise<void>;
}

/** Both functions behind the local gateway on a loopback port, serving the library in `uri`. */
async function serveLibrary(uri: string): Promise<Library> {
  const { config, tmpDir } = await testConfig();
  const database = await connectDatabase(uri, DB_NAME);
  const gateway: Gateway = createGateway({ config, database, logger: createLogger(config.logLevel, 'backup-test') });
  const server: Server = await listen(gateway.app, 0, '127.0.0.1');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    database,
    http: supertest(origin),
    close: async () => {
      await gateway.crud.shutdown();
      await closeServer(server);
      await database.close();
      await rm(tmpDir, { recursive: true, force: true });
    },
  };
}

/** Documents in every collection of the library, as mongodump names them. */
async function documentCounts(database: Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { name } of await database.db.listCollections({}, { nameOnly: true }).toArray()) {
    counts[name] = await database.db.collection(name).countDocuments();
  }
  return counts;
}

/** The names of the databases a server holds, leaving out the server's own. */
async function databasesOn(uri: string): Promise<string[]> {
  const client = await MongoClient.connect(uri);
  try {
    const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
    return databases.map(({ name }) => name).filter((name) => !['admin', 'config', 'local'].includes(name));
  } finally {
    await client.close();
  }
}

describe('scripts/backup/ without the MongoDB Database Tools', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'segue-backup-missing-'));
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  it('backup.sh and restore.sh refuse, naming the tool and how to get it, and write nothing', async function () {
    // a copy of the scripts, away from the project's build of the tools, on a PATH of the system's own
    const PATH = '/usr/bin:/bin';
    if (['mongodump', 'mongorestore'].some((tool) => PATH.split(':').some((dir) => existsSync(join(dir, tool))))) this.skip();
    const copy = join(scratch, 'scripts/backup');
    await mkdir(copy, { recursive: true });
    for (const file of ['mongo-tools.sh', 'backup.sh', 'restore.sh']) await copyFile(join(SCRIPTS, file), join(copy, file));
    const env = { PATH, HOME: scratch };

    const backup = await script(join(copy, 'backup.sh'), ['mongodb://127.0.0.1:9/segue', join(scratch, 'segue.archive.gz')], env);
    expect(backup.code, backup.stderr).to.equal(127);
    expect(backup.stderr).to.contain('mongodump: not found. Install the MongoDB Database Tools');
    expect(backup.stderr).to.contain('MONGO_TOOLS_SOURCES=');
    const restore = await script(join(copy, 'restore.sh'), ['mongodb://127.0.0.1:9/', join(scratch, 'segue.archive.gz')], env);
    expect(restore.code, restore.stderr).to.equal(127);
    expect(restore.stderr).to.contain('mongorestore: not found');
    expect(await readdir(scratch)).to.deep.equal(['scripts']);
  });
});

describe('a library backed up with backup.sh, restored with restore.sh into an empty database server, and played', function () {
  this.timeout(300_000);
  const sources: FixtureName[] = ['taggedMp3', 'hiresFlac'];
  // database servers of this suite's own, whatever MONGODB_URI says: the restore must start from nothing.
  // Quiet: the tools ask for `atlasVersion`, which the embedded database answers with a logged stack trace.
  const dbLogger = createLogger('error', 'backup-test-db');
  let scratch: string;
  let sourceServer: EmbeddedDatabase | undefined;
  let targetServer: EmbeddedDatabase | undefined;
  let source: Library | undefined;
  let restored: Library | undefined;
  let archive: string;
  const tracks: { track: Track; file: Fixture }[] = [];

  before(async function () {
    await mongoToolsOrSkip(this);
    scratch = await mkdtemp(join(tmpdir(), 'segue-backup-'));
    archive = join(scratch, 'segue.archive.gz');
    sourceServer = await EmbeddedDatabase.start(join(scratch, 'source'), dbLogger);
    source = await serveLibrary(sourceServer.uri);
    for (const name of sources) {
      const file = await fixture(name);
      const response = await source.http.post('/function/crud/tracks?wait=true').attach('file', file.path, file.filename);
      expect(response.status, JSON.stringify(response.body)).to.equal(201);
      expect(response.body.status).to.equal('ready');
      tracks.push({ track: response.body as Track, file });
    }
  });
  after(async () => {
    await restored?.close();
    await source?.close();
    await targetServer?.stop();
    await sourceServer?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('backup.sh writes the library into one gzipped archive and says what it wrote, every document counted', async () => {
    const result = await script(join(SCRIPTS, 'backup.sh'), [`${sourceServer!.uri}${DB_NAME}`, archive]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(new RegExp(`^backup: wrote ${archive}, \\d+ bytes, sha256 ${await sha256Of(archive)}, in [\\d.]+ s$`, 'm'));
    expect((await readFile(archive)).subarray(0, 2)).to.deep.equal(Buffer.from([0x1f, 0x8b]));
    expect(await readdir(scratch), 'no partial archive left beside it').to.have.members(['source', 'segue.archive.gz']);
    for (const [collection, count] of Object.entries(await documentCounts(source!.database))) {
      expect(result.stderr).to.match(new RegExp(`done dumping \`${DB_NAME}\\.${collection.replace('.', '\\.')}\` \\(${count} documents?\\)`));
    }
  });

  it('restore.sh restores every document of it into a database server that held nothing', async () => {
    targetServer = await EmbeddedDatabase.start(join(scratch, 'target'), dbLogger);
    expect(await databasesOn(targetServer.uri)).to.deep.equal([]);

    const result = await script(join(SCRIPTS, 'restore.sh'), [targetServer.uri, archive]);
    expect(result.code, result.stderr).to.equal(0);
    const total = Object.values(await documentCounts(source!.database)).reduce((sum, count) => sum + count, 0);
    expect(result.stderr).to.contain(`${total} document(s) restored successfully. 0 document(s) failed to restore.`);
    expect(result.stdout).to.match(/^restore: done in [\d.]+ s$/m);
    expect(await databasesOn(targetServer.uri)).to.deep.equal([DB_NAME]);
    restored = await serveLibrary(targetServer.uri);
    expect(await documentCounts(restored.database)).to.deep.equal(await documentCounts(source!.database));
  });

  it('lists the same tracks, each the same as before, cover art included', async () => {
    const before = (await source!.http.get('/function/crud/tracks')).body;
    expect((await restored!.http.get('/function/crud/tracks')).body).to.deep.equal(before);
    expect(before.data).to.have.length(sources.length);
    for (const { track } of tracks) {
      expect((await restored!.http.get(`/function/crud/tracks/${track.id}`)).body).to.deep.equal(track);
      if (!track.hasCover) continue;
      const cover = await restored!.http.get(`/function/stream/tracks/${track.id}/cover`).buffer(true);
      expect(cover.status).to.equal(200);
      expect(Buffer.isBuffer(cover.body) && cover.body.length > 0, 'a cover image').to.equal(true);
      expect(cover.body).to.deep.equal((await source!.http.get(`/function/stream/tracks/${track.id}/cover`).buffer(true)).body);
    }
  });

  it('plays each restored track: ffmpeg decodes every rendition to the length of the source within 50 ms, sample for sample as before', async () => {
    for (const { track, file } of tracks) {
      expect(track.renditions.length).to.be.above(0);
      for (let index = 0; index < track.renditions.length; index++) {
        const played = await decodedPcm(`${restored!.origin}/function/stream/tracks/${track.id}/master.m3u8`, index);
        const label = `${file.filename}, rendition ${index}`;
        expect(played.length / PCM.bytesPerSecond, label).to.be.closeTo(file.durationSec, TOLERANCE_SEC);
        const playedBefore = await decodedPcm(`${source!.origin}/function/stream/tracks/${track.id}/master.m3u8`, index);
        expect(played.equals(playedBefore), `${label} decodes to the samples it decoded to before the backup`).to.equal(true);
      }
    }
  });

  it('serves each original byte for byte as it was uploaded', async () => {
    for (const { track, file } of tracks) {
      const response = await fetch(`${restored!.origin}/function/stream/tracks/${track.id}/original`);
      expect(response.status).to.equal(200);
      const body = Buffer.from(await response.arrayBuffer());
      expect(body.equals(await readFile(file.path)), file.filename).to.equal(true);
    }
  });

  it('a backup that cannot reach its database fails, leaving no archive behind and no password in its output', async () => {
    const unreachable = join(scratch, 'unreachable.archive.gz');
    const uri = `mongodb://segue-backup:never-printed-${process.pid}@127.0.0.1:${await freePort()}/${DB_NAME}?authSource=admin`;
    // mongo-tools 100.18.0 reads a URI's serverSelectionTimeoutMS as seconds; its own option is in seconds
    const result = await script(join(SCRIPTS, 'backup.sh'), [uri, unreachable, '--serverSelectionTimeout=2']);
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.match(/Failed: can't create session: failed to connect to mongodb:\/\/segue-backup@127\.0\.0\.1/);
    expect(result.stdout).to.contain('mongodb://segue-backup:****@127.0.0.1');
    expect(result.stdout + result.stderr).not.to.contain('never-printed');
    expect((await readdir(scratch)).filter((entry) => entry.startsWith('unreachable'))).to.deep.equal([]);
  });

  it('restore.sh refuses an archive that is not there', async () => {
    const result = await script(join(SCRIPTS, 'restore.sh'), [targetServer!.uri, join(scratch, 'no-such.archive.gz')]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(`restore: no archive to read at ${join(scratch, 'no-such.archive.gz')}`);
  });
});
