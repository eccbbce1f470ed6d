import { basename, extname } from 'node:path';

/** A client's file name made safe to store and show: no directories, no control characters, not too long. */
export function cleanFilename(name: string | undefined): string {
  const cleaned = basename((name ?? '').replaceAll('\\', '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return 'untitled';
  if (cleaned.length <= 255) return cleaned;
  const extension = extname(cleaned).slice(0, 16);
  return cleaned.slice(0, 255 - extension.length) + extension;
}

/** The title a file gets when its tags have none: its name without the extension. */
export function titleFromFilename(filename: string): string {
  const stem = filename.replace(/\.[A-Za-z0-9]{1,5}$/, '').trim();
  return (stem || filename).slice(0, 300);
}
