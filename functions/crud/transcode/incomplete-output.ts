/**
 * ffmpeg wrote a file that is not whole, or none at all. ffmpeg's HLS muxer
 * exits 0 and says nothing when it cannot write (a full disk leaves empty or
 * cut segments behind), so its output is checked rather than trusted.
 */
export class IncompleteOutputError extends Error {
  override name = 'IncompleteOutputError';
}

const WANTED = { init: ['ftyp', 'moov'], media: ['moof', 'mdat'] } as const;

/**
 * Walks the top-level boxes of a CMAF file: their sizes must add up to the
 * file's length exactly, and the boxes its kind needs must be there.
 */
export function checkWholeFragment(data: Buffer, kind: 'init' | 'media', name: string): void {
  const seen = new Set<string>();
  let offset = 0;
  while (offset + 8 <= data.length) {
    let size = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    if (size === 1 && offset + 16 <= data.length) size = Number(data.readBigUInt64BE(offset + 8));
    if (size < 8 || offset + size > data.length) break;
    seen.add(type);
    offset += size;
  }
  if (offset !== data.length || WANTED[kind].some((type) => !seen.has(type))) {
    throw new IncompleteOutputError(`${name} is not a whole ${kind} segment (${data.length} bytes)`);
  }
}
