import type { Segue, Track } from '@segue/api-client';
import { h } from './dom.js';

/** How wide a cover is shown (app.css), so the browser picks the smallest size that is sharp there. */
const SHOWN_WIDTH = { large: '(max-width: 480px) 160px, 240px', small: '(max-width: 480px) 48px, 56px' };

/** A track's cover, or a placeholder note where it has none; `large` on its page, small in lists. */
export function coverImage(segue: Segue, track: Track, size: 'large' | 'small', alt = size === 'large' ? `Cover of ${track.title}` : ''): HTMLElement {
  const pixels = size === 'large' ? 240 : 56;
  const className = size === 'large' ? 'cover large' : 'cover';
  if (!track.hasCover) return h('div', { class: `${className} placeholder`, 'aria-hidden': 'true' }, '♪');
  // tracks from before covers were resized have no sizes: their original cover is all there is
  const srcset = segue.tracks.coverSrcset(track);
  return h('img', {
    class: className,
    src: segue.tracks.coverUrl(track.id, track.coverSizes[0]),
    ...(srcset ? { srcset, sizes: SHOWN_WIDTH[size] } : {}),
    alt,
    width: pixels,
    height: pixels,
    ...(size === 'small' ? { loading: 'lazy' } : { fetchpriority: 'high' }),
  });
}

/** The cover for the system's media controls (a lock screen shows it large): every size, for it to choose. */
export function artworkOf(segue: Segue, track: Track): MediaImage[] {
  if (!track.hasCover) return [];
  if (track.coverSizes.length === 0) return [{ src: segue.tracks.coverUrl(track.id) }];
  return track.coverSizes.map((width) => ({ src: segue.tracks.coverUrl(track.id, width), sizes: `${width}x${width}`, type: 'image/webp' }));
}

/** Settles once an image is loaded and decoded (or has failed to be); at once for anything else. */
export const whenShown = (element: HTMLElement): Promise<void> =>
  element instanceof HTMLImageElement ? element.decode().catch(() => {}) : Promise.resolve();
