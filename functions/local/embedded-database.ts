import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import which from 'which';
import { buildDatabaseJar, DATABASE_ENGINE, JAVA_HELP } from './database-jar.js';

export interface RunningDatabase {
  uri: string;
  /** what is serving it, for the start-up message */
  engine: string;
  /** the server's process, when this project runs one (it changes when the process is restarted) */
  readonly pid?: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/**
 * Sized so the whole process stays under 300 MB of resident memory with a
 * library of a thousand tracks: the documents it handles are at most a few
 * MB (a segment, a chunk of an original), and its page cache is bounded by
 * `--cache-mb`. Out of memory, it exits and is restarted rather than limping on.
 * Its work is mostly copying bytes: the optimising compiler (C2) cost more
 * CPU compiling than its code saved (0.4–1.4 s against 0.25 s of database
 * CPU per 5-minute ingest), so only the quick one runs.
 */
const JVM_OPTIONS = [
  '-XX:TieredStopAtLevel=1',
  '-Xms32m',
  '-Xmx160m',
  '-XX:+UseSerialGC',
  '-XX:MaxDirectMemorySize=32m',
  '-XX:ReservedCodeCacheSize=32m',
  '-XX:MaxMetaspaceSize=64m',
  '-Xss512k',
  '-XX:+ExitOnOutOfMemoryError',
  '-Dio.netty.allocator.type=unpooled',
];

/** Restart delays after the database process dies: quick at first, then backing off. */
const RESTART_DELAYS_MS = [200, 500, 1000, 2000, 5000];
/** A process that lived this long counts as healthy: the next death starts the back-off over. */
const HEALTHY_AFTER_MS = 60_000;

interface DatabaseProcess {
  child: ChildProcessWithoutNullStreams;
  uri: string;
  startedAt: number;
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

/** Starts the server process and waits for the line that gives its URI. */
async function spawnDatabase(java: string, jar: string, file: string, port: number, logger: Logger): Promise<DatabaseProcess> {
  const args = [...JVM_OPTIONS, '-jar', jar, '--listen', `127.0.0.1:${port}`, '--file', file];
  const child = spawn(java, args, { stdio: 'pipe' });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 20) stderr.shift();
    logger.warn({ engine: 'embedded database' }, line);
  });
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the embedded database did not start in time')), START_TIMEOUT_MS);
    const settle = (error: Error | undefined, value?: string) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value!);
    };
    child.once('error', (error) => settle(error));
    child.once('exit', (code) => {
      const tooOld = stderr.some((line) => line.includes('UnsupportedClassVersionError'));
      settle(new Error(tooOld ? JAVA_HELP : `the embedded database exited with code ${code} before it was ready: ${stderr.join('\n')}`));
    });
    createInterface({ input: child.stdout }).once('line', (line) => {
      try {
        settle(undefined, (JSON.parse(line) as { uri: string }).uri);
      } catch {
        settle(new Error(`unexpected output from the embedded database: ${line}`));
      }
    });
  }).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  return { child, uri, startedAt: Date.now() };
}

/**
 * The embedded database under supervision: if its process dies it is started
 * again on the same port, with back-off, so clients reconnect to the same URI
 * and find every acknowledged write (the server writes each one to its file
 * before it answers).
 */
export class EmbeddedDatabase implements RunningDatabase {
  readonly engine = DATABASE_ENGINE;
  private stopping = false;
  private restarts = 0;
  private restarting: Promise<void> | undefined;

  private constructor(
    private current: DatabaseProcess,
    private readonly launch: (port: number) => Promise<DatabaseProcess>,
    private readonly logger: Logger,
  ) {
    this.watch(current);
  }

  /** Builds the server once if needed, then starts it with its data in `dataDir/database/`. */
  static async start(dataDir: string, logger: Logger): Promise<EmbeddedDatabase> {
    const java = which.sync('java', { nothrow: true });
    if (!java) throw new Error(JAVA_HELP);
    const jar = await buildDatabaseJar(logger);
    const file = join(dataDir, 'database', 'segue.mv.db');
    if (existsSync(join(dataDir, 'ferretdb'))) {
      logger.warn(`${join(dataDir, 'ferretdb')} holds a library of an earlier Segue (FerretDB); it is not read any more`);
    }
    const launch = (port: number) => spawnDatabase(java, jar, file, port, logger);
    return new EmbeddedDatabase(await launch(0), launch, logger);
  }

  get uri(): string {
    return this.current.uri;
  }

  get pid(): number | undefined {
    return this.current.child.pid;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    await stopChild(this.current.child);
  }

  private watch(running: DatabaseProcess): void {
    running.child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.logger.error({ code, signal }, 'the embedded database stopped; restarting it');
      if (Date.now() - running.startedAt >= HEALTHY_AFTER_MS) this.restarts = 0;
      this.restarting = this.restart(Number(new URL(running.uri).port)).finally(() => (this.restarting = undefined));
    });
  }

  private async restart(port: number): Promise<void> {
    while (!this.stopping) {
      await sleep(RESTART_DELAYS_MS[Math.min(this.restarts, RESTART_DELAYS_MS.length - 1)]);
      this.restarts++;
      if (this.stopping) return;
      try {
        this.current = await this.launch(port);
        if (this.stopping) return;
        this.watch(this.current);
        this.logger.info({ uri: this.current.uri }, 'the embedded database is back');
        return;
      } catch (error) {
        this.logger.error({ err: error }, 'the embedded database did not restart; trying again');
      }
    }
  }
}

/** The configured database, or the embedded one. */
export async function openDatabase(
  mongodbUri: string | undefined,
  dataDir: string,
  logger: Logger,
): Promise<RunningDatabase> {
  if (mongodbUri) return { uri: mongodbUri, engine: 'MONGODB_URI', stop: async () => {} };
  return EmbeddedDatabase.start(dataDir, logger);
}
