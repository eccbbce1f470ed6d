import { rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import supertest from 'supertest';
import { createGateway, type Gateway } from '../../functions/local/gateway.js';
import type { Config } from '../../functions/local/config.js';
import { closeServer, listen } from '../../functions/shared/http/listen.js';
import { createLogger } from '../../functions/shared/logger.js';
import type { Track } from '../../functions/core/schemas/track.js';
import { scriptsServedFrom } from './browser-coverage.js';
import { testConfig } from './config.js';
import { freshDatabase, type TestDatabase } from './database.js';
import { distinctCopy, type FixtureName, fixture } from './fixtures.js';

export interface GatewayHarness {
  gateway: Gateway;
  config: Config;
  database: TestDatabase;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** the stream function's base URL */
  streamUrl: string;
  http: ReturnType<typeof supertest>;
  /** uploads a fixture through the crud function and waits until it is ready: a new track each time (a copy of its own after the first) */
  ingest(name: FixtureName, filename?: string): Promise<Track>;
  close(): Promise<void>;
}

/** Both functions (and the web player, given its built files) behind the local gateway on a loopback port, on a database of their own. */
export async function startGateway(env: Record<string, string> = {}, options: { webRoot?: string } = {}): Promise<GatewayHarness> {
  const { config, tmpDir } = await testConfig(env);
  const database = await freshDatabase();
  const gateway = createGateway({ config, database, logger: createLogger(config.logLevel, 'gateway-test'), ...options });
  const server: Server = await listen(gateway.app, 0, '127.0.0.1');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const http = supertest(origin);
  if (options.webRoot) scriptsServedFrom(`${origin}/`, options.webRoot);
  const ingested = new Set<FixtureName>();
  return {
    gateway,
    config,
    database,
    origin,
    streamUrl: `${origin}/function/stream`,
    http,
    ingest: async (name, filename) => {
      // the same bytes again would be answered with the track they made
      const file = ingested.has(name) ? await distinctCopy(name) : await fixture(name);
      ingested.add(name);
      const response = await http.post('/function/crud/tracks?wait=true').attach('file', file.path, filename ?? file.filename);
      expect(response.status, JSON.stringify(response.body)).to.equal(201);
      expect(response.body.status).to.equal('ready');
      return response.body as Track;
    },
    close: async () => {
      await gateway.crud.shutdown();
      await closeServer(server);
      await database.drop();
      await rm(tmpDir, { recursive: true, force: true });
    },
  };
}
