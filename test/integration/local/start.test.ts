import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { startService } from '../../support/npm-start.js';

describe('npm start', function () {
  this.timeout(120_000);
  let dataDir: string;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'segue-start-'));
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs on the embedded database, prints a mongodb:// URI a client can use, and stops it on Ctrl-C', async () => {
    const env: Record<string, string | undefined> = { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    delete env.MONGODB_URI;
    const started = await startService(env);
    child = started.child;
    const { base, lines } = started;

    const uri = /database: (mongodb:\/\/127\.0\.0\.1:\d+\/) \(mongo-java-server/.exec(lines.join('\n'))?.[1];
    expect(uri, lines.join('\n')).to.be.a('string');
    expect((await fetch(`${base}/function/crud/healthz`)).status).to.equal(200);
    const client = new MongoClient(uri!, { serverSelectionTimeoutMS: 2000 });
    try {
      expect(await client.db('segue').command({ ping: 1 })).to.include({ ok: 1 });
    } finally {
      await client.close();
    }

    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited, 'a clean exit').to.equal(0);
    const after = new MongoClient(uri!, { serverSelectionTimeoutMS: 500 });
    try {
      await after.db('segue').command({ ping: 1 }).then(
        () => expect.fail('the embedded database should have stopped with npm start'),
        (error: Error) => expect(error.name).to.equal('MongoServerSelectionError'),
      );
    } finally {
      await after.close();
    }
  });
});
