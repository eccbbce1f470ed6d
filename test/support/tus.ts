import { createHash } from 'node:crypto';
import type supertest from 'supertest';

/** tus's `Upload-Metadata`: comma-separated `key base64(value)` pairs. */
export const tusMetadata = (metadata: Record<string, string>) =>
  Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');

export const sha1Base64 = (data: Buffer) => createHash('sha1').update(data).digest('base64');

/** A tus 1.0 client spelled out request by request, to test the protocol itself. */
export function tusRequests(http: ReturnType<typeof supertest>) {
  return {
    create: (length: number | string, metadata: Record<string, string> = { filename: 'song.wav', filetype: 'audio/wav' }) =>
      http.post('/uploads').set('Tus-Resumable', '1.0.0').set('Upload-Length', String(length)).set('Upload-Metadata', tusMetadata(metadata)),
    head: (location: string) => http.head(`/${location}`).set('Tus-Resumable', '1.0.0'),
    patch: (location: string, offset: number, body: Buffer, headers: Record<string, string> = {}) =>
      http
        .patch(`/${location}`)
        .set({ 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream', ...headers })
        .send(body),
    terminate: (location: string) => http.delete(`/${location}`).set('Tus-Resumable', '1.0.0'),
  };
}
