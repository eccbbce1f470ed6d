import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import which from 'which';
import { buildDatabaseJar, DATABASE_ENGINE, JAVA_HELP } from './database-jar.js';
import { type DatabaseProcess, spawnDatabaseProcess, stablePort, stopDatabaseProcess } from './database-process.js';

export interface RunningDatabase {
  uri: string;
  /** what is serving it, for the start-up message */
  engine: string;
  /** the server's process, when this project runs one (it changes when the process is restarted) */
  readonly pid?: number;
  stop(): Promise<void>;
}

/** Restart delays after the database process dies: quick at first, then backing off. */
const RESTART_DELAYS_MS = [200, 500, 1000, 2000, 5000];
/** A process that lived this long counts as healthy: the next death starts the back-off over. */
const HEALTHY_AFTER_MS = 60_000;
/** A process that leaves this many pings in a row unanswered is hung: it is killed, and so restarted. */
const UNANSWERED_PINGS_TO_KILL = 3;

export interface EmbeddedDatabaseOptions {
  /** the port to listen on; by default a free one below the ephemeral range */
  port?: number;
  /** how often the process is pinged to tell that it still answers */
  livenessIntervalMs?: number;
}

/**
 * The embedded database under supervision: if its process dies (or hangs,
 * leaving pings unanswered) it is started again on the same port, with
 * back-off, so clients reconnect to the same URI and find every acknowledged
 * write (the server writes each one to its file before it answers).
 */
export class EmbeddedDatabase implements RunningDatabase {
  readonly engine = DATABASE_ENGINE;
  private stopping = false;
  private restarts = 0;
  private restarting: Promise<void> | undefined;
  private readonly pinger: MongoClient;
  private readonly liveness: NodeJS.Timeout;
  private unanswered = 0;
  private pinging = false;

  private constructor(
    private current: DatabaseProcess,
    private readonly launch: () => Promise<DatabaseProcess>,
    private readonly logger: Logger,
    livenessIntervalMs: number,
  ) {
    this.watch(current);
    const timeoutMS = Math.max(1000, livenessIntervalMs / 2);
    this.pinger = new MongoClient(current.uri, { maxPoolSize: 1, serverSelectionTimeoutMS: timeoutMS, socketTimeoutMS: timeoutMS });
    this.liveness = setInterval(() => void this.checkAnswers(), livenessIntervalMs).unref();
  }

  /** Builds the server once if needed, then starts it with its data in `dataDir/database/`. */
  static async start(dataDir: string, logger: Logger, options: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
    const java = which.sync('java', { nothrow: true });
    if (!java) throw new Error(JAVA_HELP);
    const jar = await buildDatabaseJar(logger);
    const file = join(dataDir, 'database', 'segue.mv.db');
    if (existsSync(join(dataDir, 'ferretdb'))) {
      logger.warn(`${join(dataDir, 'ferretdb')} holds a library of an earlier Segue (FerretDB); it is not read any more`);
    }
    const port = options.port ?? (await stablePort());
    const launch = () => spawnDatabaseProcess(java, jar, file, port, logger);
    return new EmbeddedDatabase(await launch(), launch, logger, options.livenessIntervalMs ?? 10_000);
  }

  get uri(): string {
    return this.current.uri;
  }

  get pid(): number | undefined {
    return this.current.child.pid;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.liveness);
    await this.pinger.close();
    await this.restarting;
    await stopDatabaseProcess(this.current.child);
  }

  private watch(running: DatabaseProcess): void {
    running.child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.logger.error({ code, signal }, 'the embedded database stopped; restarting it');
      if (Date.now() - running.startedAt >= HEALTHY_AFTER_MS) this.restarts = 0;
      this.restarting = this.restart().finally(() => (this.restarting = undefined));
    });
  }

  private async restart(): Promise<void> {
    while (!this.stopping) {
      await sleep(RESTART_DELAYS_MS[Math.min(this.restarts, RESTART_DELAYS_MS.length - 1)]);
      this.restarts++;
      if (this.stopping) return;
      try {
        this.current = await this.launch();
        this.unanswered = 0;
        if (this.stopping) return;
        this.watch(this.current);
        this.logger.info({ uri: this.current.uri }, 'the embedded database is back');
        return;
      } catch (error) {
        this.logger.error({ err: error }, 'the embedded database did not restart; trying again');
      }
    }
  }

  private async checkAnswers(): Promise<void> {
    if (this.pinging || this.restarting || this.stopping) return;
    this.pinging = true;
    const running = this.current;
    try {
      await this.pinger.db('admin').command({ ping: 1 });
      this.unanswered = 0;
    } catch (error) {
      if (this.restarting || running !== this.current) return;
      this.unanswered++;
      this.logger.warn({ err: error, unanswered: this.unanswered }, 'the embedded database did not answer a ping');
      if (this.unanswered >= UNANSWERED_PINGS_TO_KILL) {
        this.logger.error('the embedded database stopped answering; killing it, to start it again');
        this.unanswered = 0;
        running.child.kill('SIGKILL');
      }
    } finally {
      this.pinging = false;
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
