import { resolve } from 'node:path';
import { crudChecks, crudSettings } from '../crud/config.js';
import { type ConfigOf, type Environment, loadSettings, setting, text } from '../shared/config/settings.js';
import { streamSettings } from '../stream/config.js';

/** The whole service in one process (`npm start`): every function's settings, and where the embedded database keeps its files. */
export const serviceSettings = {
  ...crudSettings,
  ...streamSettings,
  dataDir: setting('DATA_DIR', text('./data').transform((path) => resolve(path))),
};

export type Config = ConfigOf<typeof serviceSettings>;

export const loadConfig = (env: Environment = process.env): Config => loadSettings(serviceSettings, crudChecks, env);
