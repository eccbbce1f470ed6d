import { formatDuration, type Track } from '@segue/api-client';
import { h } from './dom.js';

/** A track's title and artist, as a row of a list shows them. */
export const trackText = (track: Track) =>
  h('span', { class: 'track-text' }, h('span', { class: 'track-title' }, track.title), h('span', { class: 'track-artist' }, track.artist ?? 'Unknown artist'));

/** A track's length, as a row of a list shows it (read out as "Duration …"). */
export const trackDuration = (track: Track) =>
  h('span', { class: 'track-duration' }, h('span', { class: 'visually-hidden' }, 'Duration '), formatDuration(track.durationSec));
