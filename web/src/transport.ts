import { formatDuration } from '@segue/api-client';
import type { AttachedTrack, PlaylistSegment } from '@segue/api-client/player';
import { h } from './dom.js';
import { Waveform } from './waveform.js';

const SEEK_STEP_SEC = 5;
const VOLUME_STEP = 0.1;

/** The stretch of the audio element's timeline the controls show: a whole track, or a playlist's current track. */
export interface Span {
  start: number;
  duration: number;
}

export interface TransportOptions {
  /** the HLS multivariant playlist to play */
  src: string;
  peaks: number[];
  span(): Span;
  signal: AbortSignal;
  /** keys a page adds to the shared ones (space, ← →, ↑ ↓) */
  keys?: Record<string, () => void>;
  /** media session actions a page adds to play, pause and seeking */
  mediaActions?: Array<[MediaSessionAction, MediaSessionActionHandler]>;
  /** hls.js read a media playlist (what a playlist page learns its tracks' places from) */
  onMediaPlaylist?: (segments: PlaylistSegment[]) => void;
  /** a load failed with this HTTP status (a playlist page is told its playlist changed: 409) */
  onLoadError?: (status: number) => void;
}

/**
 * What every page that plays has: the audio element, a play button, a seek
 * bar over the waveform, the time, quality and volume, the keyboard and the
 * system's media controls. hls.js is fetched only when asked (`load`), or at
 * the first Play.
 */
export class Transport {
  readonly audio = h('audio', { preload: 'auto', crossorigin: 'anonymous' });
  readonly playButton = h('button', { type: 'button', class: 'play', 'aria-label': 'Play' }, h('span', { 'aria-hidden': 'true' }, '▶'));
  readonly quality = h('select', { id: 'quality' }, h('option', { value: '-1' }, 'Auto'));
  readonly volume = h('input', { id: 'volume', type: 'range', min: 0, max: 1, step: 0.05, value: 1 });
  readonly message = h('p', { class: 'player-error', role: 'alert' });
  readonly waveform: Waveform;
  readonly controls: HTMLElement;
  private readonly seek = h('input', { type: 'range', class: 'seek-input', min: 0, step: 1, value: 0, 'aria-label': 'Seek' });
  private readonly elapsed = h('span', { class: 'elapsed' }, '0:00');
  private readonly total = h('span', { class: 'total' });
  private attached: AttachedTrack | null = null;
  private attaching: Promise<void> | null = null;
  private hlsErrors = 0;
  private shownSecond = -1;
  private readonly undo: Array<() => void> = [];

  constructor(private readonly options: TransportOptions) {
    this.waveform = new Waveform(options.peaks);
    this.controls = h(
      'div',
      { class: 'player', role: 'group', 'aria-label': 'Player', 'data-hls-errors': '0' },
      this.playButton,
      h('div', { class: 'seek' }, this.waveform.canvas, this.seek),
      h('span', { class: 'time' }, this.elapsed, ' / ', this.total),
    );
    this.refresh();
    const { audio, seek, volume } = this;
    this.playButton.addEventListener('click', () => this.toggle());
    seek.addEventListener('input', () => this.seekTo(Number(seek.value)));
    // the slider's own arrow steps are a second; the player's are five, as everywhere else on the page
    seek.addEventListener('keydown', (event) => {
      const { duration } = options.span();
      const steps: Record<string, number> = { ArrowLeft: -SEEK_STEP_SEC, ArrowRight: SEEK_STEP_SEC, PageDown: -duration / 10, PageUp: duration / 10 };
      const step = steps[event.key];
      if (step === undefined) return;
      event.preventDefault();
      this.seekBy(step);
    });
    for (const type of ['timeupdate', 'seeked']) this.listen(audio, type, () => this.showTime());
    for (const type of ['play', 'pause', 'ended']) this.listen(audio, type, () => this.showPlaying());
    volume.addEventListener('input', () => {
      audio.volume = Number(volume.value);
    });
    this.quality.addEventListener('change', () => this.attached?.setQuality(Number(this.quality.value)));
    this.listen(document, 'keydown', (event) => this.onKey(event as KeyboardEvent));
    this.listen(window, 'resize', () => this.waveform.schedule());
    this.undo.push(this.useMediaSession());
    requestAnimationFrame(() => this.waveform.schedule());
  }

  /** Fetches hls.js and attaches it, once; nothing but the multivariant playlist is fetched until Play. */
  load(): Promise<void> {
    this.attaching ??= import('@segue/api-client/player').then(({ attachTrack }) => {
      if (this.options.signal.aborted) return;
      const { controls, quality } = this;
      const attached = attachTrack(this.audio, this.options.src, {
        // a share link opened on a phone costs the playlists only, until Play
        loadOnPlay: true,
        onReady: () => {
          for (const each of attached.qualities()) quality.append(h('option', { value: String(each.index) }, each.label));
        },
        // shown where a test (or a curious listener) can read them
        onQualitySwitched: (index) => {
          controls.dataset.quality = String(index);
        },
        onError: (details, _fatal, status) => {
          controls.dataset.hlsErrors = String(++this.hlsErrors);
          controls.dataset.hlsLastError = details;
          if (status !== undefined && status >= 400) this.options.onLoadError?.(status);
        },
        onMediaPlaylist: (segments) => this.options.onMediaPlaylist?.(segments),
        onFatalError: (error) => {
          this.message.textContent = error.message;
        },
      });
      this.attached = attached;
      controls.dataset.engine = attached.engine;
      if (attached.engine === 'native') {
        quality.replaceChildren(h('option', { value: '-1' }, 'Auto (chosen by the browser)'));
        quality.disabled = true;
      }
    });
    this.attaching.catch((error: Error) => (this.message.textContent = `The player could not be loaded: ${error.message}`));
    return this.attaching;
  }

  /** Fetches hls.js once `shown` settles (the page and its cover are on screen), unless Play came first. */
  loadAfter(shown: Promise<void>): void {
    void shown.then(() => {
      if (!this.options.signal.aborted) void this.load();
    });
  }

  play(): Promise<void> {
    return this.load()
      .then(() => this.audio.play())
      .catch((error: Error) => void (this.message.textContent = error.message));
  }

  toggle(): void {
    if (this.audio.paused) void this.play();
    else this.audio.pause();
  }

  /** To a time within the span shown. */
  seekTo(seconds: number): void {
    const { start, duration } = this.options.span();
    this.audio.currentTime = start + Math.min(Math.max(0, seconds), duration);
  }

  seekBy(seconds: number): void {
    this.seekTo(this.audio.currentTime - this.options.span().start + seconds);
  }

  /** Reads the span again: its length, and where in it the element is. */
  refresh(): void {
    const { duration } = this.options.span();
    this.seek.max = String(duration);
    this.total.textContent = formatDuration(duration);
    this.shownSecond = -1;
    this.showTime();
  }

  dispose(): void {
    for (const undo of this.undo.splice(0)) undo();
    this.attached?.destroy();
    this.waveform.dispose();
  }

  private showTime(): void {
    const { start, duration } = this.options.span();
    const now = Math.max(0, this.audio.currentTime - start);
    this.waveform.played = duration > 0 ? now / duration : 0;
    if (document.activeElement !== this.seek) this.seek.value = String(now);
    // text changes once a second, so screen readers are not flooded
    if (Math.floor(now) === this.shownSecond) return;
    this.shownSecond = Math.floor(now);
    this.elapsed.textContent = formatDuration(this.shownSecond);
    this.seek.setAttribute('aria-valuetext', `${formatDuration(this.shownSecond)} of ${formatDuration(duration)}`);
    // the lock screen's scrubber is the span's too, so a seek from it lands where it shows
    if ('mediaSession' in navigator && 'setPositionState' in navigator.mediaSession && duration > 0) {
      navigator.mediaSession.setPositionState({ duration, position: Math.min(now, duration), playbackRate: this.audio.playbackRate || 1 });
    }
  }

  private showPlaying(): void {
    const playing = !this.audio.paused;
    this.playButton.setAttribute('aria-label', playing ? 'Pause' : 'Play');
    this.playButton.firstElementChild!.textContent = playing ? '❚❚' : '▶';
    if ('mediaSession' in navigator) navigator.mediaSession.playbackState = playing ? 'playing' : 'paused';
  }

  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (event.altKey || event.ctrlKey || event.metaKey || target.closest('input, select, textarea, [contenteditable]')) return;
    // a focused button or link keeps its own Space and Enter; the other keys still reach the player
    if ((event.key === ' ' || event.key === 'Enter') && target.closest('button, a, summary')) return;
    const { audio, volume } = this;
    const actions: Record<string, () => void> = {
      ' ': () => this.toggle(),
      ArrowLeft: () => this.seekBy(-SEEK_STEP_SEC),
      ArrowRight: () => this.seekBy(SEEK_STEP_SEC),
      ArrowUp: () => (volume.value = String((audio.volume = Math.min(1, audio.volume + VOLUME_STEP)))),
      ArrowDown: () => (volume.value = String((audio.volume = Math.max(0, audio.volume - VOLUME_STEP)))),
      ...this.options.keys,
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  }

  /** The system's media controls (a phone's lock screen, a keyboard's media keys); answers what undoes them. */
  private useMediaSession(): () => void {
    if (!('mediaSession' in navigator)) return () => {};
    const session = navigator.mediaSession;
    const handlers: Array<[MediaSessionAction, MediaSessionActionHandler]> = [
      ['play', () => void this.play()],
      ['pause', () => this.audio.pause()],
      ['seekbackward', (details) => this.seekBy(-(details.seekOffset ?? SEEK_STEP_SEC))],
      ['seekforward', (details) => this.seekBy(details.seekOffset ?? SEEK_STEP_SEC)],
      ['seekto', (details) => this.seekTo(details.seekTime ?? this.audio.currentTime - this.options.span().start)],
      ...(this.options.mediaActions ?? []),
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

  /** Listens until the transport is disposed. */
  listen(target: EventTarget, type: string, listener: (event: Event) => void): void {
    target.addEventListener(type, listener);
    this.undo.push(() => target.removeEventListener(type, listener));
  }
}

/** What the system's media controls show of the track playing. */
export function showInMediaSession(metadata: MediaMetadataInit): void {
  if ('mediaSession' in navigator) navigator.mediaSession.metadata = new MediaMetadata(metadata);
}
