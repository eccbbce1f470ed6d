import { formatDuration, NotFoundError, type Playlist, type Track, ValidationError } from '@segue/api-client';
import { artworkOf, coverImage, whenShown } from './cover.js';
import { announce, h } from './dom.js';
import { notFoundView } from './not-found.js';
import { showInMediaSession, type Span, Transport } from './transport.js';
import { setTitle, type View, type ViewContext } from './view.js';

/** Back within this many seconds of a track's start goes to the track before; later, to its own start. */
const RESTART_WITHIN_SEC = 3;
/** A seek lands this far into a track, so it is never taken for the end of the one before. */
const INTO_TRACK_SEC = 0.01;

/** A ready track of the playlist, where it begins on the playlist's timeline. */
interface Entry extends Span {
  track: Track;
  item: HTMLLIElement;
}

/**
 * `/p/<id>`: a shared playlist. Its tracks play one after another as one HLS
 * presentation (the stream function's playlist playlists), so the next
 * track is buffered ahead like any later segment and follows without a gap.
 * `first` is the playlist already being asked for, if the router asked.
 */
export function playlistView(context: ViewContext, id: string, first?: Promise<Playlist>): View {
  const element = h('article', { class: 'playlist-page', 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading…'));
  const controller = new AbortController();
  let page: { dispose(): void } | null = null;

  (first ?? context.segue.playlists.retrieve(id, { signal: controller.signal }))
    .then((playlist) => {
      if (controller.signal.aborted) return;
      const shown = playlistPage(context, playlist, controller.signal);
      page = shown;
      element.replaceChildren(...shown.children);
    })
    .catch((error: Error) => {
      if (controller.signal.aborted) return;
      if (error instanceof NotFoundError || error instanceof ValidationError) {
        element.replaceChildren(notFoundView(context, 'This playlist does not exist, or it was removed.').element);
        return;
      }
      element.replaceChildren(h('p', { role: 'alert' }, `The playlist could not be loaded: ${error.message}`));
    })
    .finally(() => element.removeAttribute('aria-busy'));

  return {
    element,
    dispose: () => {
      controller.abort();
      page?.dispose();
    },
  };
}

function playlistPage(context: ViewContext, playlist: Playlist, signal: AbortSignal): { children: Node[]; dispose(): void } {
  const { segue } = context;
  setTitle(playlist.name);
  const list = h('ol', { class: 'playlist-tracks', 'aria-label': 'Tracks' });
  const entries: Entry[] = [];
  let end = 0;
  for (const track of playlist.tracks) {
    const ready = track.status === 'ready';
    const item = trackItem(context, track, ready ? () => playFrom(entries.findIndex((entry) => entry.track === track)) : null);
    list.append(item);
    if (!ready) continue;
    // where the stream function's presentation puts it: after the segments of the ready tracks before it
    const duration = track.renditions[0]?.durationSec ?? track.durationSec;
    entries.push({ track, item, start: end, duration });
    end += duration;
  }
  if (entries.length === 0) {
    return {
      children: [h('h1', {}, playlist.name), h('p', {}, playlist.tracks.length ? 'None of its tracks is ready to play yet.' : 'This playlist is empty.'), list],
      dispose: () => {},
    };
  }

  let current = 0;
  const transport = new Transport({
    src: segue.playlists.masterPlaylistUrl(playlist.id),
    peaks: entries[0]!.track.peaks,
    span: () => entries[current]!,
    signal,
    keys: { n: () => next(), p: () => previous() },
    mediaActions: [
      ['nexttrack', () => next()],
      ['previoustrack', () => previous()],
    ],
  });
  const { audio, controls, quality, volume, message } = transport;
  const previousButton = h('button', { type: 'button', class: 'button secondary skip', 'aria-label': 'Previous track' }, '⏮');
  const nextButton = h('button', { type: 'button', class: 'button secondary skip', 'aria-label': 'Next track' }, '⏭');
  const nowPlaying = h('p', { class: 'now-playing' });
  previousButton.addEventListener('click', () => previous());
  nextButton.addEventListener('click', () => next());

  const seekToEntry = (index: number) => {
    audio.currentTime = entries[index]!.start + INTO_TRACK_SEC;
  };
  function playFrom(index: number): void {
    seekToEntry(index);
    void transport.play();
  }
  function next(): void {
    if (current + 1 < entries.length) seekToEntry(current + 1);
  }
  function previous(): void {
    const into = audio.currentTime - entries[current]!.start;
    seekToEntry(into > RESTART_WITHIN_SEC || current === 0 ? current : current - 1);
  }

  /** The track at the element's time; the page, the system's controls and the title follow it. */
  const follow = () => {
    const time = audio.currentTime;
    const index = Math.max(0, entries.findLastIndex((entry) => entry.start <= time + INTO_TRACK_SEC / 2));
    if (index === current && controls.dataset.track !== undefined) return;
    current = index;
    const { track, item } = entries[index]!;
    for (const entry of entries) entry.item.removeAttribute('aria-current');
    item.setAttribute('aria-current', 'true');
    controls.dataset.track = String(index);
    transport.waveform.values = track.peaks;
    transport.refresh();
    const artist = track.artist ? ` – ${track.artist}` : '';
    nowPlaying.textContent = `${index + 1} of ${entries.length}: ${track.title}${artist}`;
    previousButton.disabled = false;
    nextButton.disabled = index + 1 >= entries.length;
    setTitle(`${track.title}${artist} · ${playlist.name}`);
    showInMediaSession({
      title: track.title,
      artist: track.artist ?? '',
      album: playlist.name,
      artwork: artworkOf(segue, track),
    });
    if (!audio.paused) announce(`Now playing ${track.title}${artist}`);
  };
  for (const type of ['timeupdate', 'seeking', 'seeked']) audio.addEventListener(type, follow);
  follow();

  const total = entries.reduce((sum, entry) => sum + entry.duration, 0);
  const firstCover = list.querySelector('img');
  // hls.js once the list and its first cover are shown, or at Play if sooner
  void whenShown(firstCover ?? h('span')).then(() => {
    if (!signal.aborted) void transport.load();
  });

  return {
    children: [
      h(
        'header',
        { class: 'playlist-head' },
        h('h1', {}, playlist.name),
        playlist.description ? h('p', { class: 'playlist-description' }, playlist.description) : null,
        h('p', { class: 'track-artist' }, `${entries.length} ${entries.length === 1 ? 'track' : 'tracks'} · ${formatDuration(total)}`),
      ),
      audio,
      nowPlaying,
      h('div', { class: 'playlist-player' }, previousButton, controls, nextButton),
      h('div', { class: 'options' }, h('label', { for: 'quality' }, 'Quality', quality), h('label', { for: 'volume' }, 'Volume', volume)),
      message,
      list,
      h('p', { class: 'hint' }, 'Keyboard: space plays or pauses, N and P go to the next and previous track, ← → seek 5 s, ↑ ↓ change the volume.'),
    ],
    dispose: () => transport.dispose(),
  };
}

/** A track in the list: played from there when pressed, or marked as not playable yet. */
function trackItem(context: ViewContext, track: Track, play: (() => void) | null): HTMLLIElement {
  const text = h('span', { class: 'track-text' }, h('span', { class: 'track-title' }, track.title), h('span', { class: 'track-artist' }, track.artist ?? 'Unknown artist'));
  const duration = h('span', { class: 'track-duration' }, h('span', { class: 'visually-hidden' }, 'Duration '), formatDuration(track.durationSec));
  const cover = coverImage(context.segue, track, 'small');
  if (!play) {
    return h('li', { class: 'playlist-track unavailable', 'data-track-id': track.id }, h('div', { class: 'row' }, cover, text, h('span', { class: `badge ${track.status}` }, track.status), duration));
  }
  const button = h('button', { type: 'button', class: 'row', 'aria-label': `Play ${track.title}` }, cover, text, duration);
  button.addEventListener('click', play);
  return h('li', { class: 'playlist-track', 'data-track-id': track.id }, button);
}
