import { ConnectionError, RESUMABLE_THRESHOLD_BYTES, type Segue, type Track } from '@segue/api-client';
import type { KeyPrompt } from './api-key.js';
import { announce, h } from './dom.js';

/**
 * Upload by picker or drag and drop: each file gets a row with its upload
 * progress, then its processing progress, then a link or the reason it failed.
 * A file the library holds already gets a link to that track instead.
 * Files go up one after another; processing runs on the server meanwhile.
 * Large files go as resumable uploads: a network that drops and comes back
 * costs only what was on its way (see `untilOnline`).
 */
export function uploadPanel(
  segue: Segue,
  keyPrompt: KeyPrompt,
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
  const controller = new AbortController();
  let queue: Promise<void> = Promise.resolve();

  function enqueue(files: Iterable<File>): void {
    for (const file of files) {
      const row = uploadRow(file);
      rows.prepend(row.element);
      queue = queue.then(() => upload(file, row));
    }
  }

  /** Uploads the file; a resumable one cut off by the network going away goes on once it is back. */
  async function send(file: File, row: UploadRow) {
    for (;;) {
      try {
        return await segue.tracks.create({
          file,
          signal: controller.signal,
          onProgress: ({ loaded, total }) => row.progress('Uploading', total ? loaded / total : 0),
        });
      } catch (error) {
        const resumable = file.size >= RESUMABLE_THRESHOLD_BYTES;
        if (!(error instanceof ConnectionError) || !resumable || navigator.onLine) throw error;
        row.offline();
        // the browser remembers the upload under way: the next create goes on from where the service got to
        await untilOnline(controller.signal);
      }
    }
  }

  async function upload(file: File, row: UploadRow): Promise<void> {
    try {
      const accepted = await send(file, row);
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

/**
 * Resolves when the browser is back online. tus-js-client retries a dropped
 * connection for a couple of minutes, but not while the browser says it is
 * offline: a laptop that loses its network for longer waits here instead.
 */
function untilOnline(signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const back = () => {
      signal.removeEventListener('abort', stop);
      resolve();
    };
    const stop = () => {
      window.removeEventListener('online', back);
      reject(signal.reason);
    };
    window.addEventListener('online', back, { once: true });
    signal.addEventListener('abort', stop, { once: true });
  });
}

interface UploadRow {
  element: HTMLLIElement;
  /** the network went away midway: it goes on once it is back */
  offline(): void;
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
    offline() {
      element.dataset.state = 'offline';
      state.textContent = `Offline at ${Math.round(bar.value * 100)}%: it goes on when the network is back`;
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
