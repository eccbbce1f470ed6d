import { type DestinationStream, pino, type Logger } from 'pino';

export type { Logger };

/** The service's logger: JSON lines on stdout (or `destination`), credentials in request headers redacted. */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      base: { service: name },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    destination,
  );
}
