import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../functions/shared/config.js';

const noSecrets = { SECRETS_DIR: join(tmpdir(), 'segue-no-such-secrets') };

describe('loadConfig', () => {
  it('fills in the documented defaults', () => {
    const config = loadConfig(noSecrets);
    expect(config).to.include({
      mongodbUri: undefined,
      mongodbDb: 'segue',
      port: 8080,
      maxUploadBytes: 2 * 1024 ** 3,
      corsOrigins: '*',
      trackTtlDays: undefined,
      leaseMs: 30_000,
    });
    expect(config.apiKeys).to.deep.equal([]);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ ...noSecrets, PORT: '', MONGODB_DB: '' })).to.include({ port: 8080, mongodbDb: 'segue' });
  });

  it('parses lists and numbers', () => {
    const config = loadConfig({ ...noSecrets, API_KEYS: 'a, b,,c', CORS_ORIGINS: 'https://a.example, https://b.example', MAX_UPLOAD_BYTES: '1000' });
    expect(config.apiKeys).to.deep.equal(['a', 'b', 'c']);
    expect(config.corsOrigins).to.deep.equal(['https://a.example', 'https://b.example']);
    expect(config.maxUploadBytes).to.equal(1000);
  });

  it('sweeps every 30 seconds by default, and never when SWEEP_INTERVAL_SECONDS is 0', () => {
    expect(loadConfig(noSecrets).sweepIntervalMs).to.equal(30_000);
    expect(loadConfig({ ...noSecrets, SWEEP_INTERVAL_SECONDS: '0' }).sweepIntervalMs).to.equal(0);
    expect(() => loadConfig({ ...noSecrets, SWEEP_INTERVAL_SECONDS: '-1' })).to.throw(ConfigError, 'SWEEP_INTERVAL_SECONDS');
  });

  it('fails fast, naming every bad variable at once', () => {
    const load = () => loadConfig({ ...noSecrets, PORT: 'eighty', MAX_UPLOAD_BYTES: '-1', MONGODB_URI: 'postgres://x', LOG_LEVEL: 'loud' });
    expect(load).to.throw(ConfigError);
    try {
      load();
    } catch (error) {
      const message = (error as Error).message;
      for (const variable of ['PORT', 'MAX_UPLOAD_BYTES', 'MONGODB_URI', 'LOG_LEVEL']) expect(message).to.contain(variable);
    }
  });

  it('prefers the OpenFaaS secrets to the environment for credentials', () => {
    const secrets = mkdtempSync(join(tmpdir(), 'segue-secrets-'));
    writeFileSync(join(secrets, 'mongodb-uri'), 'mongodb://from-secret:27017\n');
    writeFileSync(join(secrets, 'api-keys'), 'one\ntwo\n');
    const config = loadConfig({ SECRETS_DIR: secrets, MONGODB_URI: 'mongodb://from-env', API_KEYS: 'env' });
    expect(config.mongodbUri).to.equal('mongodb://from-secret:27017');
    expect(config.apiKeys).to.deep.equal(['one', 'two']);
    rmSync(secrets, { recursive: true, force: true });
  });
});
