import type { Track } from '@segue/api-client';
import { coverImage } from './cover.js';
import { announce, h } from './dom.js';
import { apiKeyPrompt } from './api-key.js';
import { playlistBuilder } from './playlist-builder.js';
import { uploadPanel } from './uploads.js';
import { setTitle, type View, type ViewContext } from './view.js';
import { trackDuration, trackText } from './track-row.js';

const PAGE_SIZE = 24;
const SEARCH_DELAY_MS = 250;

/** The library: upload, search, and the tracks a page at a time, newest first. */
export function libraryView(context: ViewContext): View {
  const { segue, rememberApiKey } = context;
  setTitle(null);
  // one for the page: uploads and the playlist builder both ask for it
  const keyPrompt = apiKeyPrompt(segue, rememberApiKey);
  const builder = playlistBuilder(context, keyPrompt);
  const list = h('ul', { class: 'track-list', 'aria-labelledby': 'library-title' });
  const status = h('p', { class: 'list-status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'button secondary', hidden: true }, 'Load more');
  const search = h('input', { id: 'search', type: 'search', name: 'q', placeholder: 'Title, artist or album', autocomplete: 'off' });
  let cursor: string | null = null;
  let generation = 0;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;

  async function load(reset: boolean): Promise<void> {
    const mine = reset ? ++generation : generation;
    more.disabled = true;
    try {
      const q = search.value.trim();
      const page = await segue.tracks.page({ limit: PAGE_SIZE, ...(q ? { q } : {}), cursor: reset ? null : cursor });
      if (mine !== generation) return;
      if (reset) list.replaceChildren();
      list.append(...page.data.map(trackItem));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      status.textContent = list.children.length ? '' : q ? `Nothing matches “${q}”.` : 'No tracks yet: upload one above.';
    } catch (error) {
      if (mine === generation) status.textContent = `The library could not be loaded: ${(error as Error).message}`;
    } finally {
      more.disabled = false;
    }
  }

  function trackItem(track: Track): HTMLLIElement {
    const cover = coverImage(segue, track, 'small');
    const state = track.status === 'ready' ? null : h('span', { class: `badge ${track.status}` }, track.status);
    return h(
      'li',
      { class: 'track-item', 'data-track-id': track.id },
      builder.checkboxFor(track),
      h(
        'a',
        { href: `t/${track.id}`, 'data-link': true },
        cover,
        trackText(track),
        state,
        trackDuration(track),
      ),
    );
  }

  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void load(true), SEARCH_DELAY_MS);
  });
  more.addEventListener('click', () => void load(false));

  const uploads = uploadPanel(segue, keyPrompt, (track) => {
    announce(`${track.title} is ready`);
    void load(true);
  });

  void load(true);
  return {
    element: h(
      'section',
      { class: 'library', 'aria-labelledby': 'library-title' },
      h('h1', { id: 'library-title' }, 'Library'),
      uploads.element,
      h(
        'form',
        { role: 'search', class: 'search', onsubmit: ((event: Event) => {
          event.preventDefault();
          void load(true);
        }) as EventListener },
        h('label', { for: 'search' }, 'Search'),
        search,
      ),
      builder.element,
      list,
      status,
      more,
    ),
    dispose: () => {
      clearTimeout(searchTimer);
      generation++;
      uploads.dispose();
    },
  };
}
