import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { type CrudHarness, startCrud } from '../../support/crud.js';
import { fixture } from '../../support/fixtures.js';

describe('write access with API_KEYS', () => {
  let harness: CrudHarness;

  before(async () => {
    harness = await startCrud({ API_KEYS: 'first-key, second-key' });
  });
  after(() => harness.close());

  it('answers 401 with a Bearer challenge when a write comes without a key', async () => {
    const file = await fixture('oneSecondWav');
    const response = await harness.http.post('/tracks').attach('file', file.path, file.filename);
    expect(response.status).to.equal(401);
    expect(response.body.error.code).to.equal('unauthorized');
    expect(response.headers['www-authenticate']).to.match(/^Bearer/);
    expect(await harness.database.tracks.countDocuments()).to.equal(0);
  });

  it('answers 403 for a key that is not configured', async () => {
    const response = await harness.http.delete('/tracks/AAAAAAAAAAAA').set('Authorization', 'Bearer first-key-but-longer');
    expect(response.status).to.equal(403);
    expect(response.body.error.code).to.equal('forbidden');
  });

  it('lets any configured key write, and anyone read', async () => {
    const file = await fixture('oneSecondWav');
    const created = await harness.http
      .post('/tracks?wait=true')
      .set('Authorization', 'Bearer second-key')
      .attach('file', file.path, file.filename);
    expect(created.status).to.equal(201);
    const patched = await harness.http.patch(`/tracks/${created.body.id}`).set('Authorization', 'bearer first-key').send({ title: 'Renamed' });
    expect(patched.status).to.equal(200);
    expect((await harness.http.get(`/tracks/${created.body.id}`)).body.title).to.equal('Renamed');
    expect((await harness.http.get('/tracks')).status).to.equal(200);
    expect((await harness.http.patch(`/tracks/${created.body.id}`).send({ title: 'Sneaky' })).status).to.equal(401);
  });

  it('answers a browser preflight for an authorised PATCH from another origin', async () => {
    const preflight = await harness.http
      .options('/tracks/AAAAAAAAAAAA')
      .set('Origin', 'https://player.example')
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'authorization, content-type');
    expect(preflight.status).to.equal(204);
    expect(preflight.headers['access-control-allow-origin']).to.equal('*');
    expect(preflight.headers['access-control-allow-methods']).to.contain('PATCH');
    expect(preflight.headers['access-control-allow-headers']!.toLowerCase()).to.contain('authorization');
  });

  it('takes the keys from the OpenFaaS secret api-keys over the environment', async () => {
    const secrets = join(harness.tmpDir, 'secrets');
    await mkdir(secrets);
    await writeFile(join(secrets, 'api-keys'), 'secret-key\n');
    const fromSecret = await startCrud({ API_KEYS: 'env-key', SECRETS_DIR: secrets });
    try {
      const attempt = (key: string) => fromSecret.http.delete('/tracks/AAAAAAAAAAAA').set('Authorization', `Bearer ${key}`);
      expect((await attempt('env-key')).status).to.equal(403);
      expect((await attempt('secret-key')).status).to.equal(404);
    } finally {
      await fromSecret.close();
    }
  });
});
