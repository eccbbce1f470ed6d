import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { closeServer, listen } from '../../../../functions/shared/http/listen.js';
import { Lifecycle } from '../../../../functions/shared/http/lifecycle.js';
import { createLogger } from '../../../../functions/shared/logger.js';

/** How much sooner than its delay, by the wall clock, a timer may fire. */
const TIMER_EARLY_MS = 2;

describe('Lifecycle', function () {
  this.timeout(20_000);
  let dir: string;
  let lockFile: string;
  let server: Server;
  let lifecycle: Lifecycle;
  let url: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'segue-lifecycle-'));
    lockFile = join(dir, '.lock');
    // one left by an earlier run in the same /tmp
    await writeFile(lockFile, '');
    lifecycle = new Lifecycle({ logger: createLogger('silent', 'lifecycle-test'), readyLockFile: lockFile, drainHoldMs: 300, shutdownGraceMs: 3000 });
    server = await listen(lifecycle.listener, 0, '127.0.0.1');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await closeServer(server);
    await rm(dir, { recursive: true, force: true });
  });

  /** A handler that answers after `ms`, or when told to stop. */
  const slowHandler = (ms: number) => (_req: unknown, res: ServerResponse) => {
    const done = () => res.end(lifecycle.cutOff.aborted ? 'cut off' : 'done');
    const timer = setTimeout(done, ms);
    lifecycle.cutOff.addEventListener('abort', () => {
      clearTimeout(timer);
      done();
    });
  };

  it('answers 503 with Retry-After while starting, with no lock file, then serves and writes it', async () => {
    expect(existsSync(lockFile), 'a stale lock file is gone at once').to.equal(false);
    const early = await fetch(url);
    expect([early.status, early.headers.get('retry-after'), (await early.json()).error.code]).to.deep.equal([503, '5', 'database_unavailable']);
    lifecycle.serve((_req, res) => res.end('served'));
    expect(existsSync(lockFile)).to.equal(true);
    expect(await (await fetch(url)).text()).to.equal('served');
  });

  it('stays unready when serving comes after draining began', async () => {
    const drained = lifecycle.drain(async () => undefined);
    lifecycle.serve((_req, res) => res.end('served'));
    const answer = await fetch(url);
    expect([answer.status, (await answer.json()).error.code]).to.deep.equal([503, 'shutting_down']);
    expect(existsSync(lockFile)).to.equal(false);
    await drained;
  });

  it('drains: hands work back, holds for the watchdog, then waits for requests running', async () => {
    lifecycle.serve(slowHandler(1000));
    const running = fetch(url).then((response) => response.text());
    await sleep(100);
    let handedBack = false;
    const started = Date.now();
    await lifecycle.drain(async () => {
      handedBack = true;
    });
    expect(handedBack).to.equal(true);
    expect(existsSync(lockFile)).to.equal(false);
    expect(await running, 'finished, not cut').to.equal('done');
    expect(Date.now() - started).to.be.within(800, 2000);
  });

  it('with nothing running, still answers for the hold and a second more', async () => {
    lifecycle.serve((_req, res) => res.end('served'));
    const started = Date.now();
    await lifecycle.drain(async () => undefined);
    // libuv times a timer from the loop's cached clock, which can lag the wall clock by a millisecond or
    // two: the timer then fires that much before the full delay has passed by Date.now()
    expect(Date.now() - started).to.be.within(1300 - TIMER_EARLY_MS, 2000);
  });

  it('tells what still runs near the end of the grace period to answer, and ends at the grace period', async () => {
    lifecycle.serve(slowHandler(60_000));
    const running = fetch(url).then((response) => response.text());
    await sleep(100);
    const started = Date.now();
    await lifecycle.drain(async () => undefined);
    expect(await running).to.equal('cut off');
    // the cut-off comes 2 s before the 3 s grace period ends; the answer then goes out at once
    expect(Date.now() - started).to.be.within(900, 1500);
  });

  it('ends at the grace period even when handing back hangs', async () => {
    lifecycle.serve((_req, res) => res.end('served'));
    const started = Date.now();
    await lifecycle.drain(() => new Promise(() => undefined));
    expect(Date.now() - started).to.be.within(2900, 3500);
  });
});
