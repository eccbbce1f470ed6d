import type { MongoClient } from 'mongodb';
import { Counter } from 'prom-client';
import type { Registry } from './registry.js';

export type DatabaseErrorKind = 'unreachable' | 'connect_failed' | 'checkout_timeout' | 'connection_lost';
const KINDS: DatabaseErrorKind[] = ['unreachable', 'connect_failed', 'checkout_timeout', 'connection_lost'];

/**
 * Counts what goes wrong between a function and its database, from the
 * driver's own events: no store has to report anything, and nothing is added
 * to each command (the driver's command monitoring would decode every reply a
 * second time, segments included). A database that is down shows as
 * `unreachable` (its monitor's checks fail, about every 10 s, sooner while
 * operations wait); requests it fails answer 503 in the request metrics.
 */
export function watchDatabaseErrors(registry: Registry, client: MongoClient): void {
  const errors = new Counter({
    name: 'segue_database_errors_total',
    help: 'Database errors seen by the driver, by kind: unreachable (a server check failed), connect_failed, checkout_timeout (no connection free in time), connection_lost (an open connection broke)',
    labelNames: ['kind'],
    registers: [registry],
  });
  for (const kind of KINDS) errors.inc({ kind }, 0);
  client.on('serverHeartbeatFailed', () => errors.inc({ kind: 'unreachable' }));
  client.on('connectionCheckOutFailed', (event) => {
    if (event.reason === 'connectionError') errors.inc({ kind: 'connect_failed' });
    else if (event.reason === 'timeout') errors.inc({ kind: 'checkout_timeout' });
  });
  client.on('connectionClosed', (event) => {
    if (event.reason === 'error') errors.inc({ kind: 'connection_lost' });
  });
}
