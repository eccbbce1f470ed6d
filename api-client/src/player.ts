// the light build: no subtitles, alternate audio or DRM, none of which an audio ladder uses
import Hls, { type ErrorData, type HlsConfig } from 'hls.js/light';

export interface Quality {
  /** the index to pass to `setQuality` */
  index: number;
  /** bits per second the rung needs at its peak */
  bandwidth: number;
  /** e.g. "128 kbit/s" */
  label: string;
}

export interface AttachedTrack {
  /** `hls.js` where MSE plays the stream, `native` where the browser plays HLS itself */
  readonly engine: 'hls.js' | 'native';
  /** the hls.js instance, for anything this helper does not cover */
  readonly hls: Hls | null;
  /**
   * The renditions; empty until the playlist is read, and always empty natively (the browser chooses).
   *
   * @example
   * for (const { index, label } of player.qualities()) select.append(new Option(label, String(index)));
   */
  qualities(): Quality[];
  /**
   * The rendition chosen, or -1 for automatic choice.
   *
   * @example
   * select.value = String(player.currentQuality());
   */
  currentQuality(): number;
  /**
   * A rendition index, or -1 to let bandwidth decide; it plays at once, not after what is buffered.
   *
   * @example
   * select.addEventListener('change', () => player.setQuality(Number(select.value)));
   */
  setQuality(index: number): void;
  /**
   * Stops loading and releases the element.
   *
   * @example
   * window.addEventListener('pagehide', () => player.destroy());
   */
  destroy(): void;
}

/** A segment of a media playlist as hls.js placed it. */
export interface PlaylistSegment {
  /** absolute URL */
  url: string;
  /** seconds from the start of the presentation */
  start: number;
  duration: number;
}

export interface AttachOptions {
  /** hls.js settings merged over the defaults */
  hlsConfig?: Partial<HlsConfig>;
  /**
   * fetch nothing but the multivariant playlist until the element is played
   * or seeked (a share page opened and never played costs no audio); without
   * hls.js, the element's `preload` is set to `none` to the same end
   */
  loadOnPlay?: boolean;
  /** the playlists were read: the qualities are known */
  onReady?: () => void;
  /** hls.js switched to another rendition (an index of `qualities()`) */
  onQualitySwitched?: (index: number) => void;
  /** every hls.js error, recovered or not, by its `details` (e.g. `fragLoadError`), with the HTTP status of a failed load */
  onError?: (details: string, fatal: boolean, status?: number) => void;
  /** hls.js read a media playlist: its segments, where each starts on the element's timeline (hls.js only) */
  onMediaPlaylist?: (segments: PlaylistSegment[]) => void;
  /** playback cannot continue, after recovery was tried */
  onFatalError?: (error: Error) => void;
}

/**
 * How far ahead hls.js may buffer, in seconds. Its own cap (600 s, from a
 * 60 MB budget over the rung's bit rate) is ten minutes of audio: for a long
 * track, more than Chromium lets one audio SourceBuffer hold (12 MiB, six
 * minutes at the top rung), which ends in `bufferFullError`s.
 */
const MAX_BUFFER_AHEAD_SEC = 120;

/** Fatal network errors are retried this many times before giving up, as hls.js's documentation suggests for a flaky link. */
const MAX_NETWORK_RECOVERIES = 3;

/**
 * Plays a Segue master playlist (`segue.tracks.masterPlaylistUrl(id)`, or a
 * playlist's: `segue.playlists.masterPlaylistUrl(id)`) in an `<audio>`
 * element: through hls.js where Media Source Extensions exist, else natively
 * where the browser plays HLS itself (Safari on iOS).
 *
 * @example
 * import { attachTrack } from '@segue/api-client/player';
 *
 * const player = attachTrack(document.querySelector('audio')!, segue.tracks.masterPlaylistUrl(track.id), {
 *   loadOnPlay: true,
 *   onReady: () => console.log(player.qualities().map((quality) => quality.label)),
 *   onFatalError: (error) => console.error(error.message),
 * });
 */
export function attachTrack(audio: HTMLMediaElement, masterPlaylistUrl: string, options: AttachOptions = {}): AttachedTrack {
  if (Hls.isSupported()) return attachWithHlsJs(audio, masterPlaylistUrl, options);
  if (audio.canPlayType('application/vnd.apple.mpegurl')) return attachNatively(audio, masterPlaylistUrl, options);
  const error = new Error('This browser can play neither HLS nor Media Source Extensions');
  options.onFatalError?.(error);
  throw error;
}

function attachWithHlsJs(audio: HTMLMediaElement, url: string, options: AttachOptions): AttachedTrack {
  const hls = new Hls({ maxMaxBufferLength: MAX_BUFFER_AHEAD_SEC, ...(options.loadOnPlay ? { autoStartLoad: false } : {}), ...options.hlsConfig });
  const startLoading = () => {
    audio.removeEventListener('play', startLoading);
    audio.removeEventListener('seeking', startLoading);
    // from where the listener put the playhead, or (-1) where the playlists say to start
    hls.startLoad(audio.currentTime > 0 ? audio.currentTime : -1);
  };
  if (options.loadOnPlay && !hls.config.autoStartLoad) {
    audio.addEventListener('play', startLoading);
    audio.addEventListener('seeking', startLoading);
  }
  let networkRecoveries = 0;
  let lastMediaRecoveryAt = Number.NEGATIVE_INFINITY;
  let codecSwapped = false;

  hls.on(Hls.Events.MANIFEST_PARSED, () => options.onReady?.());
  hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => options.onQualitySwitched?.(data.level));
  hls.on(Hls.Events.LEVEL_LOADED, (_event, data) => {
    options.onMediaPlaylist?.(data.details.fragments.map((fragment) => ({ url: fragment.url, start: fragment.start, duration: fragment.duration })));
  });
  hls.on(Hls.Events.FRAG_LOADED, () => {
    networkRecoveries = 0;
  });
  hls.on(Hls.Events.ERROR, (_event, data: ErrorData) => {
    options.onError?.(data.details, data.fatal, data.response?.code);
    if (!data.fatal) return;
    // the recovery ladder from hls.js's API documentation: reload on network errors,
    // recover the media element once, then swap the codec and recover again
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR && networkRecoveries < MAX_NETWORK_RECOVERIES) {
      networkRecoveries++;
      hls.startLoad();
      return;
    }
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
      const now = performance.now();
      if (now - lastMediaRecoveryAt > 3_000) {
        lastMediaRecoveryAt = now;
        hls.recoverMediaError();
        return;
      }
      if (!codecSwapped) {
        codecSwapped = true;
        lastMediaRecoveryAt = now;
        hls.swapAudioCodec();
        hls.recoverMediaError();
        return;
      }
    }
    hls.destroy();
    options.onFatalError?.(new Error(`Playback stopped: ${data.details}${data.error ? ` (${data.error.message})` : ''}`));
  });

  hls.loadSource(url);
  hls.attachMedia(audio);
  return {
    engine: 'hls.js',
    hls,
    qualities: () =>
      hls.levels.map((level, index) => ({ index, bandwidth: level.bitrate, label: qualityLabel(level.uri, level.bitrate) })),
    currentQuality: () => (hls.autoLevelEnabled ? -1 : hls.currentLevel),
    setQuality: (index) => {
      // a listener who picks a quality wants to hear it now, not after what is buffered
      hls.currentLevel = index;
    },
    destroy: () => {
      audio.removeEventListener('play', startLoading);
      audio.removeEventListener('seeking', startLoading);
      hls.destroy();
    },
  };
}

/** Segue names renditions by their nominal rate (`a128/index.m3u8`); the measured peak is a little above it. */
function qualityLabel(uri: string, peakBandwidth: number): string {
  const nominal = /(?:^|\/)a(\d+)\/index\.m3u8/.exec(uri)?.[1];
  return `${nominal ?? Math.round(peakBandwidth / 1000)} kbit/s`;
}

function attachNatively(audio: HTMLMediaElement, url: string, options: AttachOptions): AttachedTrack {
  const onLoaded = () => options.onReady?.();
  const onError = () => options.onFatalError?.(new Error(`Playback stopped: ${audio.error?.message || `media error ${audio.error?.code}`}`));
  audio.addEventListener('loadedmetadata', onLoaded, { once: true });
  audio.addEventListener('error', onError);
  if (options.loadOnPlay) audio.preload = 'none';
  audio.src = url;
  return {
    engine: 'native',
    hls: null,
    qualities: () => [],
    currentQuality: () => -1,
    setQuality: () => {},
    destroy: () => {
      audio.removeEventListener('loadedmetadata', onLoaded);
      audio.removeEventListener('error', onError);
      audio.removeAttribute('src');
      audio.load();
    },
  };
}
