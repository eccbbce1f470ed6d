import { createLogger } from '../shared/logger.js';
import { buildFerretdb } from './embedded-database.js';

/** `npm run db:build`: builds the embedded database ahead of time (CI does this before the tests). */
const binary = await buildFerretdb(createLogger('info', 'db-build'));
console.log(`embedded database ready: ${binary}`);
