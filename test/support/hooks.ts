import { startTestDatabase, stopTestDatabase } from './database.js';
import { removeFixtures } from './fixtures.js';
import { killLeftoverProcesses } from './function-process.js';

/** Mocha root hooks: the database server lives for the whole run. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    // the first run may build the embedded database
    this.timeout(600_000);
    await startTestDatabase();
  },
  async afterAll() {
    killLeftoverProcesses();
    await stopTestDatabase();
    await removeFixtures();
  },
};
