import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import * as z from 'zod';
import { type ConfigCheck, type ConfigOf, type Environment, integer, loadSettings, optionalInteger, optionalPattern, optionalText, seconds, setting, text, anyOrList, watchdogDuration } from './settings.js';

/** What every function's process reads: where it listens, how it logs, how it stops. */
export const processSettings = {
  port: setting('PORT', integer(8080, 0, 65535)),
  /** the address it listens on: all of them by default; 127.0.0.1 behind of-watchdog, so only the watchdog reaches it */
  host: setting('HOST', text('::')),
  /** where Prometheus metrics are served, on a listener of their own (never through the gateway); unset: not at all */
  metricsPort: setting('METRICS_PORT', optionalInteger(0, 65535)),
  logLevel: setting('LOG_LEVEL', text('info').pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))),
  /** after SIGTERM, how long requests still running may take; keep it under the pod's terminationGracePeriodSeconds */
  shutdownGraceMs: setting('SHUTDOWN_GRACE_SECONDS', seconds(25, 1, 3600)),
  /**
   * after SIGTERM, how long the watchdog in front still passes new requests on: the server answers them that
   * long. It is of-watchdog's own setting, which the watchdog passes on.
   */
  drainHoldMs: setting('healthcheck_interval', watchdogDuration),
  /** of-watchdog's lock file, which its /_/health reads: written once the server takes requests, removed at SIGTERM */
  readyLockFile: setting('READY_LOCK_FILE', optionalText()),
};

export const processChecks: Array<ConfigCheck<typeof processSettings>> = [
  ({ metricsPort, port }) =>
    metricsPort !== undefined && metricsPort !== 0 && metricsPort === port ? `METRICS_PORT=${metricsPort}: must differ from PORT, which the gateway reaches` : undefined,
  // the server answers for a second past the watchdog's interval, and refuses uploads still arriving two
  // seconds before its grace ends: the second must come after the first
  ({ drainHoldMs, shutdownGraceMs }) =>
    drainHoldMs + 3000 > shutdownGraceMs
      ? `SHUTDOWN_GRACE_SECONDS=${shutdownGraceMs / 1000}: must be at least 3 s longer than the watchdog's healthcheck_interval, during which it still passes requests on`
      : undefined,
];

/** What the functions that keep data read: the database. */
export const databaseSettings = {
  mongodbUri: setting('MONGODB_URI', optionalPattern(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://'), { secret: 'mongodb-uri' }),
  mongodbDb: setting('MONGODB_DB', text('segue').pipe(z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'letters, digits, _ and - only (at most 63)'))),
};

/** What the functions browsers call read. */
export const browserFacingSettings = {
  /** `'*'` allows any origin */
  corsOrigins: setting('CORS_ORIGINS', anyOrList),
};

/** Where a function writes what it works on. */
export const tempSettings = {
  tmpDir: setting('TMPDIR', text(tmpdir()).transform((path) => resolve(path))),
};

export type ProcessConfig = ConfigOf<typeof processSettings>;

export const loadProcessConfig = (env: Environment = process.env): ProcessConfig => loadSettings(processSettings, processChecks, env);
