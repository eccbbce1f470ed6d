import { formatDuration, NotFoundError, type Playlist, type Track, ValidationError } from '@segue/api-client';
import { artworkOf, coverImage } from './cover.js';
import { announce, h } from './dom.js';
import { notFoundView } from './not-found.js';
import { showInMediaSession, type Span, Transport } from './transport.js';
import { setTitle, type View, type ViewContext } from './view.js';
import { SHARE_ID } from '../../functions/core/share-id.js';
import { trackDuration, trackText } from './track-row.js';

/** Back within this many seconds of a track's start goes to the track before; later, to its own start. */
const RESTART_WITHIN_SEC = 3;
/** A seek lands this far into a track, so it is never taken for the end of the one before. */
const INTO_TRACK_SEC = 0.01;
/** Where a segment's URL names its track: the stream function's presentation points at each track's own files. */
const TRACK_IN_URL = new RegExp(`/tracks/(${SHARE_ID})/`);

/** A ready track of the playlist, where it begins on the playlist's timeline. */
interface Entry extends Span {
  track: Track;
  item: HTMLLIElement;
}

/**
 * `/p/<id>`: a shared playlist. Its tracks play one after another as one HLS
 * presentation (the stream function's playlist playlists), so the next
 * track is buffered ahead like any later segment and follows without a gap.
 * `first` is the playlist, which the router asks for alongside this page's code.
 */
export function playlistView(context: ViewContext, first: Promise<Playlist>): View {
  const element = h('article', { class: 'playlist-page', 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading…'));
  const controller = new AbortController();
  let page: { dispose(): void } | null = null;

  first
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
  const byId = new Map(playlist.tracks.map((track) => [track.id, track]));
  const items = new Map(playlist.tracks.map((track) => [track.id, trackItem(context, track, track.status === 'ready' ? () => playFrom(track.id) : null)]));
  const list = h('ol', { class: 'playlist-tracks', 'aria-label': 'Tracks' }, ...items.values());
  let entries: Entry[] = [];
  /** Places the tracks on the element's timeline, in the order the presentation plays them. */
  const place = (order: Array<{ id: string; duration: number }>) => {
    let end = 0;
    entries = order.map(({ id, duration }) => {
      const track = byId.get(id)!;
      const entry = { track, item: items.get(id)!, start: end, duration };
      end += duration;
      return entry;
    });
  };
  // until hls.js has read a media playlist: where the stream function puts them, after the ready tracks before each
  place(playlist.tracks.filter((track) => track.status === 'ready').map((track) => ({ id: track.id, duration: track.renditions[0]?.durationSec ?? track.durationSec })));
  if (entries.length === 0) {
    return {
      children: [h('h1', {}, playlist.name), h('p', {}, playlist.tracks.length ? 'None of its tracks is ready to play yet.' : 'This playlist is empty.'), list],
      dispose: () => {},
    };
  }

  /** The playlist changed since this page read it: the page is made again from it as it is now. */
  const reread = () => {
    if (signal.aborted) return;
    announce('This playlist changed while it was open: here it is as it is now.');
    context.reload();
  };
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
    // the places that count are the ones in the playlist hls.js plays; a track ready since the page was read is in them
    onMediaPlaylist: (segments) => {
      const order: Array<{ id: string; duration: number }> = [];
      for (const segment of segments) {
        const id = TRACK_IN_URL.exec(segment.url)?.[1];
        if (!id || !byId.has(id)) return reread();
        if (order.at(-1)?.id !== id) order.push({ id, duration: 0 });
        order.at(-1)!.duration += segment.duration;
      }
      for (const { id } of order) if (byId.get(id)!.status !== 'ready') makePlayable(id);
      place(order);
      shown = -1;
      follow();
    },
    onLoadError: (status) => {
      if (status === 409) reread();
    },
  });
  const { audio, controls, quality, volume, message } = transport;
  const previousButton = h('button', { type: 'button', class: 'button secondary skip', 'aria-label': 'Previous track' }, '⏮');
  const nextButton = h('button', { type: 'button', class: 'button secondary skip', 'aria-label': 'Next track' }, '⏭');
  const nowPlaying = h('p', { class: 'now-playing' });
  previousButton.addEventListener('click', () => previous());
  nextButton.addEventListener('click', () => next());

  const makePlayable = (id: string) => {
    const playable = trackItem(context, { ...byId.get(id)!, status: 'ready' }, () => playFrom(id));
    items.get(id)!.replaceWith(playable);
    items.set(id, playable);
  };
  const seekToEntry = (index: number) => {
    audio.currentTime = entries[index]!.start + INTO_TRACK_SEC;
  };
  function playFrom(id: string): void {
    const index = entries.findIndex((entry) => entry.track.id === id);
    if (index < 0) return;
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

  let shown = -1;
  /** The track at the element's time; the page, the system's controls and the title follow it. */
  const follow = () => {
    if (signal.aborted) return;
    const time = audio.currentTime;
    current = Math.max(0, entries.findLastIndex((entry) => entry.start <= time + INTO_TRACK_SEC / 2));
    if (current === shown) return;
    shown = current;
    const { track, item } = entries[current]!;
    for (const each of items.values()) each.querySelector('.row')?.removeAttribute('aria-current');
    item.querySelector('.row')?.setAttribute('aria-current', 'true');
    controls.dataset.track = String(current);
    transport.waveform.values = track.peaks;
    transport.refresh();
    const artist = track.artist ? ` – ${track.artist}` : '';
    nowPlaying.textContent = `${current + 1} of ${entries.length}: ${track.title}${artist}`;
    // aria-disabled rather than disabled: a button that has focus keeps it
    nextButton.setAttribute('aria-disabled', String(current + 1 >= entries.length));
    setTitle(`${track.title}${artist} · ${playlist.name}`);
    showInMediaSession({ title: track.title, artist: track.artist ?? '', album: playlist.name, artwork: artworkOf(segue, track) });
    if (!audio.paused) announce(`Now playing ${track.title}${artist}`);
  };
  for (const type of ['timeupdate', 'seeking', 'seeked']) transport.listen(audio, type, follow);
  follow();
  // hls.js once the page is on screen (its covers are small), or at Play if sooner
  transport.loadAfter(new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))));

  const total = entries.reduce((sum, entry) => sum + entry.duration, 0);
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
  const text = trackText(track);
  const duration = trackDuration(track);
  const cover = coverImage(context.segue, track, 'small');
  if (!play) {
    return h('li', { class: 'playlist-track unavailable', 'data-track-id': track.id }, h('div', { class: 'row' }, cover, text, h('span', { class: `badge ${track.status}` }, track.status), duration));
  }
  const button = h('button', { type: 'button', class: 'row' }, cover, h('span', { class: 'visually-hidden' }, 'Play '), text, duration);
  button.addEventListener('click', play);
  return h('li', { class: 'playlist-track', 'data-track-id': track.id }, button);
}
