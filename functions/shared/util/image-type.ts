/**
 * The image formats a browser shows as an image and nothing else, told by
 * their first bytes: whatever the file says a picture is (an SVG can carry
 * script), only these are kept.
 */
export function imageTypeOf(data: Uint8Array): string | undefined {
  const bytes = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 16));
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 6).toString('latin1') === 'GIF87a' || bytes.subarray(0, 6).toString('latin1') === 'GIF89a') return 'image/gif';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}
