import { type DestinationStream, pino, type Logger } from 'pino';
import { currentRequestId } from './http/request-id.js';

export type { Logger };

/**
 * The service's logger: JSON lines on stdout (or `destination`), credentials
 * in request headers redacted, and each line logged while a request is handled
 * names it (`requestId`).
 */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      base: { service: name },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId === undefined ? {} : { requestId };
      },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    destination,
  );
}
