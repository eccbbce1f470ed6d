import { formatDuration, NotFoundError, type Segue, type Track, ValidationError } from '@segue/api-client';
import type { AttachedTrack } from '@segue/api-client/player';
import { announce, h } from './dom.js';
import { LoudnessNormaliser, normalisationGainDb } from './loudness.js';
import { apiKeyPrompt } from './api-key.js';
import { managePanel } from './manage-track.js';
import { notFoundView } from './not-found.js';
import { setTitle, type View, type ViewContext } from './view.js';
import { Waveform } from './waveform.js';

const SEEK_STEP_SEC = 5;
const VOLUME_STEP = 0.1;

/**
 * `/t/<id>`: the share page. Loads the track and plays it, as soon as it can
 * be played if it is still processing (it then says so until it is ready).
 * `first` is the track already being asked for, if the router asked.
 */
export function trackView(context: ViewContext, id: string, first?: Promise<Track>): View {
  const element = h('article', { class: 'track-page', 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading…'));
  const controller = new AbortController();
  let player: { dispose(): void } | null = null;

  async function load(): Promise<void> {
    try {
      let track = await (first ?? context.segue.tracks.retrieve(id, { signal: controller.signal }));
      first = undefined; // a retry asks again
      if (track.status === 'processing' && !track.playable) {
        const progress = h('progress', { max: 1, value: track.progress, 'aria-label': 'Processing' });
        element.replaceChildren(h('h1', {}, track.title), h('p', {}, 'This track is still being processed.'), progress);
        track = await context.segue.tracks.waitUntilPlayable(id, {
          signal: controller.signal,
          onProgress: (seen) => {
            progress.value = seen.progress;
          },
        });
      }
      if (track.status === 'failed') {
        element.replaceChildren(...failedPage(context, track, () => void load()));
        return;
      }
      const page = playerPage(context, track, controller.signal);
      player = page;
      element.replaceChildren(...page.children);
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof NotFoundError || error instanceof ValidationError) {
        element.replaceWith(notFoundView(context, 'This track does not exist, or it was removed.').element);
        return;
      }
      const reason = (error as Error).name === 'ProcessingError' ? (error as Error).message : `The track could not be loaded: ${(error as Error).message}`;
      element.replaceChildren(h('p', { role: 'alert' }, reason));
    } finally {
      element.removeAttribute('aria-busy');
    }
  }

  void load();
  return {
    element,
    dispose: () => {
      controller.abort();
      player?.dispose();
    },
  };
}

/** A failed track: the reason, a way to process it again, and to delete it. */
function failedPage(context: ViewContext, track: Track, reload: () => void): Node[] {
  const keyPrompt = apiKeyPrompt(context.segue, context.rememberApiKey);
  const status = h('p', { role: 'status' });
  const retry = h('button', { type: 'button', class: 'button' }, 'Try again');
  retry.addEventListener('click', async () => {
    retry.disabled = true;
    try {
      await context.segue.tracks.reprocess(track.id);
      announce(`${track.title} is being processed again`);
      reload();
    } catch (error) {
      retry.disabled = false;
      status.textContent = keyPrompt.askIfRefused(error)
        ? 'This service needs an API key for that: enter it, then try again.'
        : `It could not be processed again: ${(error as Error).message}`;
    }
  });
  setTitle(track.title);
  return [
    h('h1', {}, track.title),
    h('p', { role: 'alert', class: 'failure' }, `This track could not be processed: ${track.error?.message ?? 'no reason given'}`),
    h('p', {}, retry),
    keyPrompt.element,
    status,
    managePanel(context, track, () => reload()),
  ];
}

function playerPage(context: ViewContext, track: Track, signal: AbortSignal): { children: Node[]; dispose(): void } {
  const { segue } = context;
  setTitle(track.artist ? `${track.title} – ${track.artist}` : track.title);
  let duration = track.durationSec;
  const audio = h('audio', { preload: 'auto', crossorigin: 'anonymous' });
  const playButton = h('button', { type: 'button', class: 'play', 'aria-label': 'Play' }, h('span', { 'aria-hidden': 'true' }, '▶'));
  const seek = h('input', { type: 'range', class: 'seek-input', min: 0, max: duration, step: 1, value: 0, 'aria-label': 'Seek' });
  const elapsed = h('span', { class: 'elapsed' }, '0:00');
  const waveform = new Waveform(track.peaks);
  const quality = h('select', { id: 'quality' }, h('option', { value: '-1' }, 'Auto'));
  const volume = h('input', { id: 'volume', type: 'range', min: 0, max: 1, step: 0.05, value: 1 });
  const gainDb = normalisationGainDb(track.loudness);
  const normalise = h('input', { id: 'normalise', type: 'checkbox', disabled: track.loudness?.integratedLufs == null });
  const message = h('p', { class: 'player-error', role: 'alert' });
  const processing = h('p', { class: 'processing-note', role: 'status' });
  const shareUrl = new URL(`t/${track.id}`, document.baseURI).href;
  const copy = h('button', { type: 'button', class: 'button secondary' }, 'Copy share link');
  const controls = h(
    'div',
    { class: 'player', role: 'group', 'aria-label': 'Player', 'data-hls-errors': '0' },
    playButton,
    h('div', { class: 'seek' }, waveform.canvas, seek),
    h('span', { class: 'time' }, elapsed, ' / ', h('span', { class: 'total' }, formatDuration(duration))),
  );

  const normaliser = new LoudnessNormaliser(audio, gainDb);
  let hlsErrors = 0;
  let attached: AttachedTrack | null = null;
  // hls.js is most of the app's weight: fetched once the page and its cover are shown (or at Play, if sooner),
  // so that it never holds them up
  let attaching: Promise<void> | null = null;
  const loadPlayer = () => (attaching ??= import('@segue/api-client/player').then(({ attachTrack }) => {
    if (signal.aborted) return;
    attached = attachTrack(audio, segue.tracks.masterPlaylistUrl(track.id), {
      // a share link opened on a phone costs the playlists only, until Play
      loadOnPlay: true,
      onReady: () => {
        for (const each of attached?.qualities() ?? []) quality.append(h('option', { value: String(each.index) }, each.label));
      },
      // shown where a test (or a curious listener) can read them
      onQualitySwitched: (index) => {
        controls.dataset.quality = String(index);
      },
      onError: (details) => {
        controls.dataset.hlsErrors = String(++hlsErrors);
        controls.dataset.hlsLastError = details;
      },
      onFatalError: (error) => {
        message.textContent = error.message;
      },
    });
    controls.dataset.engine = attached.engine;
    if (attached.engine === 'native') {
      quality.replaceChildren(h('option', { value: '-1' }, 'Auto (chosen by the browser)'));
      quality.disabled = true;
    }
  }));

  const play = () => loadPlayer().then(() => audio.play()).catch((error: Error) => (message.textContent = error.message));
  const toggle = () => void (audio.paused ? play() : audio.pause());
  const seekTo = (seconds: number) => {
    audio.currentTime = Math.min(Math.max(0, seconds), duration);
  };
  let shownSecond = -1;
  const showTime = () => {
    const now = audio.currentTime;
    waveform.played = now / duration;
    if (document.activeElement !== seek) seek.value = String(now);
    // text changes once a second, so screen readers are not flooded
    if (Math.floor(now) === shownSecond) return;
    shownSecond = Math.floor(now);
    elapsed.textContent = formatDuration(shownSecond);
    seek.setAttribute('aria-valuetext', `${formatDuration(shownSecond)} of ${formatDuration(duration)}`);
  };
  const showPlaying = () => {
    const playing = !audio.paused;
    playButton.setAttribute('aria-label', playing ? 'Pause' : 'Play');
    playButton.firstElementChild!.textContent = playing ? '❚❚' : '▶';
    if ('mediaSession' in navigator) navigator.mediaSession.playbackState = playing ? 'playing' : 'paused';
  };

  playButton.addEventListener('click', toggle);
  seek.addEventListener('input', () => seekTo(Number(seek.value)));
  // the slider's own arrow steps are a second; the player's are five, as everywhere else on the page
  seek.addEventListener('keydown', (event) => {
    const steps: Record<string, number> = { ArrowLeft: -SEEK_STEP_SEC, ArrowRight: SEEK_STEP_SEC, PageDown: -duration / 10, PageUp: duration / 10 };
    const step = steps[event.key];
    if (step === undefined) return;
    event.preventDefault();
    seekTo(audio.currentTime + step);
  });
  audio.addEventListener('timeupdate', showTime);
  audio.addEventListener('seeked', showTime);
  audio.addEventListener('play', showPlaying);
  audio.addEventListener('pause', showPlaying);
  audio.addEventListener('ended', showPlaying);
  volume.addEventListener('input', () => {
    audio.volume = Number(volume.value);
  });
  quality.addEventListener('change', () => attached?.setQuality(Number(quality.value)));
  normalise.addEventListener('change', () => {
    normaliser.enabled = normalise.checked;
    announce(normalise.checked ? `Loudness normalised: ${gainDb >= 0 ? '+' : ''}${gainDb.toFixed(1)} dB` : 'Loudness as mastered');
  });
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(shareUrl);
      announce('Share link copied');
      copy.textContent = 'Copied';
    } catch {
      // without clipboard permission the link is still there to select by hand
      announce(`Share link: ${shareUrl}`);
    }
  });

  const onKey = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (event.altKey || event.ctrlKey || event.metaKey || target.closest('input, select, textarea, button, a')) return;
    const actions: Record<string, () => void> = {
      ' ': toggle,
      ArrowLeft: () => seekTo(audio.currentTime - SEEK_STEP_SEC),
      ArrowRight: () => seekTo(audio.currentTime + SEEK_STEP_SEC),
      ArrowUp: () => (volume.value = String((audio.volume = Math.min(1, audio.volume + VOLUME_STEP)))),
      ArrowDown: () => (volume.value = String((audio.volume = Math.max(0, audio.volume - VOLUME_STEP)))),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };
  document.addEventListener('keydown', onKey);
  const onResize = () => waveform.schedule();
  window.addEventListener('resize', onResize);
  const releaseMediaSession = setUpMediaSession(segue, track, { play, seekTo, audio });

  const totalTime = controls.querySelector('.total')!;
  const durationTag = h('dd', {}, formatDuration(duration));
  /** What a track still processing learns once it is ready: its exact length, its waveform and its loudness. */
  const finish = (ready: Track) => {
    duration = ready.durationSec;
    seek.max = String(duration);
    totalTime.textContent = durationTag.textContent = formatDuration(duration);
    waveform.values = ready.peaks;
    normaliser.gainDb = normalisationGainDb(ready.loudness);
    normalise.disabled = ready.loudness?.integratedLufs == null;
    processing.remove();
    controls.dataset.status = 'ready';
    showTrack(ready);
  };
  controls.dataset.status = track.status;
  if (track.status === 'processing') {
    const showProgress = (seen: Track) => {
      processing.textContent = `Still processing (${Math.round(seen.progress * 100)}%): playing what is ready so far.`;
    };
    showProgress(track);
    segue.tracks
      .waitUntilReady(track.id, { signal, onProgress: showProgress })
      .then(finish)
      .catch((error: Error) => {
        if (!signal.aborted) processing.textContent = `Processing did not finish: ${error.message}`;
      });
  }
  requestAnimationFrame(() => waveform.schedule());

  /** The title, artist and facts, written again when the tags change or the track is ready. */
  const textOf = (shown: Track) => {
    const details: Array<[string, string | number | Node | null]> = [
      ['Album', shown.album],
      ['Year', shown.year],
      ['Genre', shown.genre],
      ['Track', shown.trackNumber],
      ['Duration', durationTag],
      ['Loudness', shown.loudness?.integratedLufs == null ? null : `${shown.loudness.integratedLufs.toFixed(1)} LUFS`],
    ];
    return h(
      'div',
      {},
      h('h1', {}, shown.title),
      h('p', { class: 'track-artist' }, shown.artist ?? 'Unknown artist'),
      h('dl', { class: 'tags' }, ...details.filter(([, value]) => value !== null).flatMap(([name, value]) => [h('dt', {}, name), value instanceof Node ? value : h('dd', {}, String(value))])),
    );
  };
  let text = textOf(track);
  function showTrack(shown: Track): void {
    const next = textOf(shown);
    text.replaceWith(next);
    text = next;
    setTitle(shown.artist ? `${shown.title} – ${shown.artist}` : shown.title);
  }
  const cover = track.hasCover
    ? h('img', { class: 'cover large', src: segue.tracks.coverUrl(track.id), alt: `Cover of ${track.title}`, width: 240, height: 240 })
    : h('div', { class: 'cover large placeholder', 'aria-hidden': 'true' }, '♪');
  const coverShown = cover instanceof HTMLImageElement ? cover.decode().catch(() => {}) : Promise.resolve();
  void coverShown.then(() => {
    if (!signal.aborted) loadPlayer().catch((error: Error) => (message.textContent = `The player could not be loaded: ${error.message}`));
  });

  return {
    children: [
      h(
        'header',
        { class: 'track-head' },
        cover,
        text,
      ),
      audio,
      processing,
      controls,
      h(
        'div',
        { class: 'options' },
        h('label', { for: 'quality' }, 'Quality', quality),
        h('label', { for: 'volume' }, 'Volume', volume),
        h('label', { for: 'normalise', class: 'check' }, normalise, 'Normalise loudness'),
        h('a', { class: 'button secondary', href: segue.tracks.originalUrl(track.id), download: track.source.filename }, 'Download original'),
        copy,
      ),
      message,
      h('p', { class: 'hint' }, 'Keyboard: space plays or pauses, ← → seek 5 s, ↑ ↓ change the volume.'),
      managePanel(context, track, showTrack),
    ],
    dispose: () => {
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('resize', onResize);
      attached?.destroy();
      normaliser.close();
      waveform.dispose();
      releaseMediaSession();
    },
  };
}

/** Metadata and actions for the system's media controls; answers what undoes them when the page goes. */
function setUpMediaSession(
  segue: Segue,
  track: Track,
  player: { play(): Promise<unknown>; seekTo(seconds: number): void; audio: HTMLMediaElement },
): () => void {
  if (!('mediaSession' in navigator)) return () => {};
  const session = navigator.mediaSession;
  session.metadata = new MediaMetadata({
    title: track.title,
    artist: track.artist ?? '',
    album: track.album ?? '',
    artwork: track.hasCover ? [{ src: segue.tracks.coverUrl(track.id) }] : [],
  });
  const { audio } = player;
  const handlers: Array<[MediaSessionAction, MediaSessionActionHandler]> = [
    ['play', () => void player.play()],
    ['pause', () => audio.pause()],
    ['seekbackward', (details) => player.seekTo(audio.currentTime - (details.seekOffset ?? SEEK_STEP_SEC))],
    ['seekforward', (details) => player.seekTo(audio.currentTime + (details.seekOffset ?? SEEK_STEP_SEC))],
    ['seekto', (details) => player.seekTo(details.seekTime ?? audio.currentTime)],
  ];
  const setAll = (use: boolean) => {
    for (const [action, handler] of handlers) {
      try {
        session.setActionHandler(action, use ? handler : null);
      } catch {
        // a browser that does not know an action just goes without it
      }
    }
  };
  setAll(true);
  return () => {
    setAll(false);
    session.metadata = null;
  };
}
