import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../../functions/local/config.js';
import { loadCrudConfig, stagedBytesLimit } from '../../../functions/crud/config.js';
import { loadProcessConfig } from '../../../functions/shared/config/process-settings.js';
import { ConfigError } from '../../../functions/shared/config/settings.js';
import { loadStreamConfig } from '../../../functions/stream/config.js';

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
    const [a, b, c] = ['a', 'b', 'c'].map((letter) => letter.repeat(32));
    const config = loadConfig({ ...noSecrets, API_KEYS: `${a}, ${b},,${c}`, CORS_ORIGINS: 'https://a.example, https://b.example', MAX_UPLOAD_BYTES: '1000' });
    expect(config.apiKeys).to.deep.equal([a, b, c]);
    expect(config.corsOrigins).to.deep.equal(['https://a.example', 'https://b.example']);
    expect(config.maxUploadBytes).to.equal(1000);
  });

  it('sweeps every 30 seconds by default, and never when SWEEP_INTERVAL_SECONDS is 0', () => {
    expect(loadConfig(noSecrets).sweepIntervalMs).to.equal(30_000);
    expect(loadConfig({ ...noSecrets, SWEEP_INTERVAL_SECONDS: '0' }).sweepIntervalMs).to.equal(0);
    expect(() => loadConfig({ ...noSecrets, SWEEP_INTERVAL_SECONDS: '-1' })).to.throw(ConfigError, 'SWEEP_INTERVAL_SECONDS');
  });

  it('serves no metrics unless METRICS_PORT is set, and never on PORT', () => {
    expect(loadConfig(noSecrets).metricsPort).to.equal(undefined);
    expect(loadConfig({ ...noSecrets, METRICS_PORT: '9464' }).metricsPort).to.equal(9464);
    expect(() => loadConfig({ ...noSecrets, PORT: '9464', METRICS_PORT: '9464' })).to.throw(ConfigError, 'METRICS_PORT');
    expect(() => loadConfig({ ...noSecrets, METRICS_PORT: '70000' })).to.throw(ConfigError, 'METRICS_PORT');
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
    const [one, two] = ['1', '2'].map((digit) => digit.repeat(32));
    writeFileSync(join(secrets, 'api-keys'), `${one}\n${two}\n`);
    const config = loadConfig({ SECRETS_DIR: secrets, MONGODB_URI: 'mongodb://from-env', API_KEYS: 'env' });
    expect(config.mongodbUri).to.equal('mongodb://from-secret:27017');
    expect(config.apiKeys).to.deep.equal([one, two]);
    rmSync(secrets, { recursive: true, force: true });
  });

  it('refuses API keys shorter than 32 characters, and never repeats a key or a password in its message', () => {
    const load = () => loadConfig({ ...noSecrets, API_KEYS: 'short-key', MONGODB_URI: 'postgres://user:hunter2@db' });
    expect(load).to.throw(ConfigError, 'at least 32 characters');
    try {
      load();
    } catch (error) {
      expect((error as Error).message).to.not.contain('short-key').and.to.not.contain('hunter2');
    }
  });

  it('keeps anonymous writes off and trusts no proxy unless told', () => {
    expect(loadConfig(noSecrets)).to.include({ allowAnonymousWrites: false, trustProxy: false });
    expect(loadConfig({ ...noSecrets, ALLOW_ANONYMOUS_WRITES: 'true', TRUST_PROXY: '2' })).to.include({ allowAnonymousWrites: true, trustProxy: 2 });
    expect(loadConfig({ ...noSecrets, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).to.equal('loopback, 10.0.0.0/8');
    expect(() => loadConfig({ ...noSecrets, ALLOW_ANONYMOUS_WRITES: 'yes please' })).to.throw(ConfigError, 'ALLOW_ANONYMOUS_WRITES');
  });

  it('listens everywhere and drains at once by default; behind of-watchdog, as its settings say', () => {
    expect(loadConfig(noSecrets)).to.include({ host: '::', drainHoldMs: 0, shutdownGraceMs: 25_000, maxConcurrentUploads: 4, readyLockFile: undefined });
    const behind = loadConfig({ ...noSecrets, HOST: '127.0.0.1', healthcheck_interval: '10s', SHUTDOWN_GRACE_SECONDS: '25', READY_LOCK_FILE: '/tmp/.lock' });
    expect(behind).to.include({ host: '127.0.0.1', drainHoldMs: 10_000, readyLockFile: '/tmp/.lock' });
  });

  it("reads healthcheck_interval as of-watchdog does: whole seconds, or Go's durations", () => {
    const hold = (value: string) => loadConfig({ ...noSecrets, healthcheck_interval: value, SHUTDOWN_GRACE_SECONDS: '3600' }).drainHoldMs;
    expect([hold('7'), hold('10s'), hold('1m30s'), hold('1500ms'), hold('0.5m')]).to.deep.equal([7000, 10_000, 90_000, 1500, 30_000]);
    expect(() => hold('ten seconds')).to.throw(ConfigError, 'healthcheck_interval');
  });

  it('refuses a grace period that ends before the watchdog has stopped passing requests on', () => {
    expect(() => loadConfig({ ...noSecrets, healthcheck_interval: '10s', SHUTDOWN_GRACE_SECONDS: '12' })).to.throw(ConfigError, 'SHUTDOWN_GRACE_SECONDS=12');
    expect(loadConfig({ ...noSecrets, healthcheck_interval: '10s', SHUTDOWN_GRACE_SECONDS: '13' }).shutdownGraceMs).to.equal(13_000);
  });

  it('gives each function its own settings, checked on its own', () => {
    const stream = loadStreamConfig({ ...noSecrets, MAX_UPLOAD_BYTES: 'not read here' });
    expect(stream).to.include.keys('streamCacheBytes', 'trackCacheMs', 'corsOrigins', 'mongodbUri', 'port');
    expect(stream).to.not.have.any.keys('maxUploadBytes', 'apiKeys', 'tmpDir', 'dataDir');
    const crud = loadCrudConfig({ ...noSecrets, STREAM_CACHE_BYTES: 'not read here' });
    expect(crud).to.include.keys('maxUploadBytes', 'apiKeys', 'tmpDir', 'corsOrigins', 'port');
    expect(crud).to.not.have.any.keys('streamCacheBytes', 'trackCacheMs', 'dataDir');
    expect(() => loadCrudConfig({ ...noSecrets, MAX_UPLOAD_BYTES: 'not read here' })).to.throw(ConfigError, 'MAX_UPLOAD_BYTES');
    expect(Object.keys(loadProcessConfig(noSecrets)).sort()).to.deep.equal(['drainHoldMs', 'host', 'logLevel', 'metricsPort', 'port', 'readyLockFile', 'shutdownGraceMs']);
  });

  it('lets a replica stage four of the largest uploads unless MAX_STAGED_BYTES says otherwise, never less than one', () => {
    expect(stagedBytesLimit(loadCrudConfig({ ...noSecrets, MAX_UPLOAD_BYTES: '1000' }))).to.equal(4000);
    expect(stagedBytesLimit(loadCrudConfig({ ...noSecrets, MAX_UPLOAD_BYTES: '1000', MAX_STAGED_BYTES: '1500' }))).to.equal(1500);
    expect(() => loadCrudConfig({ ...noSecrets, MAX_UPLOAD_BYTES: '1000', MAX_STAGED_BYTES: '999' })).to.throw(ConfigError, 'MAX_STAGED_BYTES=999');
  });
});
