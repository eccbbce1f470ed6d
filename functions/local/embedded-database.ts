import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import which from 'which';
import { buildGoBinaryOnce, GO_ENV, runGo } from './go-build.js';

export interface RunningDatabase {
  uri: string;
  /** what is serving it, for the start-up message */
  engine: string;
  /** the server's process, when this project started one */
  pid?: number;
  stop(): Promise<void>;
}

const FERRETDB_MODULE = fileURLToPath(new URL('./ferretdb/', import.meta.url));
const BUILD_CACHE = fileURLToPath(new URL('../../.cache/ferretdb/', import.meta.url));
const START_TIMEOUT_MS = 30_000;

const NO_DATABASE_HELP = [
  'No database to run on. Any one of these fixes it:',
  '  - install Go 1.22 or newer: the embedded FerretDB builds itself on the first start;',
  '  - put a MongoDB `mongod` on PATH;',
  '  - set MONGODB_URI to a MongoDB you run (for example mongodb://127.0.0.1:27017).',
].join('\n');

/** The built binary's name carries a hash of its sources, so a changed module is rebuilt. */
async function ferretdbBinaryPath(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(await readFile(join(FERRETDB_MODULE, file)));
  return join(BUILD_CACHE, `segue-ferretdb-${hash.digest('hex').slice(0, 12)}`);
}

/** Builds FerretDB through the Go module proxy the first time; later starts reuse the cached binary. */
export async function buildFerretdb(logger: Logger): Promise<string> {
  return buildGoBinaryOnce(await ferretdbBinaryPath(), 'Go is not installed', async (go, partial) => {
    logger.info('building the embedded database (FerretDB v1.24.2 with SQLite) once; this takes a minute or two');
    await runGo(go, ['build', '-tags', 'ferretdb_no_postgresql', '-trimpath', '-o', partial, '.'], {
      cwd: FERRETDB_MODULE,
      env: GO_ENV,
      maxBuffer: 16 * 1024 * 1024,
    });
  });
}

function stopChild(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.stdin.end();
    child.kill('SIGTERM');
  });
}

async function startFerretdb(binary: string, dataDir: string, logger: Logger): Promise<RunningDatabase> {
  const child = spawn(binary, ['-listen', '127.0.0.1:0', '-dir', join(dataDir, 'ferretdb'), '-log-level', 'error'], { stdio: 'pipe' });
  createInterface({ input: child.stderr }).on('line', (line) => logger.warn({ engine: 'ferretdb' }, line));
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('FerretDB did not start in time')), START_TIMEOUT_MS);
    const settle = (error: Error | undefined, value?: string) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value!);
    };
    child.once('error', (error) => settle(error));
    child.once('exit', (code) => settle(new Error(`FerretDB exited with code ${code} before it was ready`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      try {
        settle(undefined, (JSON.parse(line) as { uri: string }).uri);
      } catch {
        settle(new Error(`unexpected output from FerretDB: ${line}`));
      }
    });
  }).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  return { uri, engine: 'FerretDB v1.24.2 (SQLite)', pid: child.pid, stop: () => stopChild(child) };
}

/** A real mongod: from PATH if there is one, else fetched by mongodb-memory-server where the network allows. */
async function startMongod(dataDir: string): Promise<RunningDatabase> {
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const dbPath = join(dataDir, 'mongod');
  await mkdir(dbPath, { recursive: true });
  const systemBinary = which.sync('mongod', { nothrow: true }) ?? undefined;
  const server = await MongoMemoryServer.create({
    instance: { dbPath, storageEngine: 'wiredTiger', ip: '127.0.0.1' },
    ...(systemBinary ? { binary: { systemBinary } } : {}),
  });
  return {
    uri: server.getUri(),
    engine: systemBinary ? `mongod (${systemBinary})` : 'mongod (mongodb-memory-server)',
    stop: async () => {
      await server.stop({ doCleanup: false });
    },
  };
}

/**
 * The database `npm start` and `npm test` run on when MONGODB_URI is unset:
 * FerretDB built with Go, else a mongod. Data lives under `dataDir`.
 */
export async function startEmbeddedDatabase(dataDir: string, logger: Logger): Promise<RunningDatabase> {
  const problems: string[] = [];
  try {
    return await startFerretdb(await buildFerretdb(logger), dataDir, logger);
  } catch (error) {
    problems.push(`FerretDB: ${(error as Error).message}`);
  }
  try {
    return await startMongod(dataDir);
  } catch (error) {
    problems.push(`mongod: ${(error as Error).message}`);
  }
  throw new Error(`${NO_DATABASE_HELP}\n(${problems.join('; ')})`);
}

/** The configured database, or the embedded one. */
export async function openDatabase(
  mongodbUri: string | undefined,
  dataDir: string,
  logger: Logger,
): Promise<RunningDatabase> {
  if (mongodbUri) return { uri: mongodbUri, engine: 'MONGODB_URI', stop: async () => {} };
  return startEmbeddedDatabase(dataDir, logger);
}
