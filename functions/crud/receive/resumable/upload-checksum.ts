import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, type Hash } from 'node:crypto';
import { UploadRefused } from '../upload-refused.js';

/** The tus checksum extension's algorithms this service checks, as `Tus-Checksum-Algorithm` lists them. */
export const CHECKSUM_ALGORITHMS = ['sha1', 'sha256', 'md5'] as const;
type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface ExpectedChecksum {
  algorithm: ChecksumAlgorithm;
  /** base64, as the header carries it */
  digest: string;
}

/**
 * The checksum of the PATCH being handled: the tus library hands its data
 * store only the body, so the header reaches the store through the request's
 * async context.
 */
export const patchChecksum = new AsyncLocalStorage<ExpectedChecksum | undefined>();

/** Reads `Upload-Checksum: <algorithm> <base64 digest>`; an algorithm not listed is a 400, as the extension asks. */
export function parseUploadChecksum(header: string | undefined): ExpectedChecksum | undefined {
  if (header === undefined) return undefined;
  const match = /^([a-z0-9-]+) ([A-Za-z0-9+/]+={0,2})$/.exec(header.trim());
  const algorithm = match?.[1] as ChecksumAlgorithm | undefined;
  if (!match || !algorithm || !CHECKSUM_ALGORITHMS.includes(algorithm)) {
    throw new UploadRefused('validation_failed', 'Upload-Checksum must be "<algorithm> <base64 digest>" with an algorithm of Tus-Checksum-Algorithm', {
      fields: { 'Upload-Checksum': [`one of ${CHECKSUM_ALGORITHMS.join(', ')}, then the base64 digest`] },
    });
  }
  return { algorithm, digest: match[2]! };
}

export const startChecksum = (expected: ExpectedChecksum): Hash => createHash(expected.algorithm);

export function checkChecksum(expected: ExpectedChecksum, hash: Hash): void {
  const received = hash.digest('base64');
  if (received !== expected.digest) {
    throw new UploadRefused('upload_checksum_mismatch', 'The request body does not match Upload-Checksum: none of it was kept', {
      algorithm: expected.algorithm,
      expected: expected.digest,
      received,
    });
  }
}
