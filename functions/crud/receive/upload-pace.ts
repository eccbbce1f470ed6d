import type { Request } from 'express';
import { UploadRefused } from './upload-refused.js';

export interface UploadPace {
  /** an upload that sends nothing for this long is cut off; also the time it has before its rate is judged */
  idleMs: number;
  /** the slowest average an upload may keep (bytes a second) once `idleMs` has passed */
  minBytesPerSecond: number;
}

const timedOut = (message: string, details: Record<string, unknown>) => new UploadRefused('request_timeout', message, details);

/**
 * Watches the bytes arriving on a request's connection and calls `tooSlow`
 * (once, with a 408) when they stop or trickle: otherwise a client dripping
 * a byte a second holds a replica's upload slot for ever. Returns the
 * function that stops watching.
 */
export function watchUploadPace(req: Request, { idleMs, minBytesPerSecond }: UploadPace, tooSlow: (error: UploadRefused) => void): () => void {
  const started = Date.now();
  const startBytes = req.socket.bytesRead;
  let seen = startBytes;
  let lastProgress = started;
  const timer = setInterval(() => {
    const now = Date.now();
    const read = req.socket.bytesRead;
    if (read > seen) {
      seen = read;
      lastProgress = now;
    }
    if (now - lastProgress >= idleMs) {
      clearInterval(timer);
      tooSlow(timedOut(`Nothing arrived for ${Math.round(idleMs / 1000)} s`, { idleSeconds: idleMs / 1000 }));
      return;
    }
    const elapsed = (now - started) / 1000;
    const rate = (read - startBytes) / elapsed;
    if (now - started >= idleMs && rate < minBytesPerSecond) {
      clearInterval(timer);
      tooSlow(timedOut('The upload is arriving too slowly', { bytesPerSecond: Math.round(rate), minBytesPerSecond }));
    }
  }, Math.min(1000, idleMs / 2));
  timer.unref();
  return () => clearInterval(timer);
}
