import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Document } from 'mongodb';
import { openDatabase, type RunningDatabase } from '../../functions/local/embedded-database.js';
import { createLogger } from '../../functions/shared/logger.js';
import { connectDatabase, type Database } from '../../functions/shared/storage/database.js';
import { newReplicaId } from '../../functions/shared/ids.js';

let engine: RunningDatabase | undefined;
let dataDir: string | undefined;

/** One database server for the whole run: MONGODB_URI when set, else the embedded one. */
export async function startTestDatabase(): Promise<void> {
  dataDir = await mkdtemp(join(tmpdir(), 'segue-test-db-'));
  engine = await openDatabase(process.env.MONGODB_URI, dataDir, createLogger('warn', 'test-db'));
}

export async function stopTestDatabase(): Promise<void> {
  await engine?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

export function testDatabaseUri(): string {
  if (!engine) throw new Error('the test database has not been started');
  return engine.uri;
}

export interface TestDatabase extends Database {
  name: string;
  /** drops the database and disconnects */
  drop(): Promise<void>;
}

/** A database of its own for one suite, so suites never see each other's tracks. */
export async function freshDatabase(): Promise<TestDatabase> {
  const name = `segue_test_${newReplicaId()}`;
  const database = await connectDatabase(testDatabaseUri(), name);
  return {
    ...database,
    name,
    drop: async () => {
      await database.db.dropDatabase();
      await database.close();
    },
  };
}

/**
 * The same database, except that the answer to an update of a track that
 * `which` picks comes `ms` after the update is done: a database slow to
 * answer, on cue.
 */
export function answeringLate(database: TestDatabase, ms: number, which: (update: Document) => boolean): TestDatabase {
  const tracks = new Proxy(database.tracks, {
    get(target, key, receiver) {
      if (key !== 'updateOne') return Reflect.get(target, key, receiver);
      const updateOne: typeof target.updateOne = async (filter, update, options) => {
        const result = await target.updateOne(filter, update, options);
        if (which(update)) await sleep(ms);
        return result;
      };
      return updateOne;
    },
  });
  return { ...database, tracks };
}

/**
 * The same object (a store, a collection), except that its method `key` is
 * `wrap` of the real one: to count calls, or to make one fail or be slow,
 * while everything else goes to the real thing.
 */
export function wrapMethod<T extends object, K extends keyof T>(target: T, key: K, wrap: (real: T[K]) => T[K]): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (property !== key || typeof value !== 'function') return value;
      return wrap(value.bind(object) as T[K]);
    },
  });
}
