import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { loadAll } from 'js-yaml';
import { MongoClient } from 'mongodb';
import supertest from 'supertest';
import { EmbeddedDatabase } from '../../../functions/local/embedded-database.js';
import { createGateway, type Gateway } from '../../../functions/local/gateway.js';
import { closeServer, listen } from '../../../functions/shared/http/listen.js';
import { createLogger } from '../../../functions/shared/logger.js';
import { escapeRegExp } from '../../../functions/shared/util/escape-regexp.js';
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
async function mongoToolsOrSkip(context: Mocha.Context): Promise<{ mongodump: string; mongorestore: string }> {
  const found = await script('-c', ['source "$0" && mongo_tool mongodump && mongo_tool mongorestore', join(SCRIPTS, 'mongo-tools.sh')]);
  if (found.code === 0) {
    const [mongodump, mongorestore] = found.stdout.trim().split('\n');
    return { mongodump: mongodump!, mongorestore: mongorestore! };
  }
  console.warn(`      skipped: ${found.stderr.trim()}`);
  context.skip();
}

/**
 * Puts in `dir` a stand-in for mongodump or mongorestore. It appends to `record` its arguments, the mode
 * and text of its --config file, and the command line of every process on the machine as it starts; then
 * it runs `real` with the same arguments or, without one, answers --version and writes a small gzip at
 * --archive.
 */
async function standIn(dir: string, tool: string, record: string, real?: string): Promise<void> {
  const stub = `[ "$1" != --version ] || { echo '${tool} version: stand-in'; exit 0; }
for arg in "$@"; do case $arg in --archive=*) echo stand-in | gzip >"\${arg#--archive=}" ;; esac; done`;
  const text = `#!/usr/bin/env bash
{
  printf 'argv:'; printf ' %s' "$@"; echo
  for arg in "$@"; do
    case $arg in --config=*) config=\${arg#--config=}; echo "config: $config $(stat -c %a "$config")"; sed 's/^/config text: /' "$config" ;; esac
  done
  for cmdline in /proc/[0-9]*/cmdline; do printf 'process: %s\\n' "$(tr '\\0' ' ' <"$cmdline" 2>/dev/null)"; done
} >>'${record}'
${real ? `exec '${real}' "$@"` : stub}
`;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, tool), text);
  await chmod(join(dir, tool), 0o755);
}

interface Recorded {
  /** the arguments of every call, and the command line of every process while it ran */
  commandLines: string[];
  configs: { path: string; mode: string; text: string }[];
}

async function recorded(record: string): Promise<Recorded> {
  const lines = (await readFile(record, 'utf8')).split('\n');
  const configs: Recorded['configs'] = [];
  for (const line of lines) {
    const config = /^config: (\S+) (\d+)$/.exec(line);
    if (config) configs.push({ path: config[1]!, mode: config[2]!, text: '' });
    else if (line.startsWith('config text: ')) configs.at(-1)!.text += `${line.slice('config text: '.length)}\n`;
  }
  return { commandLines: lines.filter((line) => /^(argv|process):/.test(line)), configs };
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

    const backup = await script(join(copy, 'backup.sh'), [join(scratch, 'segue.archive.gz')], { ...env, MONGODB_URI: 'mongodb://127.0.0.1:9/segue' });
    expect(backup.code, backup.stderr).to.equal(127);
    expect(backup.stderr).to.contain('mongodump: not found. Install the MongoDB Database Tools');
    expect(backup.stderr).to.contain('MONGO_TOOLS_SOURCES=');
    const restore = await script(join(copy, 'restore.sh'), [join(scratch, 'segue.archive.gz')], { ...env, MONGODB_URI: 'mongodb://127.0.0.1:9/' });
    expect(restore.code, restore.stderr).to.equal(127);
    expect(restore.stderr).to.contain('mongorestore: not found');
    expect(await readdir(scratch)).to.deep.equal(['scripts']);
  });
});

describe('scripts/backup/ and the connection string', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'segue-backup-uri-'));
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  it('backup.sh and restore.sh refuse a connection string on their command line, saying where it goes, and run nothing', async () => {
    const archive = join(scratch, 'segue.archive.gz');
    for (const name of ['backup.sh', 'restore.sh']) {
      const result = await script(join(SCRIPTS, name), ['mongodb://segue:secret@127.0.0.1:9/segue', archive]);
      expect(result.code, name).to.equal(2);
      expect(result.stderr, name).to.contain('the connection string goes in MONGODB_URI or a file named by MONGODB_URI_FILE, never on the command line');
      expect(result.stderr, name).to.contain(`usage: MONGODB_URI=<connection-string> ${join(SCRIPTS, name)} <archive>`);
      expect(result.stdout + result.stderr, name).not.to.contain('secret');
    }
    expect(await readdir(scratch)).to.deep.equal([]);
  });

  it('ask for MONGODB_URI or MONGODB_URI_FILE when given neither, and say when the file cannot be read', async () => {
    const { MONGODB_URI: _uri, MONGODB_URI_FILE: _file, ...env } = process.env;
    for (const name of ['backup.sh', 'restore.sh']) {
      const neither = await script(join(SCRIPTS, name), [join(scratch, 'segue.archive.gz')], env);
      expect([neither.code, neither.stderr.trim()], name).to.deep.equal([2, `${name.replace('.sh', '')}: set MONGODB_URI to the connection string, or MONGODB_URI_FILE to a file holding it`]);
      const unreadable = await script(join(SCRIPTS, name), [join(scratch, 'segue.archive.gz')], { ...env, MONGODB_URI_FILE: join(scratch, 'no-such-file') });
      expect(unreadable.code, name).to.equal(2);
      expect(unreadable.stderr, name).to.contain(`cannot read MONGODB_URI_FILE (${join(scratch, 'no-such-file')})`);
    }
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
  let tools: { mongodump: string; mongorestore: string };
  const tracks: { track: Track; file: Fixture }[] = [];

  before(async function () {
    tools = await mongoToolsOrSkip(this);
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
    // the connection string from a file, as the nightly CronJob gives it from its secret
    const connection = join(scratch, 'connection');
    await writeFile(connection, `${sourceServer!.uri}${DB_NAME}\n`, { mode: 0o600 });
    const result = await script(join(SCRIPTS, 'backup.sh'), [archive], { ...process.env, MONGODB_URI: '', MONGODB_URI_FILE: connection });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(new RegExp(`^backup: wrote ${archive}, \\d+ bytes, sha256 ${await sha256Of(archive)}, in [\\d.]+ s$`, 'm'));
    expect((await readFile(archive)).subarray(0, 2)).to.deep.equal(Buffer.from([0x1f, 0x8b]));
    expect(await readdir(scratch), 'no partial archive left beside it').to.have.members(['source', 'connection', 'segue.archive.gz']);
    for (const [collection, count] of Object.entries(await documentCounts(source!.database))) {
      expect(result.stderr).to.match(new RegExp(`done dumping \`${DB_NAME}\\.${collection.replace('.', '\\.')}\` \\(${count} documents?\\)`));
    }
  });

  it('restore.sh restores every document of it into a database server that held nothing', async () => {
    targetServer = await EmbeddedDatabase.start(join(scratch, 'target'), dbLogger);
    expect(await databasesOn(targetServer.uri)).to.deep.equal([]);

    const result = await script(join(SCRIPTS, 'restore.sh'), [archive], { ...process.env, MONGODB_URI: targetServer.uri, MONGODB_URI_FILE: '' });
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

  for (const [name, tool] of [
    ['backup.sh', 'mongodump'],
    ['restore.sh', 'mongorestore'],
  ] as const) {
    it(`${name} against a database it cannot reach fails, the password in no command line while ${tool} runs, nor in its output, nor left in a file`, async () => {
      // the real tool behind a stand-in that records every command line on the machine as it starts
      const bin = join(scratch, `${tool}-bin`);
      const record = join(scratch, `${tool}.record`);
      await standIn(bin, tool, record, tools[tool]);
      const password = `never-printed-${process.pid}`;
      const uri = `mongodb://segue-backup:${password}@127.0.0.1:${await freePort()}/${DB_NAME}?authSource=admin`;
      // restore.sh wants an archive there before it starts the tool
      const unreachable = join(scratch, `unreachable-${tool}.archive.gz`);
      if (name === 'restore.sh') await writeFile(unreachable, gzipSync(Buffer.alloc(0)));
      // mongo-tools 100.18.0 reads a URI's serverSelectionTimeoutMS as seconds; its own option is in seconds
      const env = { ...process.env, MONGODB_URI: uri, MONGODB_URI_FILE: '', MONGO_TOOLS_BIN: bin };
      const result = await script(join(SCRIPTS, name), [unreachable, '--serverSelectionTimeout=2'], env);
      const { commandLines, configs } = await recorded(record);
      expect(commandLines.filter((line) => line.includes(join(SCRIPTS, name))), 'the list holds the script itself').to.have.length.above(0);
      expect(commandLines.filter((line) => line.includes(password)), 'command lines holding the password').to.deep.equal([]);
      expect(result.code).to.not.equal(0);
      expect(result.stderr).to.match(/failed to connect to mongodb:\/\/segue-backup@127\.0\.0\.1/);
      if (tool === 'mongodump') expect(result.stderr).to.match(/Failed: can't create session: failed to connect/);
      expect(result.stdout).to.contain('mongodb://segue-backup:****@127.0.0.1');
      expect(result.stdout + result.stderr).not.to.contain(password);
      // the tool reads the connection from a file only its owner may read, gone once the script is
      expect(configs.map(({ mode }) => mode)).to.deep.equal(['600']);
      expect(configs[0]!.text).to.contain("uri: 'mongodb://segue-backup@127.0.0.1:").and.to.contain(`password: '${password}'`);
      expect(existsSync(configs[0]!.path)).to.equal(false);
      if (name === 'backup.sh') expect((await readdir(scratch)).filter((entry) => entry.startsWith(`unreachable-${tool}`)), 'no archive').to.deep.equal([]);
    });
  }

  it('restore.sh refuses an archive that is not there', async () => {
    const result = await script(join(SCRIPTS, 'restore.sh'), [join(scratch, 'no-such.archive.gz')], { ...process.env, MONGODB_URI: targetServer!.uri });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(`restore: no archive to read at ${join(scratch, 'no-such.archive.gz')}`);
  });
});

describe('the nightly CronJob (deploy/mongodb/backup-cronjob.yaml)', () => {
  interface Container {
    args: string[];
    env: { name: string; value: string }[];
    volumeMounts: { name: string; mountPath: string }[];
  }
  interface Volume {
    name: string;
    configMap?: { name: string; items: { key: string; path: string }[] };
  }
  let container: Container;
  let volumes: Volume[];
  let scratch: string;
  before(async () => {
    const documents = loadAll(await readFile(join(REPO, 'deploy/mongodb/backup-cronjob.yaml'), 'utf8')) as { kind?: string; spec?: any }[];
    const pod = documents.find((document) => document?.kind === 'CronJob')!.spec.jobTemplate.spec.template.spec as { containers: Container[]; volumes: Volume[] };
    [container] = pod.containers as [Container];
    volumes = pod.volumes;
    scratch = await mkdtemp(join(tmpdir(), 'segue-backup-cronjob-'));
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  const mountOf = (volume: string) => container.volumeMounts.find((mount) => mount.name === volume)!.mountPath;

  it('runs scripts/backup/backup.sh from the ConfigMap deploy/README.md makes of the scripts, and no mongodump of its own', async () => {
    const scripts = volumes.find((volume) => volume.configMap?.name === 'mongodb-backup-scripts')!.configMap!;
    // backup.sh, and what it sources
    const sourced = [...(await readFile(join(SCRIPTS, 'backup.sh'), 'utf8')).matchAll(/^source "\$\(dirname "\$0"\)\/(\S+)"$/gm)].map((match) => match[1]!);
    const needed = ['backup.sh', ...sourced];
    expect(sourced).to.deep.equal(['mongo-tools.sh']);
    expect(scripts.items.map(({ key, path }) => [key, path])).to.have.deep.members(needed.map((file) => [file, file]));
    const readme = await readFile(join(REPO, 'deploy/README.md'), 'utf8');
    const create = readme.split('\n').find((line) => line.includes(`create configmap ${scripts.name} `));
    expect([...(create ?? '').matchAll(/--from-file=scripts\/backup\/(\S+)/g)].map((match) => match[1]), 'the kubectl line in deploy/README.md').to.have.members(needed);

    const script = container.args[0]!;
    const scriptsMount = mountOf(volumes.find((volume) => volume.configMap === scripts)!.name);
    expect(script).to.contain(`bash ${scriptsMount}/backup.sh `);
    expect(script).not.to.match(/^\s*mongodump\b/m);
    expect(container.env).to.deep.include({ name: 'MONGODB_URI_FILE', value: `${mountOf('connection')}/uri` });
  });

  it("run here with a stand-in mongodump: the night's archive written through backup.sh, what a killed run left cleared, the newest BACKUPS_TO_KEEP kept", async () => {
    // each volume a folder here, its mount path replaced by that folder wherever the command and its environment name it
    const mounts = container.volumeMounts.toSorted((a, b) => b.mountPath.length - a.mountPath.length);
    const mounted = new RegExp(mounts.map(({ mountPath }) => escapeRegExp(mountPath)).join('|'), 'g');
    const local = (text: string) => text.replace(mounted, (path) => join(scratch, mounts.find(({ mountPath }) => mountPath === path)!.name));
    for (const { name } of container.volumeMounts) await mkdir(join(scratch, name), { recursive: true });
    await rm(join(scratch, 'scripts'), { recursive: true });
    await mkdir(join(scratch, 'scripts'));
    for (const file of ['backup.sh', 'mongo-tools.sh']) await copyFile(join(SCRIPTS, file), join(scratch, 'scripts', file));
    const password = `never-printed-${process.pid}`;
    await writeFile(join(scratch, 'connection/uri'), `mongodb://segue-backup:${password}@mongodb-0.mongodb.segue.svc.cluster.local:27017/?replicaSet=rs0&authSource=admin`);
    await writeFile(join(scratch, 'tls/ca.crt'), 'a CA\n');
    const older = ['20260101T033000Z', '20260102T033000Z', '20260103T033000Z'].map((time) => `segue-${time}.archive.gz`);
    for (const file of [...older, 'segue-20260104T033000Z.archive.gz.partial']) await writeFile(join(scratch, 'backups', file), 'an archive');
    const record = join(scratch, 'mongodump.record');
    await standIn(join(scratch, 'bin'), 'mongodump', record);

    const { MONGO_TOOLS_BIN: _bin, MONGODB_URI: _uri, ...inherited } = process.env;
    const env = {
      ...inherited,
      ...Object.fromEntries(container.env.map(({ name, value }) => [name, local(value)])),
      PATH: `${join(scratch, 'bin')}:${process.env.PATH}`,
      TMPDIR: join(scratch, 'tmp'),
    };
    const result = await script('-c', [local(container.args[0]!)], env);
    expect(result.code, result.stderr).to.equal(0);

    const kept = (await readdir(join(scratch, 'backups'))).sort();
    expect(kept, 'the newest three, tonight’s among them').to.have.length(3);
    expect(kept.slice(0, 2)).to.deep.equal(older.slice(1));
    expect(kept[2]).to.match(/^segue-\d{8}T\d{6}Z\.archive\.gz$/);
    expect(result.stdout).to.match(new RegExp(`^backup: wrote ${join(scratch, 'backups', kept[2]!)}, \\d+ bytes, sha256 [0-9a-f]{64}, in [\\d.]+ s$`, 'm'));
    const { commandLines, configs } = await recorded(record);
    const dump = commandLines.find((line) => line.startsWith('argv: --config='))!;
    expect(dump.split(' ').slice(2)).to.deep.equal([
      `--archive=${join(scratch, 'backups', kept[2]!)}.partial`,
      '--gzip',
      '--ssl',
      `--sslCAFile=${join(scratch, 'tls/ca.crt')}`,
      '--oplog',
    ]);
    expect(commandLines.filter((line) => line.includes(password))).to.deep.equal([]);
    expect(configs[0]!.text).to.contain(`password: '${password}'`);
    expect(await readdir(join(scratch, 'tmp')), 'the config file gone with the run').to.deep.equal([]);
  });
});
