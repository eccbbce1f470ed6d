import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { HttpError, shuttingDown } from './http-error.js';
import { sendError } from './json-answer.js';
import { requestId } from './request-id.js';

export interface LifecycleOptions {
  logger: Logger;
  /** of-watchdog's lock file, which its /_/health (the probe of OpenFaaS CE) reads; the watchdog writes none itself (suppress_lock) */
  readyLockFile?: string;
  /** after SIGTERM, how long the watchdog in front still passes new requests on */
  drainHoldMs: number;
  /** after SIGTERM, how long requests still running may take in all */
  shutdownGraceMs: number;
}

/** Work still running this close to the end of the grace period is told to answer now, while its answer can still go out. */
const CUT_OFF_MARGIN_MS = 2000;
/** The watchdog stops taking requests at the end of its interval; one it took just before then still reaches us. */
const HOLD_MARGIN_MS = 1000;

const notYetReady = () => new HttpError('database_unavailable', 'This replica is starting: its database has not answered yet');

/**
 * A replica's life as its HTTP server sees it. Starting: the server listens at
 * once, but every request gets 503 with Retry-After, and there is no lock file
 * yet, so the orchestrator's probe sends no traffic. Ready: the function
 * answers, and the lock file is written. Draining, from SIGTERM: the lock file
 * goes, what would start new work is refused (`stopping`), and requests
 * already running may finish within the grace period; what still runs near
 * its end is told to answer (`cutOff`).
 */
export class Lifecycle {
  private handler: RequestListener | undefined;
  private inFlight = 0;
  private onIdle: (() => void) | undefined;
  private readonly stoppingController = new AbortController();
  private readonly cutOffController = new AbortController();
  /** aborted once the replica starts draining */
  readonly stopping = this.stoppingController.signal;
  /** aborted shortly before the grace period runs out */
  readonly cutOff = this.cutOffController.signal;

  constructor(private readonly options: LifecycleOptions) {
    // one left from an earlier run in the same /tmp would say ready too soon
    this.removeLock();
  }

  /** The server's request listener, whatever the phase. */
  readonly listener: RequestListener = (req, res) => {
    this.inFlight++;
    res.once('close', () => {
      if (--this.inFlight === 0) this.onIdle?.();
    });
    if (!this.handler) {
      requestId(req, res);
      return sendError(res, this.stopping.aborted ? shuttingDown() : notYetReady(), this.options.logger, req.url);
    }
    this.handler(req, res);
  };

  /** From now on `handler` answers, unless the replica has begun draining meanwhile. */
  serve(handler: RequestListener): void {
    if (this.stopping.aborted) return;
    this.handler = handler;
    if (this.options.readyLockFile) writeFileSync(this.options.readyLockFile, '');
    this.options.logger.info('ready');
  }

  /**
   * Drains: refuses new work, runs `handBack` (background work given up for
   * another replica), then waits until the watchdog has stopped passing
   * requests on and none is left running, or until the grace period ends.
   */
  async drain(handBack: () => Promise<void>): Promise<void> {
    const { drainHoldMs, shutdownGraceMs, logger } = this.options;
    const started = Date.now();
    this.removeLock();
    this.stoppingController.abort(shuttingDown());
    logger.info({ inFlight: this.inFlight, holdMs: drainHoldMs, graceMs: shutdownGraceMs }, 'draining');
    const cutOff = setTimeout(() => this.cutOffController.abort(shuttingDown()), Math.max(0, shutdownGraceMs - CUT_OFF_MARGIN_MS));
    const graceOver = new AbortController();
    const grace = setTimeout(() => graceOver.abort(), shutdownGraceMs);
    try {
      // a database that hangs must not keep the replica past its grace period
      await Promise.race([handBack(), once(graceOver.signal, 'abort')]);
      const holdLeft = drainHoldMs > 0 ? started + drainHoldMs + HOLD_MARGIN_MS - Date.now() : 0;
      if (holdLeft > 0) await sleep(holdLeft, undefined, { signal: graceOver.signal }).catch(() => undefined);
      await this.idle(graceOver.signal);
      logger.info({ inFlight: this.inFlight, drainMs: Date.now() - started }, this.inFlight === 0 ? 'drained' : 'grace period over');
    } finally {
      clearTimeout(cutOff);
      clearTimeout(grace);
    }
  }

  private idle(until: AbortSignal): Promise<void> {
    if (this.inFlight === 0 || until.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.onIdle = undefined;
        until.removeEventListener('abort', done);
        resolve();
      };
      this.onIdle = done;
      until.addEventListener('abort', done, { once: true });
    });
  }

  private removeLock(): void {
    if (this.options.readyLockFile) rmSync(this.options.readyLockFile, { force: true });
  }
}
