import type { Segue, Track } from '@segue/api-client';
import { apiKeyPrompt } from './api-key.js';
import { announce, h } from './dom.js';

/**
 * Upload by picker or drag and drop: each file gets a row with its upload
 * progress, then its processing progress, then a link or the reason it failed.
 * A file the library holds already gets a link to that track instead.
 * Files go up one after another; processing runs on the server meanwhile.
 */
export function uploadPanel(
  segue: Segue,
  rememberApiKey: (key: string) => void,
  onReady: (track: Track) => void,
): { element: HTMLElement; dispose(): void } {
  const rows = h('ul', { class: 'upload-list', 'aria-label': 'Uploads' });
  const picker = h('input', { id: 'file-picker', type: 'file', accept: 'audio/*', multiple: true, class: 'visually-hidden' });
  const zone = h(
    'div',
    { class: 'drop-zone' },
    h('p', {}, 'Drop audio files here, or'),
    h('label', { for: 'file-picker', class: 'button' }, 'Choose files'),
    picker,
  );
  const keyPrompt = apiKeyPrompt(segue, rememberApiKey);
  const controller = new AbortController();
  let queue: Promise<void> = Promise.resolve();

  function enqueue(files: Iterable<File>): void {
    for (const file of files) {
      const row = uploadRow(file);
      rows.prepend(row.element);
      queue = queue.then(() => upload(file, row));
    }
  }

  async function upload(file: File, row: UploadRow): Promise<void> {
    try {
      const accepted = await segue.tracks.create(file, {}, {
        signal: controller.signal,
        onProgress: ({ loaded, total }) => row.progress('Uploading', total ? loaded / total : 0),
      });
      if (accepted.duplicate) {
        row.duplicate(accepted);
        return;
      }
      row.progress('Processing', accepted.progress);
      // processing goes on while the next file uploads
      void segue.tracks
        .waitUntilReady(accepted.id, {
          signal: controller.signal,
          onProgress: (track) => {
            row.progress('Processing', track.progress);
            if (track.playable) row.playable(track);
          },
        })
        .then((track) => {
          row.ready(track);
          onReady(track);
        })
        .catch((error: unknown) => row.failed(error));
    } catch (error) {
      row.failed(error);
      keyPrompt.askIfRefused(error);
    }
  }

  picker.addEventListener('change', () => {
    enqueue(picker.files ?? []);
    picker.value = '';
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    enqueue(event.dataTransfer?.files ?? []);
  });

  return { element: h('div', { class: 'uploads' }, zone, keyPrompt.element, rows), dispose: () => controller.abort() };
}

interface UploadRow {
  element: HTMLLIElement;
  progress(stage: 'Uploading' | 'Processing', fraction: number): void;
  /** it can be played while it is still processed */
  playable(track: Track): void;
  ready(track: Track): void;
  /** the library had the file already: nothing new was made */
  duplicate(track: Track): void;
  failed(error: unknown): void;
}

function uploadRow(file: File): UploadRow {
  const bar = h('progress', { max: 1, value: 0, 'aria-label': `Uploading ${file.name}` });
  const state = h('span', { class: 'upload-state' }, 'Waiting');
  const element = h('li', { class: 'upload', 'data-state': 'waiting' }, h('span', { class: 'upload-name' }, file.name), bar, state);
  let playLink: HTMLAnchorElement | undefined;
  return {
    element,
    progress(stage, fraction) {
      element.dataset.state = stage.toLowerCase();
      bar.value = fraction;
      bar.setAttribute('aria-label', `${stage} ${file.name}`);
      state.textContent = `${stage} ${Math.round(fraction * 100)}%`;
    },
    playable(track) {
      if (!playLink) {
        playLink = h('a', { href: `t/${track.id}`, 'data-link': true, class: 'play-now' }, `Play now: ${track.title}`);
        element.append(playLink);
      }
    },
    ready(track) {
      playLink?.remove();
      element.dataset.state = 'ready';
      bar.value = 1;
      state.replaceChildren(h('a', { href: `t/${track.id}`, 'data-link': true }, `Ready: play ${track.title}`));
    },
    duplicate(track) {
      element.dataset.state = 'duplicate';
      bar.value = 1;
      state.replaceChildren('Already in your library: ', h('a', { href: `t/${track.id}`, 'data-link': true }, track.title));
      announce(`${file.name} is already in your library`);
    },
    failed(error) {
      if ((error as Error).name === 'AbortError') return;
      element.dataset.state = 'failed';
      state.setAttribute('role', 'alert');
      state.textContent = `Failed: ${(error as Error).message}`;
      announce(`${file.name} failed: ${(error as Error).message}`);
    },
  };
}
