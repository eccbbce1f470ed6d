import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { type CrudHarness, startCrud } from '../../support/crud.js';
import { fixture } from '../../support/fixtures.js';

const FIRST_KEY = 'first-key-0123456789abcdef0123456789abc';
const SECOND_KEY = 'second-key-0123456789abcdef0123456789ab';

describe('write access with API_KEYS', () => {
  let harness: CrudHarness;

  before(async () => {
    harness = await startCrud({ API_KEYS: `${FIRST_KEY}, ${SECOND_KEY}` });
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
    const response = await harness.http.delete('/tracks/AAAAAAAAAAAA').set('Authorization', `Bearer ${FIRST_KEY}-but-longer`);
    expect(response.status).to.equal(403);
    expect(response.body.error.code).to.equal('forbidden');
  });

  it('lets any configured key write, and anyone read', async () => {
    const file = await fixture('oneSecondWav');
    const created = await harness.http
      .post('/tracks?wait=true')
      .set('Authorization', `Bearer ${SECOND_KEY}`)
      .attach('file', file.path, file.filename);
    expect(created.status).to.equal(201);
    const patched = await harness.http.patch(`/tracks/${created.body.id}`).set('Authorization', `bearer ${FIRST_KEY}`).send({ title: 'Renamed' });
    expect(patched.status).to.equal(200);
    expect((await harness.http.get(`/tracks/${created.body.id}`)).body.title).to.equal('Renamed');
    expect((await harness.http.get('/tracks')).status).to.equal(200);
    expect((await harness.http.patch(`/tracks/${created.body.id}`).send({ title: 'Sneaky' })).status).to.equal(401);
  });

  it('takes the keys from the OpenFaaS secret api-keys over the environment', async () => {
    const secrets = join(harness.tmpDir, 'secrets');
    await mkdir(secrets);
    await writeFile(join(secrets, 'api-keys'), 'secret-key-0123456789abcdef0123456789a\n');
    const fromSecret = await startCrud({ API_KEYS: 'env-key-0123456789abcdef0123456789abcde', SECRETS_DIR: secrets });
    try {
      const attempt = (key: string) => fromSecret.http.delete('/tracks/AAAAAAAAAAAA').set('Authorization', `Bearer ${key}`);
      expect((await attempt('env-key-0123456789abcdef0123456789abcde')).status).to.equal(403);
      expect((await attempt('secret-key-0123456789abcdef0123456789a')).status).to.equal(404);
    } finally {
      await fromSecret.close();
    }
  });
});
