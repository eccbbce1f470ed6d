import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { load } from 'js-yaml';
import { endpoints, expressPath } from '../../../functions/core/endpoints.js';
import { freshDatabase, type TestDatabase, testDatabaseUri } from '../../support/database.js';
import { fixture } from '../../support/fixtures.js';
import { freePort } from '../../support/net.js';
import { startService } from '../../support/npm-start.js';
import { scrape } from '../../support/prometheus.js';

const REQUESTS = 'segue_http_request_duration_seconds_count';

interface AlertRules {
  groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
}

describe('npm start’s Prometheus metrics', function () {
  this.timeout(180_000);
  let database: TestDatabase;
  let child: ChildProcess | undefined;
  let base: string;
  let metricsUrl: string;

  before(async () => {
    database = await freshDatabase();
    const metricsPort = await freePort();
    const env = { ...process.env, PORT: '0', METRICS_PORT: String(metricsPort), MONGODB_URI: testDatabaseUri(), MONGODB_DB: database.name, LOG_LEVEL: 'warn' };
    const started = await startService(env);
    child = started.child;
    base = started.base;
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    expect(started.lines, 'it says where its metrics are').to.include(`  metrics:  ${metricsUrl}`);
  });
  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
    await database?.drop();
  });

  it('serves the three functions from one registry, told apart by their function label', async () => {
    const file = await fixture('oneSecondWav');
    const form = new FormData();
    form.append('file', new Blob([await readFile(file.path)], { type: 'audio/wav' }), file.filename);
    const upload = await fetch(`${base}/function/crud/tracks?wait=true`, { method: 'POST', body: form });
    expect(upload.status).to.equal(201);
    const { id } = (await upload.json()) as { id: string };
    expect((await fetch(`${base}/function/stream/tracks/${id}/master.m3u8`)).status).to.equal(200);
    // the player is built by `npm start` itself (prestart), not by this test: its status is whatever it is
    const player = await fetch(`${base}/`);

    const metrics = await scrape(metricsUrl);
    expect(metrics.sum(REQUESTS, { function: 'crud', method: 'POST', route: '/tracks', status_code: '201' })).to.equal(1);
    expect(metrics.sum(REQUESTS, { function: 'stream', method: 'GET', route: '/tracks/:id/master.m3u8', status_code: '200' })).to.equal(1);
    expect(metrics.sum(REQUESTS, { function: 'web' })).to.equal(1);
    expect(metrics.sum(REQUESTS, { function: 'web', status_code: String(player.status) })).to.equal(1);
    expect(metrics.sum('segue_jobs_finished_total', { outcome: 'ready' })).to.equal(1);
    expect(metrics.matching('segue_stream_cache_size_bytes')).to.have.length(1);
    expect(metrics.matching('process_cpu_user_seconds_total')).to.have.length(1);
  });

  it('keeps them off the public port: /function/crud/metrics and /function/stream/metrics are 404', async () => {
    for (const path of ['/function/crud/metrics', '/function/stream/metrics', '/metrics']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).to.equal(404);
      expect(await response.text(), path).to.not.contain('segue_');
    }
  });

  it('exports every metric, function and route the example alert rules name', async () => {
    const rules = (load(await readFile('deploy/prometheus/alerts.yml', 'utf8')) as AlertRules).groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.alert)).to.include.members(['SegueStreamLatencyHigh', 'SegueApiLatencyHigh', 'SegueJobQueueStuck']);
    const exported = new Set((await scrape(metricsUrl)).samples.map((sample) => sample.name));
    const patterns = Object.values(endpoints).map((spec) => expressPath(spec.path));
    for (const { alert, expr } of rules) {
      const names = expr.match(/\bsegue_[a-z_]+/g) ?? [];
      expect(names, alert).to.not.be.empty;
      for (const name of names) expect(exported.has(name), `${alert}: ${name}`).to.equal(true);
      for (const [, route] of expr.matchAll(/route!?="([^"]+)"/g)) expect(patterns, `${alert}: ${route}`).to.include(route);
      for (const [, fn] of expr.matchAll(/function!?="([^"]+)"/g)) expect(['crud', 'stream', 'web'], `${alert}: ${fn}`).to.include(fn);
    }
  });
});
