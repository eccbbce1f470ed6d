import { createHash } from 'node:crypto';

/** A strong ETag naming these exact bytes (128 bits of SHA-256 is plenty to tell versions apart). */
export const contentEtag = (data: Uint8Array) => `"${createHash('sha256').update(data).digest('base64url').slice(0, 22)}"`;
