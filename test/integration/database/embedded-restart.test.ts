import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { pino } from 'pino';
import { EmbeddedDatabase, type EmbeddedDatabaseOptions } from '../../../functions/local/embedded-database.js';
import { createLogger } from '../../../functions/shared/logger.js';
import { connectDatabase, type ConnectOptions } from '../../../functions/shared/storage/database.js';
import { type CrudHarness, expectReadyWithCompleteRenditions, startCrud } from '../../support/crud.js';
import type { TestDatabase } from '../../support/database.js';
import { fixture } from '../../support/fixtures.js';

/** Polls until `check` holds, failing after `withinMs`; answers how long it took. */
async function timeUntil(check: () => Promise<boolean>, withinMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > withinMs) throw new Error(`${what} did not happen within ${withinMs} ms`);
    await sleep(100);
  }
  return Date.now() - started;
}

describe('the embedded database on a machine without Java', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('does not start, and says what to install or configure instead', async () => {
    process.env.PATH = '/nonexistent';
    const dataDir = await mkdtemp(join(tmpdir(), 'segue-embedded-'));
    try {
      await EmbeddedDatabase.start(dataDir, createLogger('silent', 'embedded-test')).then(
        () => expect.fail('it should not start without Java'),
        (error: Error) => {
          expect(error.message).to.contain('Java 17 or newer');
          expect(error.message).to.contain('apt-get install default-jdk-headless maven');
          expect(error.message).to.contain('MONGODB_URI');
        },
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * The embedded database itself, whatever MONGODB_URI says: these tests kill
 * its process, so each starts one of its own.
 */
describe('the embedded database when its process dies or hangs', function () {
  this.timeout(180_000);
  let dataDir: string;
  let engine: EmbeddedDatabase;
  const connections: Array<{ close(): Promise<void> }> = [];

  async function startEngine(options: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
    engine = await EmbeddedDatabase.start(dataDir, createLogger('silent', 'embedded-test'), options);
    return engine;
  }

  async function connect(options: ConnectOptions = {}): Promise<TestDatabase> {
    const connected = await connectDatabase(engine.uri, 'segue', options);
    connections.push(connected);
    return { ...connected, name: 'segue', drop: () => connected.close() };
  }

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'segue-embedded-'));
  });

  afterEach(async () => {
    for (const connection of connections.splice(0)) await connection.close();
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every write it acknowledged, before and after a SIGKILL', async () => {
    await startEngine();
    const database = await connect();
    const notes = database.db.collection<{ _id: number }>('notes');
    const acknowledged: number[] = [];
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        try {
          await notes.insertOne({ _id: n });
          acknowledged.push(n);
        } catch {
          // not acknowledged: the server died under it
          await sleep(10);
        }
      }
    })();
    const killed = engine.pid!;
    try {
      await timeUntil(async () => acknowledged.length >= 200, 10_000, '200 acknowledged writes');
      process.kill(killed, 'SIGKILL');
      await timeUntil(() => database.ping().then(() => true), 10_000, 'the restart');
      const afterRestart = acknowledged.length;
      await timeUntil(async () => acknowledged.length >= afterRestart + 200, 10_000, '200 more acknowledged writes');
    } finally {
      writing = false;
      await writer;
    }

    expect(engine.pid, 'a new process serves the same URI').to.not.equal(killed);
    const stored = (await notes.find({}).toArray()).map((note) => note._id);
    expect(stored).to.include.members(acknowledged);
  });

  it('kills a process that stops answering, and starts it again', async () => {
    await startEngine({ livenessIntervalMs: 500 });
    const database = await connect();
    await database.db.collection('notes').insertOne({ _id: 'before' } as never);
    const hung = engine.pid!;
    process.kill(hung, 'SIGSTOP');
    const back = await timeUntil(async () => engine.pid !== hung && (await database.ping().then(() => true)), 20_000, 'a new process');
    expect(back, 'three unanswered pings, then a restart').to.be.above(1000);
    expect(await database.db.collection('notes').countDocuments({ _id: 'before' } as never)).to.equal(1);
  });

  describe('with the crud function on it', () => {
    let crud: CrudHarness | undefined;
    afterEach(async () => {
      await crud?.close();
      crud = undefined;
    });

    it('is serving again within 10 s of a SIGKILL mid-ingest, and the interrupted track still ends ready', async () => {
      await startEngine();
      const database = await connect();
      crud = await startCrud({}, database);
      const short = await fixture('oneSecondWav');
      const before = await crud.http.post('/tracks?wait=true').attach('file', short.path, short.filename);
      expect(before.body.status).to.equal('ready');

      const file = await fixture('longWav');
      const created = await crud.http.post('/tracks').attach('file', file.path, file.filename);
      expect(created.status).to.equal(202);
      await timeUntil(async () => (await database.segments.countDocuments({ trackId: created.body.id })) > 0, 60_000, 'a stored segment');

      process.kill(engine.pid!, 'SIGKILL');
      const downFor = await timeUntil(async () => (await crud!.http.get('/healthz')).status === 200, 10_000, 'healthz 200');
      expect(downFor).to.be.below(10_000);

      await crud.crud.processor.whenSettled(created.body.id);
      await expectReadyWithCompleteRenditions(crud, created.body.id, file.durationSec);
      await expectReadyWithCompleteRenditions(crud, before.body.id, short.durationSec);
    });

    it('lets a job that finds the database gone wait for it, and finish once it is back', async () => {
      const { port } = new URL((await startEngine()).uri);
      // a short wait for the server, so the job's writes fail while it is away instead of waiting it out
      const database = await connect({ serverSelectionTimeoutMS: 250 });
      const logged: Array<{ msg: string }> = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
      crud = await startCrud({}, database, logger);

      const file = await fixture('longWav');
      const created = await crud.http.post('/tracks').attach('file', file.path, file.filename);
      expect(created.status).to.equal(202);
      await engine.stop();
      await timeUntil(
        async () => logged.some((line) => line.msg === 'the database went away during a job; starting over once it answers'),
        60_000,
        'the job noticing',
      );
      await startEngine({ port: Number(port) });

      await crud.crud.processor.whenSettled(created.body.id);
      await expectReadyWithCompleteRenditions(crud, created.body.id, file.durationSec);
    });
  });
});
