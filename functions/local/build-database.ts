import { createLogger } from '../shared/logger.js';
import { buildDatabaseJar } from './database-jar.js';

/** `npm run db:build`: builds the embedded database ahead of time (CI does this before the tests). */
const jar = await buildDatabaseJar(createLogger('info', 'db-build'));
console.log(`embedded database ready: ${jar}`);
