import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server as NetServer, type Socket } from 'node:net';
import {
  APIError,
  AuthenticationError,
  ChecksumMismatchError,
  ConnectionError,
  EmptyUploadError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  ProcessingError,
  RateLimitError,
  ResponseValidationError,
  Segue,
  SegueError,
  ServiceUnavailableError,
  TimeoutError,
  UnsupportedMediaTypeError,
  ValidationError,
  WaitTimeoutError,
} from '@segue/api-client';
import { expect } from 'chai';
import { createGateway } from '../../../functions/local/gateway.js';
import { closeServer, listen } from '../../../functions/shared/http/listen.js';
import { createLogger } from '../../../functions/shared/logger.js';
import { createDatabase } from '../../../functions/shared/storage/database.js';
import { testConfig } from '../../support/config.js';
import { caught } from '../../support/caught.js';
import { fixture } from '../../support/fixtures.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';
import { freePort } from '../../support/net.js';

/** Counts the requests a client makes, to see its retries. */
function countingFetch() {
  const counter = { calls: 0, fetch: ((input, init) => {
    counter.calls++;
    return fetch(input, init);
  }) as typeof fetch };
  return counter;
}

const origin = (server: NetServer) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** Starts a server of the test's own on a loopback port and answers its origin. */
async function listening(server: NetServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return origin(server);
}

describe('the SDK: every error, reached for real', function () {
  this.timeout(120_000);

  describe('from a running service', () => {
    let harness: GatewayHarness;
    let segue: Segue;
    before(async () => {
      harness = await startGateway({ MAX_UPLOAD_BYTES: '400000' });
      segue = new Segue({ baseUrl: harness.origin });
    });
    after(() => harness.close());

    it('ValidationError names the bad field', async () => {
      const error = await caught(segue.tracks.retrieve('not-an-id'));
      expect(error).to.be.instanceOf(ValidationError).and.instanceOf(APIError).and.instanceOf(SegueError);
      expect((error as ValidationError).status).to.equal(400);
      expect((error as ValidationError).code).to.equal('validation_failed');
      expect((error as ValidationError).fields).to.have.property('id');
      expect(error.message).to.contain('id:');
    });

    it('ValidationError for an unknown tag in an update', async () => {
      const track = await harness.ingest('oneSecondWav');
      const error = await caught(segue.tracks.update(track.id, { mood: 'sunny' } as never));
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).fields).to.have.property('mood');
    });

    it('NotFoundError for a track that is not there', async () => {
      const error = await caught(segue.tracks.retrieve('AAAAAAAAAAAA'));
      expect(error).to.be.instanceOf(NotFoundError);
      expect((error as NotFoundError).status).to.equal(404);
    });

    it('carries the request id the service answered with, the one its error body names', async () => {
      const error = (await caught(segue.tracks.retrieve('AAAAAAAAAAAA'))) as NotFoundError;
      expect(error).to.be.instanceOf(NotFoundError);
      expect(error.requestId).to.match(/^[0-9a-f]{8}-[0-9a-f-]{27}$/);
      expect(error.requestId).to.equal(error.headers.get('x-request-id'));
      const response = await fetch(`${harness.origin}/function/crud/tracks/AAAAAAAAAAAA`, { headers: { 'X-Request-Id': 'sdk-test-1' } });
      expect(((await response.json()) as { error: { requestId: string } }).error.requestId).to.equal('sdk-test-1');
    });

    it('EmptyUploadError and UnsupportedMediaTypeError for bad files; ProcessingError with truncated_audio for one cut off', async () => {
      expect(await caught(segue.tracks.create({ file: new Uint8Array(0), filename: 'empty.mp3' }))).to.be.instanceOf(EmptyUploadError);
      const random = await fixture('randomBytes');
      expect(await caught(segue.tracks.create({ file: random.path }))).to.be.instanceOf(UnsupportedMediaTypeError);
      // found by decoding the whole file, after the upload was answered
      const truncated = await fixture('truncatedMp3');
      const error = await caught(segue.tracks.create({ file: truncated.path, wait: true }));
      expect(error).to.be.instanceOf(ProcessingError);
      expect((error as ProcessingError).track.error?.code).to.equal('truncated_audio');
      await segue.tracks.delete((error as ProcessingError).track.id);
    });

    it('ChecksumMismatchError when the bytes are not the ones promised', async () => {
      const file = await fixture('oneSecondWav');
      const error = await caught(segue.tracks.create({ file: file.path, sha256: '0'.repeat(64) }));
      expect(error).to.be.instanceOf(ChecksumMismatchError);
      expect((error as APIError).status).to.equal(422);
    });

    it('PayloadTooLargeError, for a known size and for a stream', async () => {
      const file = await fixture('taggedMp3');
      expect(await caught(segue.tracks.create({ file: file.path }))).to.be.instanceOf(PayloadTooLargeError);
      const { createReadStream } = await import('node:fs');
      expect(await caught(segue.tracks.create({ file: createReadStream(file.path), filename: 'big.mp3' }))).to.be.instanceOf(
        PayloadTooLargeError,
      );
    });

    it('ProcessingError from waitUntilReady when the track failed, with the reason', async () => {
      const track = await harness.ingest('oneSecondWav');
      await harness.database.tracks.updateOne(
        { _id: track.id },
        { $set: { status: 'failed', error: { code: 'transcode_failed', message: 'ffmpeg gave up' } } },
      );
      const error = await caught(segue.tracks.waitUntilReady(track.id));
      expect(error).to.be.instanceOf(ProcessingError);
      expect((error as ProcessingError).track.error?.message).to.equal('ffmpeg gave up');
    });

    it('WaitTimeoutError from waitUntilReady past its timeout, which is no ConnectionError: every poll was answered', async () => {
      const track = await harness.ingest('oneSecondWav');
      await harness.database.tracks.updateOne({ _id: track.id }, { $set: { status: 'processing', progress: 0.5 } });
      const error = await caught(segue.tracks.waitUntilReady(track.id, { timeout: 600 }));
      expect(error).to.be.instanceOf(WaitTimeoutError).and.instanceOf(SegueError).and.not.instanceOf(ConnectionError);
      expect(error.message).to.equal(`Track ${track.id} was not ready within 600 ms`);
    });

    it('the caller’s abort reason, not a SegueError, when the caller aborts', async () => {
      const controller = new AbortController();
      const reason = new Error('changed my mind');
      controller.abort(reason);
      expect(await caught(segue.tracks.list({ signal: controller.signal }).toArray())).to.equal(reason);
    });
  });

  describe('with API keys', () => {
    let harness: GatewayHarness;
    before(async () => {
      harness = await startGateway({ API_KEYS: 'right-key-0123456789abcdef0123456789ab' });
    });
    after(() => harness.close());

    it('AuthenticationError without a key, PermissionDeniedError with a wrong one', async () => {
      const file = await fixture('oneSecondWav');
      const anonymous = new Segue({ baseUrl: harness.origin });
      const error = await caught(anonymous.tracks.create({ file: file.path }));
      expect(error).to.be.instanceOf(AuthenticationError);
      expect((error as APIError).status).to.equal(401);
      const wrong = new Segue({ baseUrl: harness.origin, apiKey: 'wrong-key' });
      expect(await caught(wrong.tracks.create({ file: file.path }))).to.be.instanceOf(PermissionDeniedError);
      const right = new Segue({ baseUrl: harness.origin, apiKey: 'right-key-0123456789abcdef0123456789ab' });
      expect((await right.tracks.create({ file: file.path, wait: true })).status).to.equal('ready');
    });
  });

  describe('with a write rate limit', () => {
    let harness: GatewayHarness;
    before(async () => {
      harness = await startGateway({ WRITE_RATE_LIMIT_PER_MINUTE: '1' });
    });
    after(() => harness.close());

    it('RateLimitError with the time to wait, once the limit is spent', async () => {
      const file = await fixture('oneSecondWav');
      const segue = new Segue({ baseUrl: harness.origin, maxRetries: 0 });
      const track = await segue.tracks.create({ file: file.path });
      const error = await caught(segue.tracks.update(track.id, { title: 'again' }));
      expect(error).to.be.instanceOf(RateLimitError);
      expect((error as RateLimitError).status).to.equal(429);
      expect((error as RateLimitError).retryAfterMs).to.be.a('number').within(1, 60_000);
    });
  });

  describe('when the database is down', () => {
    it('ServiceUnavailableError, after retrying a read maxRetries times', async () => {
      const database = createDatabase(`mongodb://127.0.0.1:${await freePort()}/`, 'segue', { serverSelectionTimeoutMS: 200 });
      const { config, tmpDir } = await testConfig();
      const gateway = createGateway({ config, database, logger: createLogger('silent', 'test') });
      const server = await listen(gateway.app, 0, '127.0.0.1');
      try {
        const counter = countingFetch();
        const segue = new Segue({ baseUrl: origin(server), maxRetries: 1, fetch: counter.fetch });
        const error = await caught(segue.tracks.retrieve('AAAAAAAAAAAA'));
        expect(error).to.be.instanceOf(ServiceUnavailableError);
        expect((error as APIError).status).to.equal(503);
        expect(counter.calls, 'one call and one retry').to.equal(2);
      } finally {
        await gateway.crud.shutdown();
        await closeServer(server);
        await database.close();
        await rm(tmpDir, { recursive: true, force: true });
      }
    });
  });

  describe('without a usable server', () => {
    it('ConnectionError when nothing listens, after the retries', async () => {
      const counter = countingFetch();
      const segue = new Segue({ baseUrl: `http://127.0.0.1:${await freePort()}`, maxRetries: 2, fetch: counter.fetch });
      const error = await caught(segue.tracks.retrieve('AAAAAAAAAAAA'));
      expect(error).to.be.instanceOf(ConnectionError);
      expect(error.message).to.contain('ECONNREFUSED');
      expect(counter.calls).to.equal(3);
    });

    it('ConnectionError without a retry for making a playlist or adding to one, which would act twice', async () => {
      const counter = countingFetch();
      const segue = new Segue({ baseUrl: `http://127.0.0.1:${await freePort()}`, maxRetries: 2, fetch: counter.fetch });
      expect(await caught(segue.playlists.create({ name: 'Once' }))).to.be.instanceOf(ConnectionError);
      expect(await caught(segue.playlists.addTracks('AAAAAAAAAAAA', { trackIds: ['BBBBBBBBBBBB'] }))).to.be.instanceOf(ConnectionError);
      expect(counter.calls, 'one attempt each').to.equal(2);
      expect(await caught(segue.playlists.update('AAAAAAAAAAAA', { name: 'Twice' }))).to.be.instanceOf(ConnectionError);
      expect(counter.calls, 'a rename, which may be sent again, is retried').to.equal(5);
    });

    it('ConnectionError without a retry for an upload, which may not be repeatable', async () => {
      let connections = 0;
      const hangingUp = createTcpServer((socket) => {
        connections++;
        socket.destroy();
      });
      const hangingUpUrl = await listening(hangingUp);
      try {
        const segue = new Segue({ baseUrl: hangingUpUrl, maxRetries: 2 });
        expect(await caught(segue.tracks.create({ file: new Uint8Array([1, 2, 3]) }))).to.be.instanceOf(ConnectionError);
        expect(await caught(segue.tracks.retrieve('AAAAAAAAAAAA'))).to.be.instanceOf(ConnectionError);
        expect(connections, 'one upload, then a read and its two retries').to.equal(4);
      } finally {
        hangingUp.close();
      }
    });

    it('TimeoutError when the server never answers, after retrying the read', async () => {
      const sockets: Socket[] = [];
      const silent = createTcpServer((socket) => sockets.push(socket));
      const silentUrl = await listening(silent);
      try {
        const segue = new Segue({ baseUrl: silentUrl, timeout: 300, maxRetries: 1 });
        const started = Date.now();
        const error = await caught(segue.tracks.retrieve('AAAAAAAAAAAA'));
        expect(error).to.be.instanceOf(TimeoutError).and.instanceOf(ConnectionError);
        expect(sockets, 'a read that timed out is tried once more').to.have.length(2);
        expect(Date.now() - started).to.be.below(5_000);
      } finally {
        for (const socket of sockets) socket.destroy();
        silent.close();
      }
    });

    it('TimeoutError when the answer starts but its body stalls', async () => {
      const stalling = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"id":');
      });
      const stallingUrl = await listening(stalling);
      try {
        const segue = new Segue({ baseUrl: stallingUrl, timeout: 300, maxRetries: 0 });
        expect(await caught(segue.tracks.retrieve('AAAAAAAAAAAA'))).to.be.instanceOf(TimeoutError);
      } finally {
        stalling.closeAllConnections();
        stalling.close();
      }
    });

    it('ResponseValidationError when a success does not match the schema', async () => {
      const impostor = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: 5, status: 'great' }));
      });
      const impostorUrl = await listening(impostor);
      try {
        const segue = new Segue({ baseUrl: impostorUrl });
        const error = await caught(segue.tracks.retrieve('AAAAAAAAAAAA'));
        expect(error).to.be.instanceOf(ResponseValidationError);
        expect((error as ResponseValidationError).issues.map((issue) => issue.path[0])).to.include.members(['id', 'status']);
      } finally {
        impostor.close();
      }
    });

    it('an APIError of the status’s class for an error that is not a Segue error body', async () => {
      const proxy = createServer((_req, res) => {
        res.statusCode = 502;
        res.end('<html>Bad Gateway</html>');
      });
      const proxyUrl = await listening(proxy);
      try {
        const segue = new Segue({ baseUrl: proxyUrl, maxRetries: 0 });
        const error = await caught(segue.tracks.retrieve('AAAAAAAAAAAA'));
        expect(error).to.be.instanceOf(ServiceUnavailableError);
        expect((error as APIError).code).to.equal(null);
        expect(error.message).to.contain('Bad Gateway');
      } finally {
        proxy.close();
      }
    });
  });
});
