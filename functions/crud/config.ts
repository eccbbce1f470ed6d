import { browserFacingSettings, databaseSettings, processChecks, processSettings, tempSettings } from '../shared/config/process-settings.js';
import { commaList, type ConfigCheck, type ConfigOf, type Environment, flag, integer, loadSettings, optionalInteger, optionalPattern, optionalText, seconds, setting } from '../shared/config/settings.js';

const GiB = 1024 ** 3;

/** Long enough that guessing is hopeless, whatever the rate limits. */
const MIN_API_KEY_LENGTH = 32;

/** What the crud function reads besides its process's settings. */
const ownSettings = {
  maxUploadBytes: setting('MAX_UPLOAD_BYTES', integer(2 * GiB, 1)),
  /** longest audio accepted, in seconds of decoded sound */
  maxDurationSec: setting('MAX_DURATION_SECONDS', integer(4 * 60 * 60, 1, 7 * 24 * 60 * 60)),
  /** disk a replica may hold uploads on (being received, and waiting for or in their jobs); 4 × MAX_UPLOAD_BYTES when unset */
  maxStagedBytes: setting('MAX_STAGED_BYTES', optionalInteger(1)),
  /** tracks a replica holds at once, transcoding or waiting their turn; past this, uploads get 503 */
  maxQueuedJobs: setting('MAX_QUEUED_JOBS', integer(16, 1, 10_000)),
  /** an upload that sends nothing this long is cut off (408) */
  uploadIdleMs: setting('UPLOAD_IDLE_SECONDS', seconds(60, 1, 3600)),
  /** the slowest average an upload may keep once UPLOAD_IDLE_SECONDS have passed */
  minUploadBytesPerSecond: setting('MIN_UPLOAD_BYTES_PER_SECOND', integer(16 * 1024, 0)),
  /** how long a resumable upload may take from its creation; then the sweeper removes what it stored */
  uploadExpiryMs: setting('UPLOAD_EXPIRY_HOURS', integer(24, 1, 24 * 30).transform((hours) => hours * 3_600_000)),
  apiKeys: setting(
    'API_KEYS',
    commaList.refine((keys) => keys.every((key) => key.length >= MIN_API_KEY_LENGTH), {
      message: `every key must be at least ${MIN_API_KEY_LENGTH} characters (make one with: openssl rand -hex 32)`,
    }),
    { secret: 'api-keys' },
  ),
  /** writes without a key are meant, where the service is reachable beyond this machine */
  allowAnonymousWrites: setting('ALLOW_ANONYMOUS_WRITES', flag),
  /** which proxies' X-Forwarded-* headers are believed: Express's `trust proxy` (false: none) */
  trustProxy: setting(
    'TRUST_PROXY',
    optionalPattern(/^(\d{1,2}|[A-Za-z0-9.:/, -]+)$/, 'a hop count, or addresses, subnets and names (loopback, uniquelocal, …)').transform(
      (value): false | number | string => (value === undefined ? false : /^\d+$/.test(value) ? Number(value) : value),
    ),
  ),
  ffmpegPath: setting('FFMPEG_PATH', optionalText()),
  ffprobePath: setting('FFPROBE_PATH', optionalText()),
  trackTtlDays: setting('TRACK_TTL_DAYS', optionalInteger(1)),
  leaseMs: setting('LEASE_SECONDS', seconds(30, 1, 3600)),
  /** 0 when the in-process sweeper is off (the cron-connector calls POST /sweep instead) */
  sweepIntervalMs: setting('SWEEP_INTERVAL_SECONDS', seconds(30, 0, 86_400)),
  /** writes a minute per API key or client; 0 for no limit */
  writeRateLimitPerMinute: setting('WRITE_RATE_LIMIT_PER_MINUTE', integer(120, 0)),
  /** tracks a replica transcodes at once (each runs an ffmpeg per rung); the rest wait, holding their leases */
  maxConcurrentJobs: setting('MAX_CONCURRENT_JOBS', integer(2, 1, 64)),
  /** uploads a replica receives at once; past this they get 503, while reads go on */
  maxConcurrentUploads: setting('MAX_CONCURRENT_UPLOADS', integer(4, 1, 1000)),
};

export const crudSettings = { ...processSettings, ...databaseSettings, ...browserFacingSettings, ...tempSettings, ...ownSettings };

export type CrudConfig = ConfigOf<typeof crudSettings>;

export const crudChecks: Array<ConfigCheck<typeof crudSettings>> = [
  ...processChecks,
  ({ maxStagedBytes, maxUploadBytes }) =>
    maxStagedBytes !== undefined && maxStagedBytes < maxUploadBytes
      ? `MAX_STAGED_BYTES=${maxStagedBytes}: must hold at least one upload of MAX_UPLOAD_BYTES=${maxUploadBytes}`
      : undefined,
];

/** Disk a replica may hold uploads on: MAX_STAGED_BYTES, or room for four of the largest. */
export const stagedBytesLimit = ({ maxStagedBytes, maxUploadBytes }: Pick<CrudConfig, 'maxStagedBytes' | 'maxUploadBytes'>) => maxStagedBytes ?? 4 * maxUploadBytes;

export const loadCrudConfig = (env: Environment = process.env): CrudConfig => loadSettings(crudSettings, crudChecks, env);
