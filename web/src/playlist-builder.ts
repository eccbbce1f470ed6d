import type { Track } from '@segue/api-client';
import type { KeyPrompt } from './api-key.js';
import { announce, h } from './dom.js';
import type { ViewContext } from './view.js';

export interface PlaylistBuilder {
  /** the form that names and creates the playlist */
  element: HTMLElement;
  /** the box that puts a track of the list in the playlist, in the order they are ticked */
  checkboxFor(track: Track): HTMLInputElement;
}

/** Tracks ticked in the library become a playlist, in the order they were ticked; then its page opens. */
/** `keyPrompt` is the library's own, which the upload panel shows. */
export function playlistBuilder(context: ViewContext, keyPrompt: KeyPrompt): PlaylistBuilder {
  const { segue } = context;
  const chosen = new Set<string>();
  const name = h('input', { id: 'playlist-name', name: 'name', required: true, maxlength: 200, autocomplete: 'off' });
  const create = h('button', { type: 'submit', class: 'button', disabled: true }, 'Create playlist');
  const status = h('p', { class: 'playlist-status', role: 'status' });
  const form = h(
    'form',
    { class: 'playlist-builder', 'aria-label': 'New playlist' },
    h('label', { for: 'playlist-name' }, 'New playlist from the ticked tracks'),
    h('div', { class: 'builder-row' }, name, create),
    status,
  );
  const element = form;
  const showCount = () => {
    create.disabled = chosen.size === 0;
    status.textContent = chosen.size ? `${chosen.size} ${chosen.size === 1 ? 'track' : 'tracks'} ticked` : 'Tick tracks below to put them in a playlist.';
  };
  showCount();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    create.disabled = true;
    try {
      const playlist = await segue.playlists.create({ name: name.value, trackIds: [...chosen] });
      announce(`Playlist ${playlist.name} created`);
      context.navigate(`p/${playlist.id}`);
    } catch (error) {
      status.textContent = keyPrompt.askIfRefused(error)
        ? 'This service needs an API key for that: enter it, then create the playlist again.'
        : `The playlist could not be created: ${(error as Error).message}`;
      create.disabled = chosen.size === 0;
    }
  });

  return {
    element,
    checkboxFor(track) {
      const box = h('input', { type: 'checkbox', class: 'pick', 'aria-label': `Add ${track.title} to the new playlist`, checked: chosen.has(track.id) });
      box.addEventListener('change', () => {
        if (box.checked) chosen.add(track.id);
        else chosen.delete(track.id);
        showCount();
      });
      return box;
    },
  };
}
