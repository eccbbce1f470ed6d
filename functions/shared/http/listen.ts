import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';

/**
 * Listens with no overall request deadline: uploads of any size may take as
 * long as they take, and the gateway in front (of-watchdog's timeouts) is
 * where deadlines belong.
 */
export function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port: number,
  host?: string,
): Promise<Server> {
  const server = createServer(handler);
  server.requestTimeout = 0;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host ?? '::', () => resolve(server));
  });
}

/**
 * Runs `stop` once on SIGINT or SIGTERM, then exits. A repeated signal is
 * ignored rather than left to kill the process midway: faasd signals every
 * process of a container, and of-watchdog passes its own on as well.
 */
export function onShutdownSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`failed to stop cleanly after ${signal}:`, error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
