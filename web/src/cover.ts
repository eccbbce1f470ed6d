import type { Segue, Track } from '@segue/api-client';
import { h } from './dom.js';

/** A track's cover, or a placeholder note where it has none; `large` on its page, small in lists. */
export function coverImage(segue: Segue, track: Track, size: 'large' | 'small', alt = size === 'large' ? `Cover of ${track.title}` : ''): HTMLElement {
  const pixels = size === 'large' ? 240 : 56;
  const className = size === 'large' ? 'cover large' : 'cover';
  if (!track.hasCover) return h('div', { class: `${className} placeholder`, 'aria-hidden': 'true' }, '♪');
  return h('img', {
    class: className,
    src: segue.tracks.coverUrl(track.id),
    alt,
    width: pixels,
    height: pixels,
    ...(size === 'small' ? { loading: 'lazy' } : {}),
  });
}

/** Settles once an image is loaded and decoded (or has failed to be); at once for anything else. */
export const whenShown = (element: HTMLElement): Promise<void> =>
  element instanceof HTMLImageElement ? element.decode().catch(() => {}) : Promise.resolve();
