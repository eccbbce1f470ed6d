import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import {
  APIError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  ResponseValidationError,
  SegueError,
  ServiceBusyError,
  ServiceUnavailableError,
  TimeoutError,
  ValidationError,
} from '../../../api-client/src/errors.js';
import { backoffMs, sleep, Transport } from '../../../api-client/src/transport.js';
import { HealthSchema } from '../../../functions/core/endpoints.js';
import { TrackListSchema, TrackSchema, toTrack } from '../../../functions/core/schemas/track.js';
import { caught } from '../../support/caught.js';
import { freePort } from '../../support/net.js';
import { readyTrack } from '../../support/track-documents.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** when the request's last byte arrived, from performance.now() */
  at: number;
}

/** What the peer answers the `n`th request (from 0) with; leaving `res` alone keeps the request waiting. */
type Answer = (res: ServerResponse, request: Seen, n: number) => void;

/** A real HTTP server on loopback that records every request and answers as each test tells it. */
class Peer {
  readonly seen: Seen[] = [];
  answer: Answer = (res) => res.writeHead(500).end();
  private readonly server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => (body += part));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: performance.now() };
      this.seen.push(request);
      this.answer(res, request, this.seen.length - 1);
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(answer: Answer): void {
    this.seen.length = 0;
    this.answer = answer;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => (res) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

/** A Segue error body, as the service answers one. */
const segueError = (status: number, code: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Answer =>
  json(status, { error: { code, message: `said ${code}`, ...extra } }, headers);

const healthy: Answer = json(200, { status: 'ok' });

/** Answers the first `times` requests with `first`, the rest with `then`. */
const firstThen = (times: number, first: Answer, then: Answer): Answer => (res, request, n) => (n < times ? first : then)(res, request, n);

/** Never answers: the request waits until the client gives up. */
const silent: Answer = () => undefined;

describe('the SDK transport', function () {
  this.timeout(20_000);
  const peer = new Peer();
  let origin: string;
  const transport = (options: { apiKey?: string; timeout?: number; maxRetries?: number } = {}) => new Transport({ baseUrl: origin, ...options });
  const health = (client: Transport, signal?: AbortSignal) => client.json({ endpoint: 'health', signal }, HealthSchema);

  before(async () => {
    origin = await peer.start();
  });
  after(() => peer.close());

  describe('requests', () => {
    it('sends the method, path, query, JSON body and API key the endpoint says, and checks the answer against its schema', async () => {
      const track = toTrack(readyTrack('AAAAAAAAAAAA'));
      peer.reset(json(200, track));
      const client = transport({ apiKey: 'key-123' });
      const answered = await client.json({ endpoint: 'updateTrack', params: { id: 'AAAAAAAAAAAA' }, json: { title: 'New', genre: null } }, TrackSchema);
      expect(answered).to.deep.equal(TrackSchema.parse(JSON.parse(JSON.stringify(track))));
      const [request] = peer.seen;
      expect(request).to.deep.include({ method: 'PATCH', url: '/function/crud/tracks/AAAAAAAAAAAA' });
      expect(request!.headers).to.include({ authorization: 'Bearer key-123', 'content-type': 'application/json', accept: 'application/json' });
      expect(JSON.parse(request!.body)).to.deep.equal({ title: 'New', genre: null });
    });

    it('sends no key and no content type when there is neither, and leaves out query values that are undefined', async () => {
      peer.reset(json(200, { data: [], nextCursor: null }));
      const page = await transport().json({ endpoint: 'listTracks', query: { q: 'miles & co', limit: 5, cursor: undefined } }, TrackListSchema);
      expect(page).to.deep.equal({ data: [], nextCursor: null });
      const [request] = peer.seen;
      expect(request!.url).to.equal('/function/crud/tracks?q=miles+%26+co&limit=5');
      expect(request!.headers).to.not.have.any.keys('authorization', 'content-type');
    });

    it('builds URLs under the base URL without its trailing slashes, each path parameter percent-encoded', () => {
      const client = new Transport({ baseUrl: `${origin}//` });
      expect(client.url('removePlaylistTrack', { id: 'a/b', trackId: 'c d' })).to.equal(`${origin}/function/crud/playlists/a%2Fb/tracks/c%20d`);
      expect(client.url('masterPlaylist', { id: 'AAAAAAAAAAAA' })).to.equal(`${origin}/function/stream/tracks/AAAAAAAAAAAA/master.m3u8`);
      expect(() => client.url('retrieveTrack')).to.throw(TypeError, 'retrieveTrack needs id');
      expect(() => new Transport({ baseUrl: '' })).to.throw(TypeError, 'baseUrl is required');
    });

    it('resolves a 204 with nothing', async () => {
      peer.reset((res) => res.writeHead(204).end());
      expect(await transport().json({ endpoint: 'deleteTrack', params: { id: 'AAAAAAAAAAAA' } }, null)).to.equal(undefined);
      expect(peer.seen.map((request) => request.method)).to.deep.equal(['DELETE']);
    });
  });

  describe('retries', () => {
    it('retries a 503 until it succeeds, as soon as Retry-After: 0 says', async () => {
      peer.reset(firstThen(2, segueError(503, 'database_unavailable', {}, { 'retry-after': '0' }), healthy));
      expect(await health(transport({ maxRetries: 2 }))).to.deep.equal({ status: 'ok' });
      expect(peer.seen).to.have.length(3);
    });

    it('waits what Retry-After asks before retrying a 429', async () => {
      peer.reset(firstThen(1, segueError(429, 'rate_limited', {}, { 'retry-after': '1' }), healthy));
      await health(transport({ maxRetries: 1 }));
      const [first, second] = peer.seen;
      expect(second!.at - first!.at).to.be.within(950, 3_000);
    });

    it('backs off about half a second before the first retry when the answer gives no Retry-After', async () => {
      peer.reset(firstThen(1, (res) => res.writeHead(502).end('Bad Gateway'), healthy));
      await health(transport({ maxRetries: 1 }));
      const [first, second] = peer.seen;
      // 500 ms ± 25 %
      expect(second!.at - first!.at).to.be.within(370, 1_500);
    });

    it('gives up after maxRetries with the last error, its class, request id and Retry-After', async () => {
      peer.reset(segueError(503, 'service_busy', {}, { 'retry-after': '0', 'x-request-id': 'busy-1' }));
      const error = await caught(health(transport({ maxRetries: 2 })));
      expect(error).to.be.instanceOf(ServiceBusyError).and.instanceOf(ServiceUnavailableError);
      expect(error).to.include({ status: 503, code: 'service_busy', message: 'said service_busy', requestId: 'busy-1', retryAfterMs: 0 });
      expect(peer.seen).to.have.length(3);
    });

    it('does not retry what a retry cannot fix: a 404, a 400, a 500', async () => {
      for (const [answer, ErrorClass] of [
        [segueError(404, 'not_found'), NotFoundError],
        [segueError(400, 'validation_failed', { details: { fields: { id: ['bad'] } } }), ValidationError],
        [segueError(500, 'internal_error'), InternalServerError],
      ] as const) {
        peer.reset(answer);
        expect(await caught(health(transport({ maxRetries: 2 })))).to.be.instanceOf(ErrorClass);
        expect(peer.seen, ErrorClass.name).to.have.length(1);
      }
    });

    it('sends a call that would act twice only once, even when a retry would otherwise be due', async () => {
      peer.reset(segueError(503, 'service_busy', {}, { 'retry-after': '0' }));
      const error = await caught(transport({ maxRetries: 2 }).json({ endpoint: 'createPlaylist', json: { name: 'Once' }, once: true }, HealthSchema));
      expect(error).to.be.instanceOf(ServiceBusyError);
      expect(peer.seen).to.have.length(1);
    });

    it('retries a connection the server drops, then throws a ConnectionError', async () => {
      peer.reset((res) => res.socket?.destroy());
      const error = await caught(health(transport({ maxRetries: 1 })));
      expect(error).to.be.instanceOf(ConnectionError).and.not.instanceOf(TimeoutError);
      expect(error.message).to.match(/^Could not reach http:\/\/127\.0\.0\.1:\d+\/function\/crud\/healthz: /);
      expect(peer.seen).to.have.length(2);
    });

    it('throws a ConnectionError naming the cause when nothing listens', async () => {
      const client = new Transport({ baseUrl: `http://127.0.0.1:${await freePort()}`, maxRetries: 0 });
      const error = await caught(health(client));
      expect(error).to.be.instanceOf(ConnectionError).and.instanceOf(SegueError);
      expect(error.message).to.contain('ECONNREFUSED');
      expect(error.cause).to.be.instanceOf(Error);
    });

    it('waits up to a minute for Retry-After, else 0.5 s doubling to 8 s, each ±25 %', () => {
      const asked = (seconds: string) => new APIError({ status: 429, code: 'rate_limited', message: '', headers: new Headers({ 'retry-after': seconds }) });
      expect(backoffMs(asked('2'), 0)).to.equal(2_000);
      expect(backoffMs(asked('3600'), 0)).to.equal(60_000);
      const plain = new ConnectionError('reset');
      for (const [retry, nominal] of [[0, 500], [1, 1_000], [3, 4_000], [4, 8_000], [9, 8_000]] as const) {
        const waits = Array.from({ length: 50 }, () => backoffMs(plain, retry));
        expect(Math.min(...waits), `retry ${retry}`).to.be.at.least(nominal * 0.75);
        expect(Math.max(...waits), `retry ${retry}`).to.be.at.most(nominal * 1.25);
        expect(new Set(waits).size, 'jittered').to.be.above(1);
      }
    });
  });

  describe('timeouts', () => {
    it('throws a TimeoutError, a ConnectionError, when no answer comes within the timeout, and retries it', async () => {
      peer.reset(silent);
      const started = performance.now();
      const error = await caught(health(transport({ timeout: 200, maxRetries: 1 })));
      expect(error).to.be.instanceOf(TimeoutError).and.instanceOf(ConnectionError);
      expect(error.message).to.match(/^No answer from http:\/\/127\.0\.0\.1:\d+\/function\/crud\/healthz within 200 ms$/);
      expect(peer.seen, 'the first try and one retry').to.have.length(2);
      // two timeouts and a backoff of about half a second
      expect(performance.now() - started).to.be.within(700, 3_000);
    });

    it('counts reading the body in the timeout', async () => {
      peer.reset((res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"status":');
      });
      expect(await caught(health(transport({ timeout: 200, maxRetries: 0 })))).to.be.instanceOf(TimeoutError);
    });

    it('leaves a call that answers in time alone', async () => {
      peer.reset((res, request, n) => setTimeout(() => healthy(res, request, n), 100));
      expect(await health(transport({ timeout: 1_000, maxRetries: 0 }))).to.deep.equal({ status: 'ok' });
    });
  });

  describe('aborts', () => {
    it('rejects with the caller\'s reason as soon as the caller aborts, without a retry', async () => {
      const controller = new AbortController();
      const reason = new Error('changed my mind');
      let abortedAt = 0;
      // the request has arrived and waits for its answer when the caller gives up
      peer.reset(() => {
        abortedAt = performance.now();
        controller.abort(reason);
      });
      expect(await caught(health(transport({ maxRetries: 2 }), controller.signal))).to.equal(reason);
      expect(performance.now() - abortedAt).to.be.below(500);
      expect(peer.seen).to.have.length(1);
    });

    it('sends nothing for a signal aborted already', async () => {
      peer.reset(healthy);
      const reason = new Error('too late');
      expect(await caught(health(transport(), AbortSignal.abort(reason)))).to.equal(reason);
      expect(peer.seen).to.have.length(0);
    });

    it('stops waiting for a retry when the caller aborts during the backoff', async () => {
      const controller = new AbortController();
      const reason = new Error('not waiting that long');
      let abortedAt = 0;
      peer.reset((res, request, n) => {
        segueError(429, 'rate_limited', {}, { 'retry-after': '30' })(res, request, n);
        // by then the client has the answer and waits its 30 s
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort(reason);
        }, 200);
      });
      expect(await caught(health(transport({ maxRetries: 2 }), controller.signal))).to.equal(reason);
      expect(abortedAt, 'it was aborted, not answered').to.be.above(0);
      expect(performance.now() - abortedAt).to.be.below(500);
      expect(peer.seen).to.have.length(1);
    });

    it('sleeps the time asked, and rejects with the reason once aborted', async () => {
      const started = performance.now();
      await sleep(50);
      expect(performance.now() - started).to.be.at.least(45);
      const reason = new Error('stop');
      expect(await caught(sleep(10_000, AbortSignal.abort(reason)))).to.equal(reason);
    });
  });

  describe('error answers', () => {
    it('maps a Segue error body by its code, with its message and details', async () => {
      peer.reset(segueError(409, 'already_in_playlist', { details: { trackIds: ['AAAAAAAAAAAA'] } }));
      const error = (await caught(health(transport()))) as APIError;
      expect(error.name).to.equal('AlreadyInPlaylistError');
      expect(error).to.include({ status: 409, code: 'already_in_playlist', message: 'said already_in_playlist' });
      expect(error.details).to.deep.equal({ trackIds: ['AAAAAAAAAAAA'] });
    });

    it('reads the request id from X-Request-Id, else from the error body, else leaves it null', async () => {
      peer.reset(segueError(404, 'not_found', { requestId: 'from-body' }, { 'x-request-id': 'from-header' }));
      expect(((await caught(health(transport()))) as APIError).requestId).to.equal('from-header');
      peer.reset(segueError(404, 'not_found', { requestId: 'from-body' }));
      expect(((await caught(health(transport()))) as APIError).requestId).to.equal('from-body');
      peer.reset(segueError(404, 'not_found'));
      expect(((await caught(health(transport()))) as APIError).requestId).to.equal(null);
      peer.reset((res) => res.writeHead(404, { 'x-request-id': 'from-a-proxy' }).end('Not Found'));
      const proxied = (await caught(health(transport()))) as APIError;
      expect(proxied).to.include({ code: null, requestId: 'from-a-proxy' });
      expect(proxied.message, 'the message does not carry it').to.not.contain('from-a-proxy');
    });

    it('gives an answer without a Segue error body the class of its status, with code null and the body\'s first 200 characters', async () => {
      peer.reset((res) => res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' }).end(`\n<html>${'x'.repeat(300)}</html>`));
      const error = (await caught(health(transport({ maxRetries: 0 })))) as APIError;
      expect(error).to.be.instanceOf(ServiceUnavailableError);
      expect(error.code).to.equal(null);
      expect(error.message).to.equal(`${origin}/function/crud/healthz answered 502 Bad Gateway: <html>${'x'.repeat(194)}`);
    });

    it('treats an error body with a code this client does not know as no Segue body', async () => {
      peer.reset(segueError(429, 'slow_down_please'));
      const error = (await caught(health(transport({ maxRetries: 0 })))) as APIError;
      expect(error).to.be.instanceOf(RateLimitError);
      expect(error.code).to.equal(null);
      expect(error.message).to.contain('answered 429').and.contain('slow_down_please');
    });

    it('throws a ResponseValidationError for a success that is not JSON, or not what the schema says', async () => {
      peer.reset((res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>A login page</html>'));
      const notJson = await caught(health(transport()));
      expect(notJson).to.be.instanceOf(ResponseValidationError);
      expect(notJson.message).to.equal(`${origin}/function/crud/healthz answered 200 without a JSON body`);
      peer.reset(json(200, { status: 'fine' }));
      const wrong = (await caught(health(transport()))) as ResponseValidationError;
      expect(wrong).to.be.instanceOf(ResponseValidationError);
      expect(wrong.issues.map((issue) => issue.path.join('.'))).to.deep.equal(['status']);
      expect(wrong.body).to.deep.equal({ status: 'fine' });
      expect(wrong.message).to.contain('(at status)');
    });
  });
});
