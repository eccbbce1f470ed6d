import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { createServer } from 'node:net';

/** A loopback port nothing listens on (until someone takes it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A raw request's answer, read whole: its status, headers and JSON body (undefined when empty). */
export function jsonAnswer(response: IncomingMessage): Promise<{ status: number; headers: IncomingHttpHeaders; body: any }> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (part: string) => (text += part));
    response.once('error', reject);
    response.once('end', () => {
      try {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? JSON.parse(text) : undefined });
      } catch (error) {
        reject(error);
      }
    });
  });
}
