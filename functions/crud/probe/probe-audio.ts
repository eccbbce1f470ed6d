import { CouldNotDetermineFileTypeError, type IAudioMetadata, parseFile, UnsupportedFileTypeError } from 'music-metadata';
import { AudioRefused } from './audio-refused.js';
import type { Tags } from '../../core/schemas/track.js';
import { AUDIO_FORMATS, type AudioFormatName, audioFormatOf } from '../media/audio-formats.js';
import { type ProbeOutput, probeMedia } from '../media/ffmpeg.js';
import type { MediaTools } from '../media/media-tools.js';
import { type Cover, readCover } from './read-cover.js';

export interface ProbedAudio {
  /** the container ffmpeg reads it as: the only demuxer any later run may use */
  format: AudioFormatName;
  container: string;
  codec: string;
  mimeType: string;
  bitrate: number | null;
  sampleRate: number;
  channels: number;
  bitsPerSample: number | null;
  /** the length the file's headers promise; undefined where it would only be a guess */
  declaredDurationSec: number | undefined;
  /** the best guess of the length before decoding, for sizing work */
  expectedDurationSec: number;
  tags: Partial<Tags>;
  cover: Cover | undefined;
}

/** ffprobe guesses these formats' length from the bit rate, which proves nothing about truncation. */
const ESTIMATED_DURATION_FORMATS = new Set(['mp3', 'aac', 'ac3', 'eac3', 'mp2', 'mpeg']);

/** What sound can be: past these the numbers are not audio but a lie, and would reach ffmpeg's command line. */
const SANE = {
  sampleRate: { min: 1000, max: 384_000 },
  channels: { min: 1, max: 32 },
  bitsPerSample: { min: 1, max: 64 },
};

type MetadataResult = { kind: 'audio'; metadata: IAudioMetadata } | { kind: 'not-audio' } | { kind: 'broken'; error: unknown };

/** music-metadata's error classes say what went wrong: an unknown type is not audio, anything else is broken audio. */
async function readMetadata(path: string): Promise<MetadataResult> {
  try {
    // pictures are read apart, within a limit (see read-cover.ts): music-metadata would hold them all in memory
    const metadata = await parseFile(path, { skipCovers: true });
    return metadata.format.container ? { kind: 'audio', metadata } : { kind: 'not-audio' };
  } catch (error) {
    if (error instanceof CouldNotDetermineFileTypeError || error instanceof UnsupportedFileTypeError) return { kind: 'not-audio' };
    return { kind: 'broken', error };
  }
}

async function readStreams(tools: MediaTools, path: string): Promise<{ output?: ProbeOutput; error?: unknown }> {
  try {
    return { output: await probeMedia(tools, path) };
  } catch (error) {
    return { error };
  }
}

function tagsOf(metadata: IAudioMetadata | undefined): Partial<Tags> {
  if (!metadata) return {};
  const { common } = metadata;
  const clean = (text: string | undefined) => text?.trim().slice(0, 300) || undefined;
  const tags: Partial<Tags> = {
    title: clean(common.title),
    artist: clean(common.artist),
    album: clean(common.album),
    genre: clean(common.genre?.[0]),
    year: common.year && common.year > 0 && common.year <= 9999 ? common.year : undefined,
    trackNumber: common.track.no && common.track.no > 0 && common.track.no <= 9999 ? common.track.no : undefined,
  };
  return Object.fromEntries(Object.entries(tags).filter(([, value]) => value !== undefined));
}

const positive = (value: unknown) => {
  const number = Number(value);
  return Number.isFinite(number) && number > 0 ? number : undefined;
};

const within = (value: number | undefined, { min, max }: { min: number; max: number }) =>
  value !== undefined && Number.isInteger(value) && value >= min && value <= max ? value : undefined;

/**
 * Reads what the file is: its container, codec, layout, tags and cover.
 * 415 when it is not audio in one of the containers ffmpeg may read (a
 * playlist or any file that names others is not); 422 when it claims to be
 * audio that ffprobe cannot open, or whose numbers are not those of sound.
 */
export async function probeAudio(tools: MediaTools, path: string): Promise<ProbedAudio> {
  const [read, streams] = await Promise.all([readMetadata(path), readStreams(tools, path)]);
  const probed = streams.output;
  const stream = probed?.streams.find((candidate) => candidate.codec_type === 'audio');
  const format = audioFormatOf(probed?.format.format_name);
  if (probed && !format) {
    throw new AudioRefused('unsupported_media_type', 'This file is not audio in a container this service reads', {
      detected: probed.format.format_name ?? 'unknown',
    });
  }
  if (probed && format && !stream && read.kind !== 'broken') {
    // a film without sound, say: the container is one audio comes in, but none came (broken audio stays a 422)
    throw new AudioRefused('unsupported_media_type', 'This file has no audio stream', { detected: probed.format.format_name });
  }
  if (!probed || !stream || !format) {
    if (read.kind === 'not-audio') {
      throw new AudioRefused('unsupported_media_type', 'This file is not audio', {
        ...(probed ? { detected: probed.format.format_name } : {}),
      });
    }
    throw new AudioRefused('undecodable_audio', 'This audio file cannot be decoded', undefined, {
      cause: read.kind === 'broken' ? read.error : streams.error,
    });
  }
  const metadata = read.kind === 'audio' ? read.metadata : undefined;
  const sampleRate = within(stream.sample_rate, SANE.sampleRate);
  const channels = within(stream.channels, SANE.channels);
  if (!sampleRate || !channels) {
    throw new AudioRefused('undecodable_audio', 'This audio stream has no usable sample rate or channel count', {
      sampleRate: stream.sample_rate ?? null,
      channels: stream.channels ?? null,
    });
  }
  const headerDuration = ESTIMATED_DURATION_FORMATS.has(format) ? undefined : positive(probed.format.duration);
  const bitrate = positive(metadata?.format.bitrate) ?? positive(stream.bit_rate) ?? positive(probed.format.bit_rate);
  return {
    format,
    container: metadata?.format.container ?? format,
    codec: metadata?.format.codec ?? stream.codec_name ?? 'unknown',
    mimeType: AUDIO_FORMATS[format].mimeType,
    bitrate: bitrate ? Math.round(bitrate) : null,
    sampleRate,
    channels,
    bitsPerSample:
      within(positive(metadata?.format.bitsPerSample), SANE.bitsPerSample) ??
      within(stream.bits_per_raw_sample, SANE.bitsPerSample) ??
      null,
    declaredDurationSec: metadata ? positive(metadata.format.duration) : headerDuration,
    expectedDurationSec: positive(metadata?.format.duration) ?? positive(probed.format.duration) ?? 600,
    tags: tagsOf(metadata),
    cover: await readCover(tools, { path, format }, probed),
  };
}
