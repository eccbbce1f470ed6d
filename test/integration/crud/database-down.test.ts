import { readdir, rm } from 'node:fs/promises';
import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../../../functions/crud/app.js';
import { createApp as createStreamApp } from '../../../functions/stream/app.js';
import { createLogger } from '../../../functions/shared/logger.js';
import { createDatabase } from '../../../functions/shared/storage/database.js';
import { testConfig } from '../../support/config.js';
import { fixture } from '../../support/fixtures.js';
import { freePort } from '../../support/net.js';

describe('when the database is unreachable', () => {
  it('answers 503 database_unavailable with Retry-After, from health, reads and uploads', async () => {
    const database = createDatabase(`mongodb://127.0.0.1:${await freePort()}/`, 'segue', { serverSelectionTimeoutMS: 300 });
    const { config, tmpDir: tmp } = await testConfig();
    const crud = createApp({ config, database, logger: createLogger('silent', 'test') });
    try {
      for (const path of ['/healthz', '/tracks', '/tracks/AAAAAAAAAAAA']) {
        const response = await supertest(crud.app).get(path);
        expect(response.status, path).to.equal(503);
        expect(response.body.error.code).to.equal('database_unavailable');
        expect(response.headers['retry-after']).to.equal('5');
      }
      const file = await fixture('oneSecondWav');
      const upload = await supertest(crud.app).post('/tracks').attach('file', file.path, file.filename);
      expect(upload.status).to.equal(503);
      expect(await readdir(tmp), 'the upload left no temp file').to.deep.equal([]);
    } finally {
      await crud.shutdown();
      await database.close();
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("answers the stream function's health check 503 database_unavailable with Retry-After", async () => {
    const database = createDatabase(`mongodb://127.0.0.1:${await freePort()}/`, 'segue', { serverSelectionTimeoutMS: 300 });
    const { config, tmpDir: tmp } = await testConfig();
    const stream = createStreamApp({ config, database, logger: createLogger('silent', 'test') });
    try {
      const response = await supertest(stream.app).get('/healthz');
      expect(response.status).to.equal(503);
      expect(response.body.error.code).to.equal('database_unavailable');
      expect(response.headers['retry-after']).to.equal('5');
    } finally {
      await database.close();
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
