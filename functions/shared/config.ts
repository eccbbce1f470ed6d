import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as z from 'zod';

const GiB = 1024 ** 3;

/** An unset or empty variable falls back to the default, so `FOO=` in a shell behaves like no FOO at all. */
const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);

const integer = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

const optionalInteger = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).optional());

const text = (fallback: string) => z.preprocess(blankToUndefined, z.string().default(fallback));

const commaList = z.preprocess(
  blankToUndefined,
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(/[,\n]/)
        .map((item) => item.trim())
        .filter(Boolean),
    ),
);

/**
 * A duration as of-watchdog reads its own settings: whole seconds (`10`), or
 * Go's notation (`10s`, `1m30s`, `500ms`).
 */
const watchdogDuration = z.preprocess(
  blankToUndefined,
  z
    .string()
    .regex(/^(\d+|(\d+(\.\d+)?(ms|s|m|h))+)$/, 'whole seconds, or a duration such as 10s or 1m30s')
    .optional()
    .transform((value) => (value === undefined ? 0 : watchdogDurationMs(value))),
);

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a duration of of-watchdog's notation (checked by the caller). */
export function watchdogDurationMs(value: string): number {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}

const flag = z.preprocess(blankToUndefined, z.enum(['true', 'false']).default('false')).transform((value) => value === 'true');

/** Long enough that guessing is hopeless, whatever the rate limits. */
export const MIN_API_KEY_LENGTH = 32;

const EnvironmentSchema = z.object({
  MONGODB_URI: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
  ),
  MONGODB_DB: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,63}$/, 'letters, digits, _ and - only (at most 63)')
      .default('segue'),
  ),
  PORT: integer(8080, 0, 65535),
  HOST: text('::'),
  METRICS_PORT: optionalInteger(0, 65535),
  DATA_DIR: text('./data'),
  MAX_UPLOAD_BYTES: integer(2 * GiB, 1),
  MAX_DURATION_SECONDS: integer(4 * 60 * 60, 1, 7 * 24 * 60 * 60),
  MAX_STAGED_BYTES: optionalInteger(1),
  MAX_QUEUED_JOBS: integer(16, 1, 10_000),
  UPLOAD_IDLE_SECONDS: integer(60, 1, 3600),
  UPLOAD_EXPIRY_HOURS: integer(24, 1, 24 * 30),
  MIN_UPLOAD_BYTES_PER_SECOND: integer(16 * 1024, 0),
  API_KEYS: commaList.refine((keys) => keys.every((key) => key.length >= MIN_API_KEY_LENGTH), {
    message: `every key must be at least ${MIN_API_KEY_LENGTH} characters (make one with: openssl rand -hex 32)`,
  }),
  ALLOW_ANONYMOUS_WRITES: flag,
  TRUST_PROXY: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^(\d{1,2}|[A-Za-z0-9.:/, -]+)$/, 'a hop count, or addresses, subnets and names (loopback, uniquelocal, …)')
      .optional(),
  ),
  CORS_ORIGINS: z.preprocess(blankToUndefined, z.string().default('*')),
  FFMPEG_PATH: z.preprocess(blankToUndefined, z.string().optional()),
  FFPROBE_PATH: z.preprocess(blankToUndefined, z.string().optional()),
  TMPDIR: text(tmpdir()),
  TRACK_TTL_DAYS: optionalInteger(1),
  LOG_LEVEL: z.preprocess(
    blankToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  LEASE_SECONDS: integer(30, 1, 3600),
  SWEEP_INTERVAL_SECONDS: integer(30, 0, 86_400),
  STREAM_CACHE_BYTES: integer(128 * 1024 * 1024, 0),
  TRACK_CACHE_MS: integer(2000, 0, 60_000),
  WRITE_RATE_LIMIT_PER_MINUTE: integer(120, 0),
  MAX_CONCURRENT_JOBS: integer(2, 1, 64),
  MAX_CONCURRENT_UPLOADS: integer(4, 1, 1000),
  SHUTDOWN_GRACE_SECONDS: integer(25, 1, 3600),
  // of-watchdog's own setting, which it passes on: how long it keeps taking requests after SIGTERM
  healthcheck_interval: watchdogDuration,
  READY_LOCK_FILE: z.preprocess(blankToUndefined, z.string().optional()),
  SECRETS_DIR: text('/var/openfaas/secrets'),
});

export type Environment = Record<string, string | undefined>;

export interface Config {
  mongodbUri: string | undefined;
  mongodbDb: string;
  port: number;
  /** the address it listens on: all of them by default; 127.0.0.1 behind of-watchdog, so only the watchdog reaches it */
  host: string;
  /** where Prometheus metrics are served, on a listener of their own (never through the gateway); unset: not at all */
  metricsPort: number | undefined;
  dataDir: string;
  maxUploadBytes: number;
  /** longest audio accepted, in seconds of decoded sound */
  maxDurationSec: number;
  /** disk a replica may hold uploads on: being received, and waiting for or in their jobs */
  maxStagedBytes: number;
  /** tracks a replica holds at once, transcoding or waiting their turn; past this, uploads get 503 */
  maxQueuedJobs: number;
  /** an upload that sends nothing this long is cut off (408) */
  uploadIdleMs: number;
  /** the slowest average an upload may keep once UPLOAD_IDLE_SECONDS have passed */
  minUploadBytesPerSecond: number;
  /** how long a resumable upload may take from its creation; then the sweeper removes what it stored */
  uploadExpiryMs: number;
  apiKeys: string[];
  /** writes without a key are meant, where the service is reachable beyond this machine */
  allowAnonymousWrites: boolean;
  /** which proxies' X-Forwarded-* headers are believed: Express's `trust proxy` (false: none) */
  trustProxy: false | number | string;
  /** `'*'` allows any origin. */
  corsOrigins: '*' | string[];
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  tmpDir: string;
  trackTtlDays: number | undefined;
  logLevel: z.infer<typeof EnvironmentSchema>['LOG_LEVEL'];
  leaseMs: number;
  /** 0 when the in-process sweeper is off (the cron-connector calls POST /sweep instead) */
  sweepIntervalMs: number;
  /** memory the stream function may hold segments and covers in */
  streamCacheBytes: number;
  /** how long the stream function trusts what it read about a track (bounds how long a deletion elsewhere goes unseen) */
  trackCacheMs: number;
  /** writes a minute per API key or client; 0 for no limit */
  writeRateLimitPerMinute: number;
  /** tracks a replica transcodes at once (each runs an ffmpeg per rung); the rest wait, holding their leases */
  maxConcurrentJobs: number;
  /** uploads a replica receives at once; past this they get 503, while reads go on */
  maxConcurrentUploads: number;
  /** after SIGTERM, how long requests still running may take; keep it under the pod's terminationGracePeriodSeconds */
  shutdownGraceMs: number;
  /** after SIGTERM, how long the watchdog in front still passes new requests on: the server answers them that long */
  drainHoldMs: number;
  /** of-watchdog's lock file, which its /_/health reads: written once the server takes requests, removed at SIGTERM */
  readyLockFile: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * OpenFaaS mounts secrets as files; they win over environment variables so
 * that credentials never have to be put in a function's environment. An empty
 * secret is a mistake (a key file never filled in), not a wish for no keys.
 */
function readSecret(secretsDir: string, name: string): string | undefined {
  const path = join(secretsDir, name);
  if (!existsSync(path)) return undefined;
  const value = readFileSync(path, 'utf8').trim();
  if (value === '') throw new ConfigError(`Invalid configuration:\n  the secret ${name} (${path}) is empty`);
  return value;
}

/** Reads and validates the configuration once, failing with every problem listed. */
export function loadConfig(env: Environment = process.env): Config {
  const secretsDir = env.SECRETS_DIR || '/var/openfaas/secrets';
  const merged = {
    ...env,
    MONGODB_URI: readSecret(secretsDir, 'mongodb-uri') ?? env.MONGODB_URI,
    API_KEYS: readSecret(secretsDir, 'api-keys') ?? env.API_KEYS,
  };
  const parsed = EnvironmentSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const variable = issue.path.join('.');
      const value = variable === 'API_KEYS' || variable === 'MONGODB_URI' ? '(not shown)' : JSON.stringify(merged[variable as keyof typeof merged] ?? '');
      return `  ${variable}=${value}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.MAX_STAGED_BYTES !== undefined && e.MAX_STAGED_BYTES < e.MAX_UPLOAD_BYTES) {
    throw new ConfigError(`Invalid configuration:\n  MAX_STAGED_BYTES=${e.MAX_STAGED_BYTES}: must hold at least one upload of MAX_UPLOAD_BYTES=${e.MAX_UPLOAD_BYTES}`);
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT !== 0 && e.METRICS_PORT === e.PORT) {
    throw new ConfigError(`Invalid configuration:\n  METRICS_PORT=${e.METRICS_PORT}: must differ from PORT, which the gateway reaches`);
  }
  // the server answers for a second past the watchdog's interval, and refuses uploads still arriving two
  // seconds before its grace ends: the second must come after the first
  if (e.healthcheck_interval + 3000 > e.SHUTDOWN_GRACE_SECONDS * 1000) {
    throw new ConfigError(
      `Invalid configuration:\n  SHUTDOWN_GRACE_SECONDS=${e.SHUTDOWN_GRACE_SECONDS}: must be at least 3 s longer than the watchdog's healthcheck_interval, during which it still passes requests on`,
    );
  }
  const corsOrigins = e.CORS_ORIGINS.trim() === '*' ? '*' : commaList.parse(e.CORS_ORIGINS);
  return {
    mongodbUri: e.MONGODB_URI,
    mongodbDb: e.MONGODB_DB,
    port: e.PORT,
    host: e.HOST,
    metricsPort: e.METRICS_PORT,
    dataDir: resolve(e.DATA_DIR),
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    maxDurationSec: e.MAX_DURATION_SECONDS,
    maxStagedBytes: e.MAX_STAGED_BYTES ?? 4 * e.MAX_UPLOAD_BYTES,
    maxQueuedJobs: e.MAX_QUEUED_JOBS,
    uploadIdleMs: e.UPLOAD_IDLE_SECONDS * 1000,
    minUploadBytesPerSecond: e.MIN_UPLOAD_BYTES_PER_SECOND,
    uploadExpiryMs: e.UPLOAD_EXPIRY_HOURS * 3_600_000,
    apiKeys: e.API_KEYS,
    allowAnonymousWrites: e.ALLOW_ANONYMOUS_WRITES,
    trustProxy: e.TRUST_PROXY === undefined ? false : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
    corsOrigins,
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    tmpDir: resolve(e.TMPDIR),
    trackTtlDays: e.TRACK_TTL_DAYS,
    logLevel: e.LOG_LEVEL,
    leaseMs: e.LEASE_SECONDS * 1000,
    sweepIntervalMs: e.SWEEP_INTERVAL_SECONDS * 1000,
    streamCacheBytes: e.STREAM_CACHE_BYTES,
    trackCacheMs: e.TRACK_CACHE_MS,
    writeRateLimitPerMinute: e.WRITE_RATE_LIMIT_PER_MINUTE,
    maxConcurrentJobs: e.MAX_CONCURRENT_JOBS,
    maxConcurrentUploads: e.MAX_CONCURRENT_UPLOADS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    drainHoldMs: e.healthcheck_interval,
    readyLockFile: e.READY_LOCK_FILE,
  };
}
