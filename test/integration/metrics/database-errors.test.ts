import { expect } from 'chai';
import { createLogger } from '../../../functions/shared/logger.js';
import { watchDatabaseErrors } from '../../../functions/shared/metrics/database-metrics.js';
import { serveMetrics } from '../../../functions/shared/metrics/metrics-server.js';
import { createRegistry } from '../../../functions/shared/metrics/registry.js';
import { createDatabase } from '../../../functions/shared/storage/database.js';
import { freePort } from '../../support/net.js';
import { scrape } from '../../support/prometheus.js';

describe('database error metrics', () => {
  it('count a database that cannot be reached as unreachable', async () => {
    const database = createDatabase(`mongodb://127.0.0.1:${await freePort()}/`, 'segue', { serverSelectionTimeoutMS: 500 });
    const registry = createRegistry();
    watchDatabaseErrors(registry, database.client);
    const metrics = await serveMetrics(registry, { port: 0, host: '127.0.0.1', logger: createLogger('silent', 'test') });
    try {
      const url = `http://127.0.0.1:${metrics.address!.port}/metrics`;
      expect((await scrape(url)).sum('segue_database_errors_total')).to.equal(0);
      const failure = await database.ping().then(
        () => expect.fail('nothing listens there'),
        (error: Error) => error,
      );
      expect(failure.name).to.equal('MongoServerSelectionError');
      expect((await scrape(url)).sum('segue_database_errors_total', { kind: 'unreachable' })).to.be.greaterThan(0);
    } finally {
      await metrics.close();
      await database.close();
    }
  });
});
