import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import supertest from 'supertest';
import { createApp as createWebApp } from '../../../functions/web/app.js';
import { createLogger } from '../../../functions/shared/logger.js';
import { type CrudHarness, startCrud } from '../../support/crud.js';
import { fixture } from '../../support/fixtures.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A logger at info whose lines the test reads. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', 'crud-test', sink), lines };
}

describe('request ids', function () {
  this.timeout(60_000);

  describe('through the gateway', () => {
    let harness: GatewayHarness;
    before(async () => {
      harness = await startGateway();
    });
    after(() => harness.close());

    for (const [fn, path] of [
      ['crud', '/function/crud/tracks/AAAAAAAAAAAA'],
      ['stream', '/function/stream/tracks/AAAAAAAAAAAA/master.m3u8'],
    ] as const) {
      it(`names every answer of the ${fn} function, and its error body says the same id`, async () => {
        const response = await harness.http.get(path);
        expect(response.status).to.equal(404);
        expect(response.headers['x-request-id']).to.match(UUID);
        expect(response.body.error).to.include({ code: 'not_found', requestId: response.headers['x-request-id'] });
        const again = await harness.http.get(path);
        expect(again.headers['x-request-id'], 'a new id per request').to.not.equal(response.headers['x-request-id']);
      });
    }

    it('keeps a caller’s own id, and replaces one unfit to log or send back', async () => {
      const kept = await harness.http.get('/function/stream/tracks/AAAAAAAAAAAA/master.m3u8').set('X-Request-Id', 'player-7f3a:42');
      expect(kept.headers['x-request-id']).to.equal('player-7f3a:42');
      expect(kept.body.error.requestId).to.equal('player-7f3a:42');
      for (const hostile of ['a b', '<script>alert(1)</script>', 'x'.repeat(129), '{"level":60,"msg":"forged"}']) {
        const replaced = await harness.http.get('/function/crud/tracks').set('X-Request-Id', hostile);
        expect(replaced.headers['x-request-id'], hostile).to.match(UUID);
      }
    });

    it('takes the id the OpenFaaS gateway gives a call (X-Call-Id) when the caller sent none', async () => {
      const response = await harness.http.get('/function/crud/tracks').set('X-Call-Id', '2b1e6a52-0c51-4d0a-9a53-1c9b2f0a7e11');
      expect(response.headers['x-request-id']).to.equal('2b1e6a52-0c51-4d0a-9a53-1c9b2f0a7e11');
    });

    it('puts the id in a resumable upload’s refusals too, and lets a browser read it', async () => {
      const response = await harness.http.post('/function/crud/uploads').set('Upload-Length', '10');
      expect(response.status).to.equal(412);
      expect(response.body.error).to.include({ code: 'tus_version_unsupported', requestId: response.headers['x-request-id'] });
      const preflight = await harness.http
        .options('/function/crud/tracks')
        .set('Origin', 'https://player.example')
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'x-request-id');
      expect(preflight.headers['access-control-allow-headers']).to.match(/X-Request-Id/);
      const read = await harness.http.get('/function/stream/tracks/AAAAAAAAAAAA/master.m3u8').set('Origin', 'https://player.example');
      expect(read.headers['access-control-expose-headers']).to.match(/X-Request-Id/);
    });
  });

  describe('in the logs', () => {
    let harness: CrudHarness;
    const { logger, lines } = capturedLogger();
    before(async () => {
      harness = await startCrud({}, undefined, logger);
    });
    after(() => harness.close());

    it('is on every line logged while a request is handled, under the key requestId', async () => {
      const file = await fixture('oneSecondWav');
      const response = await harness.http.post('/tracks').set('X-Request-Id', 'trace-me-1').attach('file', file.path, file.filename);
      expect(response.status).to.equal(202);
      expect(response.headers['x-request-id']).to.equal('trace-me-1');
      const logged = lines.filter((line) => line.requestId === 'trace-me-1').map((line) => line.msg);
      expect(logged).to.include.members(['upload accepted', 'request completed']);
      await harness.crud.processor.whenSettled(response.body.id);
    });
  });

  it('names the web function’s answers as well, on its own and behind npm start’s gateway', async () => {
    const root = await mkdtemp(join(tmpdir(), 'segue-web-'));
    const gateway = await startGateway({}, { webRoot: root });
    try {
      await writeFile(join(root, 'index.html'), '<!doctype html><title>Segue</title>');
      for (const http of [supertest(createWebApp({ root })), gateway.http]) {
        for (const [path, status] of [['/t/AAAAAAAAAAAA', 200], ['/favicon.ico', 404]] as const) {
          const response = await http.get(path);
          expect(response.status, path).to.equal(status);
          expect(response.headers['x-request-id'], path).to.match(UUID);
        }
      }
    } finally {
      await gateway.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
