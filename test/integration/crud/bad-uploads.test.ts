import { readdir, readFile } from 'node:fs/promises';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { closeServer, listen } from '../../../functions/shared/http/listen.js';
import { type CrudHarness, expectNothingStored, startCrud } from '../../support/crud.js';
import { fixture } from '../../support/fixtures.js';
import { jsonAnswer } from '../../support/net.js';
import { until } from '../../support/proc.js';

/** Streams `chunks` as a chunked request body and resolves with the response, even if it comes early. */
function streamUpload(server: Server, headers: Record<string, string>, chunks: Buffer[]) {
  const { port } = server.address() as AddressInfo;
  return new Promise<{ status: number; body: { error: { code: string } } }>((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/tracks', headers }, (response) => {
      jsonAnswer(response).then(resolve, reject);
    });
    request.on('error', reject);
    const writeNext = (index: number) => {
      if (index === chunks.length) return request.end();
      if (request.destroyed) return;
      request.write(chunks[index], () => setImmediate(() => writeNext(index + 1)));
    };
    writeNext(0);
  });
}

const LIMIT = 400 * 1024;

describe('POST /tracks with bad input', function () {
  this.timeout(60_000);
  let harness: CrudHarness;

  before(async () => {
    harness = await startCrud({ MAX_UPLOAD_BYTES: String(LIMIT) });
  });
  after(() => harness.close());
  afterEach(() => expectNothingStored(harness));

  const expectError = (response: { status: number; body: { error?: { code?: string } } }, status: number, code: string) => {
    expect(response.status, JSON.stringify(response.body)).to.equal(status);
    expect(response.body.error?.code).to.equal(code);
  };

  it('answers 400 empty_upload for an empty raw body', async () => {
    const response = await harness.http.post('/tracks').set('Content-Type', 'audio/mpeg').set('X-Filename', 'empty.mp3').send(Buffer.alloc(0));
    expectError(response, 400, 'empty_upload');
  });

  it('answers 400 empty_upload for an empty file in a form', async () => {
    const response = await harness.http.post('/tracks').attach('file', Buffer.alloc(0), 'empty.mp3');
    expectError(response, 400, 'empty_upload');
  });

  it('answers 415 for random bytes', async () => {
    const file = await fixture('randomBytes');
    expectError(await harness.http.post('/tracks').attach('file', file.path, file.filename), 415, 'unsupported_media_type');
  });

  it('answers 415 for text named .mp3', async () => {
    const file = await fixture('textAsMp3');
    expectError(await harness.http.post('/tracks').attach('file', file.path, file.filename), 415, 'unsupported_media_type');
  });

  it('answers 415 for a PNG image', async () => {
    const file = await fixture('cover');
    expectError(await harness.http.post('/tracks').attach('file', file.path, file.filename), 415, 'unsupported_media_type');
  });

  it('answers 422 truncated_audio for an MP3 cut short, naming both lengths, to an upload that waits', async () => {
    const file = await fixture('truncatedMp3');
    const response = await harness.http.post('/tracks?wait=true').attach('file', file.path, file.filename);
    expectError(response, 422, 'truncated_audio');
    expect(response.body.error.details.declaredDurationSec).to.be.closeTo(14, 0.1);
    expect(response.body.error.details.decodedDurationSec).to.be.below(7);
  });

  it('fails an MP3 cut short with truncated_audio once decoded, when the upload was answered at once', async () => {
    const file = await fixture('truncatedMp3');
    const accepted = await harness.http.post('/tracks').attach('file', file.path, file.filename);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(202);
    let track = accepted.body;
    await until(async () => (track = (await harness.http.get(`/tracks/${accepted.body.id}`)).body).status !== 'processing', 'the job ends');
    expect(track).to.deep.include({ status: 'failed', playable: false });
    expect(track.error.code).to.equal('truncated_audio');
    expect(await harness.database.segments.countDocuments({ trackId: track.id }), 'no segment is kept').to.equal(0);
    expect((await harness.http.delete(`/tracks/${track.id}`)).status).to.equal(204);
  });

  it('answers 415 for a raw body that is not audio/* or octet-stream', async () => {
    const response = await harness.http.post('/tracks').set('Content-Type', 'text/plain').send('hello');
    expectError(response, 415, 'unsupported_media_type');
  });

  it('answers 413 before reading a body whose Content-Length is over the limit', async () => {
    const response = await harness.http
      .post('/tracks')
      .set('Content-Type', 'audio/wav')
      .send(Buffer.alloc(LIMIT + 1, 1));
    expectError(response, 413, 'payload_too_large');
    expect(response.body.error.details.maxBytes).to.equal(LIMIT);
  });

  describe('streamed without a Content-Length', () => {
    let server: Server;
    before(async () => {
      server = await listen(harness.crud.app, 0, '127.0.0.1');
    });
    after(() => closeServer(server));

    it('answers 413 as soon as a raw upload passes the limit', async () => {
      const chunks = Array.from({ length: 64 }, () => Buffer.alloc(16 * 1024, 7));
      const response = await streamUpload(server, { 'Content-Type': 'audio/wav', 'Transfer-Encoding': 'chunked' }, chunks);
      expectError(response, 413, 'payload_too_large');
    });

    it('answers 413 as soon as a multipart upload passes the limit', async () => {
      const boundary = 'segue-test-boundary';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
      );
      const chunks = [head, ...Array.from({ length: 64 }, () => Buffer.alloc(16 * 1024, 7))];
      const response = await streamUpload(
        server,
        { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Transfer-Encoding': 'chunked' },
        chunks,
      );
      expectError(response, 413, 'payload_too_large');
    });

    it('leaves no temp file when the client disconnects midway', async () => {
      const { port } = server.address() as AddressInfo;
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/tracks',
        headers: { 'Content-Type': 'audio/wav', 'Content-Length': String(300 * 1024) },
      });
      request.on('error', () => {});
      request.write(Buffer.alloc(64 * 1024, 3));
      await sleep(200);
      expect(await readdir(harness.tmpDir), 'the upload is under way').to.have.length(1);
      request.destroy();
      await sleep(300);
    });
  });

  it('answers 422 checksum_mismatch when X-Content-SHA256 does not match', async () => {
    const file = await fixture('oneSecondWav');
    const response = await harness.http
      .post('/tracks')
      .set('X-Content-SHA256', '0'.repeat(64))
      .attach('file', file.path, file.filename);
    expectError(response, 422, 'checksum_mismatch');
    expect(response.body.error.details.expected).to.equal('0'.repeat(64));
  });

  it('answers 400 for an X-Content-SHA256 that is not a hex SHA-256', async () => {
    const file = await fixture('oneSecondWav');
    const response = await harness.http.post('/tracks').set('X-Content-SHA256', 'abc').attach('file', file.path, file.filename);
    expectError(response, 400, 'validation_failed');
    expect(response.body.error.details.fields).to.have.property('X-Content-SHA256');
  });

  it('answers 400 naming the field when the form has no file', async () => {
    const response = await harness.http.post('/tracks').field('title', 'No file here');
    expectError(response, 400, 'validation_failed');
    expect(response.body.error.details.fields).to.have.property('file');
  });

  it('answers 400 for unknown or invalid form fields, all at once', async () => {
    const file = await fixture('oneSecondWav');
    const response = await harness.http
      .post('/tracks')
      .field('mood', 'happy')
      .field('title', ' ')
      .attach('file', file.path, file.filename);
    expectError(response, 400, 'validation_failed');
    expect(response.body.error.details.fields).to.have.all.keys('mood', 'title');
  });

  it('answers 400 for two files in one form', async () => {
    const file = await fixture('oneSecondWav');
    const bytes = await readFile(file.path);
    const response = await harness.http.post('/tracks').attach('file', bytes, 'a.wav').attach('file', bytes, 'b.wav');
    expectError(response, 400, 'validation_failed');
  });

  it('answers 400 for a malformed multipart body', async () => {
    const response = await harness.http
      .post('/tracks')
      .set('Content-Type', 'multipart/form-data; boundary=xyz')
      .send('--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nunterminated');
    expectError(response, 400, 'validation_failed');
  });
});
