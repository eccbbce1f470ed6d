import { browserFacingSettings, databaseSettings, processChecks, processSettings } from '../shared/config/process-settings.js';
import { type ConfigOf, type Environment, integer, loadSettings, setting } from '../shared/config/settings.js';

export const streamSettings = {
  ...processSettings,
  ...databaseSettings,
  ...browserFacingSettings,
  /** memory the stream function may hold segments and covers in */
  streamCacheBytes: setting('STREAM_CACHE_BYTES', integer(128 * 1024 * 1024, 0)),
  /** how long the stream function trusts what it read about a track (bounds how long a deletion elsewhere goes unseen) */
  trackCacheMs: setting('TRACK_CACHE_MS', integer(2000, 0, 60_000)),
};

export type StreamConfig = ConfigOf<typeof streamSettings>;

export const loadStreamConfig = (env: Environment = process.env): StreamConfig => loadSettings(streamSettings, processChecks, env);
