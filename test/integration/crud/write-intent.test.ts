import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { REFUSED_KEYS_PER_MINUTE } from '../../../functions/shared/http/auth.js';
import { createLogger } from '../../../functions/shared/logger.js';
import { type CrudHarness, expectNothingStored, startCrud } from '../../support/crud.js';
import { fixture } from '../../support/fixtures.js';
import { startFunctionProcess } from '../../support/function-process.js';
import { testDatabaseUri } from '../../support/database.js';

const KEY = 'intent-key-0123456789abcdef0123456789ab';
const OTHER_KEY = 'other-key-0123456789abcdef0123456789abc';

describe('writes from web pages', function () {
  this.timeout(60_000);

  describe('with CORS_ORIGINS at its default, *', () => {
    let harness: CrudHarness;
    before(async () => {
      harness = await startCrud();
    });
    after(() => harness.close());

    it('refuses an upload from a page on another origin with 403, and keeps nothing', async () => {
      const file = await fixture('oneSecondWav');
      const response = await harness.http.post('/tracks').set('Origin', 'https://evil.example').attach('file', file.path, file.filename);
      expect(response.status).to.equal(403);
      expect(response.body.error).to.deep.include({ code: 'forbidden', details: { origin: 'https://evil.example' } });
      await expectNothingStored(harness);
    });

    it('refuses a DELETE from a page on another origin', async () => {
      const response = await harness.http.delete('/tracks/AAAAAAAAAAAA').set('Origin', 'https://evil.example');
      expect(response.status).to.equal(403);
    });

    it('takes writes from its own origin, and from scripts that send no Origin', async () => {
      const file = await fixture('oneSecondWav');
      const own = await harness.http.post('/tracks?wait=true').set('Origin', 'http://127.0.0.1').set('Host', '127.0.0.1').attach('file', file.path, file.filename);
      expect(own.status).to.equal(201);
      const script = await harness.http.delete(`/tracks/${own.body.id}`);
      expect(script.status).to.equal(204);
    });

    it('refuses a page whose origin merely matches the Host it sent, as a DNS-rebinding page does', async () => {
      const response = await harness.http.delete('/tracks/AAAAAAAAAAAA').set('Host', 'evil.example:8080').set('Origin', 'http://evil.example:8080');
      expect(response.status).to.equal(403);
    });

    it('lets any page read, and allows write methods in no preflight', async () => {
      const read = await harness.http.get('/tracks').set('Origin', 'https://embed.example');
      expect(read.status).to.equal(200);
      expect(read.headers['access-control-allow-origin']).to.equal('*');
      const preflight = await harness.http
        .options('/tracks/AAAAAAAAAAAA')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'DELETE');
      expect(preflight.status).to.equal(204);
      expect(preflight.headers['access-control-allow-methods']).to.equal('GET, HEAD, OPTIONS');
    });
  });

  describe('with CORS_ORIGINS naming the player', () => {
    let harness: CrudHarness;
    before(async () => {
      harness = await startCrud({ CORS_ORIGINS: 'https://player.example', API_KEYS: KEY });
    });
    after(() => harness.close());

    it('answers the named origin a preflight allowing writes with a key, and takes its upload', async () => {
      const preflight = await harness.http
        .options('/tracks/AAAAAAAAAAAA')
        .set('Origin', 'https://player.example')
        .set('Access-Control-Request-Method', 'PATCH')
        .set('Access-Control-Request-Headers', 'authorization, content-type');
      expect(preflight.headers['access-control-allow-origin']).to.equal('https://player.example');
      expect(preflight.headers['access-control-allow-methods']).to.contain('PATCH');
      expect(preflight.headers['access-control-allow-headers']!.toLowerCase()).to.contain('authorization');
      const file = await fixture('oneSecondWav');
      const upload = await harness.http
        .post('/tracks')
        .set('Origin', 'https://player.example')
        .set('Authorization', `Bearer ${KEY}`)
        .attach('file', file.path, file.filename);
      expect(upload.status).to.equal(202);
      await harness.crud.processor.whenSettled(upload.body.id);
    });

    it('refuses another origin even with a valid key', async () => {
      const response = await harness.http.delete('/tracks/AAAAAAAAAAAA').set('Origin', 'https://evil.example').set('Authorization', `Bearer ${KEY}`);
      expect(response.status).to.equal(403);
    });
  });
});

describe('limits that hold', function () {
  this.timeout(60_000);

  it(`refuses an address after ${REFUSED_KEYS_PER_MINUTE} refused keys a minute, whatever keys it tries`, async () => {
    const harness = await startCrud({ API_KEYS: KEY });
    try {
      for (let attempt = 0; attempt < REFUSED_KEYS_PER_MINUTE; attempt++) {
        const guess = await harness.http.delete('/tracks/AAAAAAAAAAAA').set('Authorization', `Bearer guess-${attempt}`);
        expect(guess.status).to.equal(403);
      }
      const blocked = await harness.http.delete('/tracks/AAAAAAAAAAAA').set('Authorization', 'Bearer one-more-guess');
      expect(blocked.status, 'the address is out of tries').to.equal(429);
      expect(Number(blocked.headers['retry-after'])).to.be.within(1, 60);
      const holder = await harness.http.delete('/tracks/AAAAAAAAAAAA').set('Authorization', `Bearer ${KEY}`);
      expect(holder.status, 'a holder of a key at the same address is not locked out').to.equal(404);
    } finally {
      await harness.close();
    }
  });

  it('counts writes per key that was let in: made-up keys get no allowance, other keys keep theirs', async () => {
    const harness = await startCrud({ API_KEYS: `${KEY}, ${OTHER_KEY}`, WRITE_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const remove = (key: string) => harness.http.delete('/tracks/AAAAAAAAAAAA').set('Authorization', `Bearer ${key}`);
      expect((await remove(KEY)).status).to.equal(404);
      expect((await remove(KEY)).status).to.equal(404);
      expect((await remove(KEY)).status, 'the first key has used its two').to.equal(429);
      expect((await remove(OTHER_KEY)).status, 'the second key has its own').to.equal(404);
    } finally {
      await harness.close();
    }
  });

  it('believes no X-Forwarded-For unless TRUST_PROXY says so', async () => {
    const harness = await startCrud({ WRITE_RATE_LIMIT_PER_MINUTE: '1' });
    try {
      const remove = (forwardedFor: string) => harness.http.delete('/tracks/AAAAAAAAAAAA').set('X-Forwarded-For', forwardedFor);
      expect((await remove('203.0.113.1')).status).to.equal(404);
      expect((await remove('203.0.113.2')).status, 'a new made-up address buys nothing').to.equal(429);
    } finally {
      await harness.close();
    }
    const behindProxy = await startCrud({ WRITE_RATE_LIMIT_PER_MINUTE: '1', TRUST_PROXY: 'loopback' });
    try {
      const remove = (forwardedFor: string) => behindProxy.http.delete('/tracks/AAAAAAAAAAAA').set('X-Forwarded-For', forwardedFor);
      expect((await remove('203.0.113.1')).status).to.equal(404);
      expect((await remove('203.0.113.2')).status, 'a trusted proxy names each client').to.equal(404);
    } finally {
      await behindProxy.close();
    }
  });
});

describe('starting the crud function', function () {
  this.timeout(60_000);
  const env = () => ({ MONGODB_URI: testDatabaseUri(), MONGODB_DB: 'segue_start_checks' });

  it('refuses to start without API keys, unless ALLOW_ANONYMOUS_WRITES=true says writes are open on purpose', async () => {
    const refused = await startFunctionProcess('crud', { ...env(), ALLOW_ANONYMOUS_WRITES: 'false' }).then(
      async (started) => {
        await started.stop();
        return 'started';
      },
      (error: Error) => error.message,
    );
    expect(refused).to.match(/exited with 1/).and.to.contain('ALLOW_ANONYMOUS_WRITES');
    const open = await startFunctionProcess('crud', { ...env(), ALLOW_ANONYMOUS_WRITES: 'true' });
    await open.stop();
  });

  it('refuses keys shorter than 32 characters, and an empty api-keys secret', async () => {
    const short = await startFunctionProcess('crud', { ...env(), API_KEYS: 'short-key' }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(short).to.match(/exited with 1/).and.to.contain('at least 32 characters');
    const harness = await startCrud();
    try {
      const secrets = join(harness.tmpDir, 'secrets');
      await mkdir(secrets);
      await writeFile(join(secrets, 'api-keys'), '\n');
      const empty = await startFunctionProcess('crud', { ...env(), SECRETS_DIR: secrets }).then(
        () => 'started',
        (error: Error) => error.message,
      );
      expect(empty).to.match(/exited with 1/).and.to.contain('the secret api-keys');
    } finally {
      await harness.close();
    }
  });

  it('never writes a key or a cookie into its log', async () => {
    const lines: string[] = [];
    const logger = createLogger('trace', 'crud-test', { write: (line: string) => lines.push(line) });
    const harness = await startCrud({ API_KEYS: KEY }, undefined, logger);
    try {
      await harness.http.delete('/tracks/AAAAAAAAAAAA').set('Authorization', `Bearer ${KEY}`).set('Cookie', 'session=secret-cookie-value');
      await harness.http.delete('/tracks/AAAAAAAAAAAA').set('Authorization', 'Bearer a-guessed-key-that-is-wrong');
    } finally {
      await harness.close();
    }
    const log = lines.join('\n');
    expect(log, 'requests were logged').to.contain('/tracks/AAAAAAAAAAAA');
    for (const secret of [KEY, 'a-guessed-key-that-is-wrong', 'secret-cookie-value']) expect(log).to.not.contain(secret);
  });
});
