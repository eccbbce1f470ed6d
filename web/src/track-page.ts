import { formatDuration, NotFoundError, type Track, ValidationError } from '@segue/api-client';
import { announce, h } from './dom.js';
import { LoudnessNormaliser, normalisationGainDb } from './loudness.js';
import { apiKeyPrompt } from './api-key.js';
import { managePanel } from './manage-track.js';
import { notFoundView } from './not-found.js';
import { setTitle, type View, type ViewContext } from './view.js';
import { artworkOf, coverImage, whenShown } from './cover.js';
import { showInMediaSession, Transport } from './transport.js';

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
        element.replaceChildren(notFoundView(context, 'This track does not exist, or it was removed.').element);
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
  const transport = new Transport({
    src: segue.tracks.masterPlaylistUrl(track.id),
    peaks: track.peaks,
    span: () => ({ start: 0, duration }),
    signal,
  });
  const { audio, controls, quality, volume, message, waveform } = transport;
  const gainDb = normalisationGainDb(track.loudness);
  const normalise = h('input', { id: 'normalise', type: 'checkbox', disabled: track.loudness?.integratedLufs == null });
  const processing = h('p', { class: 'processing-note', role: 'status' });
  const shareUrl = new URL(`t/${track.id}`, document.baseURI).href;
  const copy = h('button', { type: 'button', class: 'button secondary' }, 'Copy share link');
  const normaliser = new LoudnessNormaliser(audio, gainDb);

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
  showInMediaSession({
    title: track.title,
    artist: track.artist ?? '',
    album: track.album ?? '',
    artwork: artworkOf(segue, track),
  });

  const durationTag = h('dd', {}, formatDuration(duration));
  /** What a track still processing learns once it is ready: its exact length, its waveform and its loudness. */
  const finish = (ready: Track) => {
    duration = ready.durationSec;
    transport.refresh();
    durationTag.textContent = formatDuration(duration);
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
  const cover = coverImage(segue, track, 'large');
  // hls.js is most of the app's weight: fetched once the page and its cover are shown (or at Play, if sooner),
  // so that it never holds them up
  transport.loadAfter(whenShown(cover));

  return {
    children: [
      h('header', { class: 'track-head' }, cover, text),
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
      transport.dispose();
      normaliser.close();
    },
  };
}
