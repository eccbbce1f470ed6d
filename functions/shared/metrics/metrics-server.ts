import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError } from '../http/http-error.js';
import { errorAnswer, sendError, writeAnswer } from '../http/json-answer.js';
import { closeServer, listen } from '../http/listen.js';
import type { Logger } from '../logger.js';
import type { Registry } from './registry.js';

/** `GET /metrics`: the registry in Prometheus' text exposition format. */
export function metricsListener(registry: Registry, logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if ((req.url ?? '/').split('?', 1)[0] !== '/metrics') return sendError(res, new HttpError('not_found', 'Metrics are at /metrics'), logger, req.url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(res, new HttpError('method_not_allowed', `${req.method} is not allowed on /metrics`), logger, req.url);
    }
    registry.metrics().then(
      (text) => {
        res.setHeader('Content-Type', registry.contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        // logged once, here, with what went wrong
        logger.error({ err: error }, 'could not collect the metrics');
        writeAnswer(res, errorAnswer(new HttpError('internal_error', 'The metrics could not be collected'), undefined));
      },
    );
  };
}

export interface MetricsServer {
  /** where it listens; undefined when METRICS_PORT is unset */
  address: AddressInfo | undefined;
  close(): Promise<void>;
}

/**
 * Serves the metrics on a port of their own, never the one the gateway
 * forwards to: they are for the operator's Prometheus, not for the public.
 * Without a port configured, nothing is served.
 */
export async function serveMetrics(registry: Registry, { port, host, logger }: { port: number | undefined; host?: string; logger: Logger }): Promise<MetricsServer> {
  if (port === undefined) return { address: undefined, close: async () => {} };
  const server = await listen(metricsListener(registry, logger), port, host);
  const address = server.address() as AddressInfo;
  logger.info({ address }, 'metrics listening');
  return { address, close: () => closeServer(server) };
}
