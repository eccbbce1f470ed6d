import type { IncomingMessage, ServerResponse } from 'node:http';
import rangeParser from 'range-parser';
import { HttpError } from '../../shared/http/http-error.js';

export interface ByteRange {
  start: number;
  /** inclusive */
  end: number;
}

/**
 * The single byte range a request asks for, if it should be honoured: none
 * without a Range header, when If-Range names another version, for a
 * malformed header, or for several ranges (which HTTP lets a server ignore).
 * A range wholly past the end is a 416 carrying `Content-Range: bytes *\/size`.
 */
export function requestedRange(req: IncomingMessage, res: ServerResponse, size: number, etag: string): ByteRange | undefined {
  const header = req.headers.range;
  if (!header) return undefined;
  const ifRange = req.headers['if-range'];
  if (ifRange && ifRange !== etag) return undefined;
  const ranges = rangeParser(size, header);
  if (ranges === -1) {
    res.setHeader('Content-Range', `bytes */${size}`);
    throw new HttpError('range_not_satisfiable', `The range ${header} is outside the ${size} bytes there are`, { size });
  }
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
  return { start: ranges[0]!.start, end: ranges[0]!.end };
}

/** Status and length for a body of `size` bytes, whole or one range of it; the caller sends the bytes. */
export function startBody(res: ServerResponse, size: number, range: ByteRange | undefined): void {
  if (range) {
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    res.setHeader('Content-Length', range.end - range.start + 1);
  } else {
    res.setHeader('Content-Length', size);
  }
}
