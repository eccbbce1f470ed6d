import { resolve } from 'node:path';
import { runFunction } from '../shared/boot.js';
import { createApp } from './app.js';
import { loadProcessConfig } from '../shared/config/process-settings.js';

/** The web function's entry: serves the player built into `web/dist` under the working directory (/home/app in the image). */
await runFunction('web', { needsDatabase: false, loadConfig: loadProcessConfig }, ({ registry }) => ({ listener: createApp({ root: resolve('web/dist'), registry }) }));
