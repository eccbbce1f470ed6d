import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import contentDisposition from 'content-disposition';
import { notFound } from '../../shared/http/http-error.js';
import { imageTypeOf } from '../../shared/util/image-type.js';
import type { CoverStore } from '../../shared/storage/cover-store.js';
import type { OriginalStore } from '../../shared/storage/original-store.js';
import type { AccessRecorder } from '../access-recorder.js';
import type { ByteCache, CachedBytes } from '../cache/byte-cache.js';
import type { TrackCache } from '../cache/track-cache.js';
import { requestedRange, startBody } from '../http/byte-range.js';
import { describeAndCheckFresh, sendBytes } from '../http/respond.js';
import { IMMUTABLE } from '../../shared/http/cache-control.js';

export interface FileDeps {
  trackCache: TrackCache;
  byteCache: ByteCache;
  originals: OriginalStore;
  covers: CoverStore;
  access: AccessRecorder;
}

/** RFC 6266: a plain-ASCII `filename` for old clients, and `filename*` with the real name whenever it differs. */
function attachment(filename: string): string {
  const ascii = filename
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_');
  return contentDisposition(filename, { fallback: ascii });
}

/** Opened as a page, an upload or a cover runs nothing and loads nothing. */
const UNRUNNABLE = "sandbox; default-src 'none'";

const COVER_CACHE = 'public, max-age=86400';

const COVER_WIDTH = /^[1-9]\d{0,4}$/;

/** The uploaded file and the cover art: there from the moment a track exists, whatever its status. */
export function fileHandlers({ trackCache, byteCache, originals, covers, access }: FileDeps) {
  /** A cover or one of its sizes, from memory when it was read recently. */
  async function sendImage(req: IncomingMessage, res: ServerResponse, key: string, load: () => Promise<CachedBytes>) {
    let cached = byteCache.get(key);
    if (!cached) {
      cached = await load();
      byteCache.set(key, cached);
    }
    res.setHeader('Content-Security-Policy', UNRUNNABLE);
    sendBytes(req, res, cached.data, { ...cached, cacheControl: COVER_CACHE });
  }

  return {
    async original(req: IncomingMessage, res: ServerResponse, id: string) {
      const track = await trackCache.get(id);
      const file = track && (await originals.find(track._id));
      if (!track || !file) throw notFound('This track', { id });
      const size = file.length;
      const etag = `"sha256-${track.source.sha256}"`;
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('Content-Disposition', attachment(track.source.filename));
      res.setHeader('Content-Security-Policy', UNRUNNABLE);
      if (describeAndCheckFresh(req, res, { contentType: track.source.mimeType, etag, cacheControl: IMMUTABLE })) return;
      const range = requestedRange(req, res, size, etag);
      startBody(res, size, range);
      access.record(track._id);
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      await pipeline(originals.open(file, range), res);
    },

    async cover(req: IncomingMessage, res: ServerResponse, id: string) {
      const track = await trackCache.get(id);
      if (!track?.hasCover) throw notFound('This cover', { id });
      await sendImage(req, res, `${track._id}/cover`, async () => {
        const cover = await covers.get(track._id);
        const data = cover && Buffer.from(cover.data.buffer);
        // the type is what the bytes are, whatever was stored with them (covers kept by earlier versions included)
        const contentType = data && imageTypeOf(data);
        if (!data || !contentType) throw notFound('This cover', { id });
        return { data, etag: cover.etag, contentType };
      });
    },

    async coverSize(req: IncomingMessage, res: ServerResponse, id: string, width: string) {
      const track = await trackCache.get(id);
      if (!track?.hasCover || !COVER_WIDTH.test(width) || !track.coverSizes?.includes(Number(width))) {
        throw notFound('This cover size', { id, width });
      }
      await sendImage(req, res, `${track._id}/cover/${width}`, async () => {
        const size = await covers.getSize(track._id, Number(width));
        const data = size && Buffer.from(size.data.buffer);
        if (!data || imageTypeOf(data) !== 'image/webp') throw notFound('This cover size', { id, width });
        return { data, etag: size.etag, contentType: 'image/webp' };
      });
    },
  };
}
