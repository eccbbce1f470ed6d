import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { closeServer, listen } from '../../../functions/shared/http/listen.js';
import { ORIGINAL_CHUNK_BYTES, OriginalStore } from '../../../functions/shared/storage/original-store.js';
import { type CrudHarness, expectNothingStored, startCrud } from '../../support/crud.js';
import { fixture } from '../../support/fixtures.js';
import { dripUpload, piecesOf } from '../../support/net.js';
import { until } from '../../support/proc.js';

describe('the original of an upload, stored as it arrives', function () {
  this.timeout(60_000);
  let harness: CrudHarness;
  let server: Server;
  let wav: Buffer;

  before(async () => {
    wav = await readFile((await fixture('longWav')).path);
  });
  // a replica and a database of its own for each test: what one leaves cannot pass for another's
  beforeEach(async () => {
    harness = await startCrud();
    server = await listen(harness.crud.app, 0, '127.0.0.1');
  });
  afterEach(async () => {
    await closeServer(server);
    await harness.close();
  });

  const port = () => (server.address() as AddressInfo).port;
  const chunks = () => harness.database.originalChunks.countDocuments({});

  it('is in the database, chunk by chunk, before the last byte is in, and visible only once the track exists', async () => {
    const answered = dripUpload(port(), piecesOf(wav, 40), { gapMs: 50, declaredBytes: wav.length });
    await until(async () => (await chunks()) >= 4, 'chunks of the original are written while it arrives', 10_000);
    expect(await harness.database.originalFiles.countDocuments({}), 'no original is visible before its track exists').to.equal(0);
    expect(await harness.database.tracks.countDocuments({})).to.equal(0);
    expect(await harness.database.removals.countDocuments({ kind: 'upload' }), 'a note finds what is written so far').to.equal(1);

    const response = await answered;
    expect(response.status, JSON.stringify(response.body)).to.equal(202);
    expect(await chunks()).to.equal(Math.ceil(wav.length / ORIGINAL_CHUNK_BYTES));
    const original = await harness.database.originalFiles.findOne({ _id: response.body.id });
    expect(original).to.include({ length: wav.length });
    expect(original?.metadata.sha256).to.equal(response.body.source.sha256);
    expect(await harness.database.removals.countDocuments({}), 'the note goes once the track exists').to.equal(0);
    // read back as downloads read it, a chunk at a time by _id
    const originals = new OriginalStore(harness.database.originalFiles, harness.database.originalChunks);
    const digest = createHash('sha256');
    for await (const piece of originals.open(original!)) digest.update(piece as Buffer);
    expect(digest.digest('hex'), 'the original is the bytes sent').to.equal(createHash('sha256').update(wav).digest('hex'));
  });

  it('keeps its note young while chunks keep coming, so the sweeper leaves an upload of more than an hour alone', async () => {
    const answered = dripUpload(port(), piecesOf(wav, 60), { gapMs: 50, declaredBytes: wav.length });
    await until(async () => (await chunks()) >= 4, 'the first chunks are written', 10_000);
    // as if it had been arriving for two hours
    const longAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await harness.database.removals.updateMany({}, { $set: { since: longAgo } });
    await until(async () => ((await harness.database.removals.findOne({}))?.since ?? longAgo) > longAgo, 'the next chunks touch the note', 10_000);
    expect((await harness.crud.sweeper.sweep()).cleanedUp, 'a note that is still being touched is left alone').to.equal(0);

    const response = await answered;
    expect(response.status, JSON.stringify(response.body)).to.equal(202);
    expect(await chunks()).to.equal(Math.ceil(wav.length / ORIGINAL_CHUNK_BYTES));
  });

  it('leaves nothing when the client goes away midway', async () => {
    const { port: serverPort } = server.address() as AddressInfo;
    const { request } = await import('node:http');
    const sent = new Promise<void>((resolve) => {
      const outgoing = request({
        host: '127.0.0.1',
        port: serverPort,
        method: 'POST',
        path: '/tracks',
        headers: { 'Content-Type': 'audio/wav', 'Content-Length': wav.length, 'X-Filename': 'gone.wav' },
      });
      outgoing.on('error', () => resolve());
      outgoing.write(wav.subarray(0, 6 * ORIGINAL_CHUNK_BYTES), () => {
        until(async () => (await chunks()) >= 4, 'chunks written before the client goes', 10_000).then(() => {
          outgoing.destroy();
          resolve();
        });
      });
    });
    await sent;
    await until(async () => (await chunks()) === 0 && (await harness.database.removals.countDocuments({})) === 0, 'what was written is removed', 10_000);
    await expectNothingStored(harness);
  });
});
