import { Writable } from 'node:stream';
import { expect } from 'chai';
import { Counter, Gauge } from 'prom-client';
import { createLogger } from '../../../../functions/shared/logger.js';
import { type MetricsServer, serveMetrics } from '../../../../functions/shared/metrics/metrics-server.js';
import { createRegistry } from '../../../../functions/shared/metrics/registry.js';

describe('the metrics server', () => {
  const registry = createRegistry();
  new Counter({ name: 'segue_test_requests_total', help: 'requests', registers: [registry] }).inc(3);
  const logged: string[] = [];
  const logger = createLogger(
    'error',
    'test',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString());
        done();
      },
    }),
  );
  let metrics: MetricsServer;
  let base: string;
  before(async () => {
    metrics = await serveMetrics(registry, { port: 0, host: '127.0.0.1', logger });
    base = `http://127.0.0.1:${metrics.address!.port}`;
  });
  after(() => metrics.close());

  it('serves the registry at /metrics in the exposition format, never cached', async () => {
    const response = await fetch(`${base}/metrics?scrape=1`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal(registry.contentType);
    expect(response.headers.get('cache-control')).to.equal('no-store');
    expect(await response.text()).to.contain('segue_test_requests_total 3');
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal(registry.contentType);
    expect(await response.text()).to.equal('');
  });

  it('refuses other methods with 405, naming the allowed ones', async () => {
    const response = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(response.status).to.equal(405);
    expect(response.headers.get('allow')).to.equal('GET, HEAD');
    expect((await response.json()).error.code).to.equal('method_not_allowed');
  });

  it('answers 404 anywhere but /metrics, saying where they are', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).to.equal(404);
    expect((await response.json()).error.message).to.contain('/metrics');
  });

  it('answers 500 and logs why when a metric cannot be collected', async () => {
    const failing = createRegistry();
    new Gauge({
      name: 'segue_test_broken',
      help: 'a gauge whose source is gone',
      registers: [failing],
      collect() {
        throw new Error('the source is gone');
      },
    });
    const server = await serveMetrics(failing, { port: 0, host: '127.0.0.1', logger });
    try {
      const response = await fetch(`http://127.0.0.1:${server.address!.port}/metrics`);
      expect(response.status).to.equal(500);
      expect((await response.json()).error.code).to.equal('internal_error');
      expect(logged.join('')).to.contain('could not collect the metrics').and.to.contain('the source is gone');
    } finally {
      await server.close();
    }
  });

  it('serves nothing when no port is configured', async () => {
    const none = await serveMetrics(registry, { port: undefined, logger });
    expect(none.address).to.equal(undefined);
    await none.close();
  });
});
