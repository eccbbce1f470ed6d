import { type IAudioMetadata, type IPicture, parseFile } from 'music-metadata';
import { HttpError } from '../../shared/errors.js';
import type { Tags } from '../../shared/schemas/track.js';
import { type FfprobeData, probeMedia } from '../media/ffmpeg.js';
import type { MediaTools } from '../media/media-tools.js';

export interface Cover {
  mimeType: string;
  data: Uint8Array;
}

export interface ProbedAudio {
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

const MAX_COVER_BYTES = 4 * 1024 * 1024;

/** ffprobe guesses these formats' length from the bit rate, which proves nothing about truncation. */
const ESTIMATED_DURATION_FORMATS = new Set(['mp3', 'aac', 'ac3', 'eac3', 'mp2', 'mpeg']);

const MIME_BY_FORMAT: Record<string, string> = {
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  'mov,mp4,m4a,3gp,3g2,mj2': 'audio/mp4',
  'matroska,webm': 'audio/webm',
  aiff: 'audio/aiff',
  aac: 'audio/aac',
  asf: 'audio/x-ms-asf',
};

type MetadataResult = { kind: 'audio'; metadata: IAudioMetadata } | { kind: 'not-audio' } | { kind: 'broken'; reason: string };

/** music-metadata's errors name what went wrong: an unknown type is not audio, anything else is broken audio. */
async function readMetadata(path: string): Promise<MetadataResult> {
  try {
    const metadata = await parseFile(path, { skipCovers: false });
    return metadata.format.container ? { kind: 'audio', metadata } : { kind: 'not-audio' };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'CouldNotDetermineFileTypeError' || name === 'UnsupportedFileTypeError') return { kind: 'not-audio' };
    return { kind: 'broken', reason: (error as Error).message };
  }
}

async function readStreams(tools: MediaTools, path: string): Promise<FfprobeData | undefined> {
  try {
    return await probeMedia(tools, path);
  } catch {
    return undefined;
  }
}

function pickCover(pictures: IPicture[] | undefined): Cover | undefined {
  const usable = (pictures ?? []).filter(
    (picture) => picture.format.startsWith('image/') && picture.data.length > 0 && picture.data.length <= MAX_COVER_BYTES,
  );
  const front = usable.find((picture) => /front/i.test(picture.type ?? '')) ?? usable[0];
  return front && { mimeType: front.format, data: front.data };
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

/**
 * Reads what the file is: its container, codec, layout, tags and cover.
 * 415 when neither music-metadata nor ffprobe finds audio in it; 422 when it
 * claims to be audio that ffprobe cannot open.
 */
export async function probeAudio(tools: MediaTools, path: string, clientMimeType: string): Promise<ProbedAudio> {
  const [read, probed] = await Promise.all([readMetadata(path), readStreams(tools, path)]);
  const stream = probed?.streams.find((candidate) => candidate.codec_type === 'audio');
  if (!probed || !stream) {
    if (read.kind === 'not-audio') {
      throw new HttpError('unsupported_media_type', 'This file is not audio', {
        ...(probed ? { detected: probed.format.format_name } : {}),
      });
    }
    throw new HttpError('undecodable_audio', 'This audio file cannot be decoded', {
      reason: read.kind === 'broken' ? read.reason : 'no decodable audio stream',
    });
  }
  const metadata = read.kind === 'audio' ? read.metadata : undefined;
  const format = probed.format.format_name ?? 'unknown';
  const sampleRate = positive(stream.sample_rate);
  const channels = positive(stream.channels);
  if (!sampleRate || !channels) {
    throw new HttpError('undecodable_audio', 'This audio stream has no sample rate or channel count');
  }
  const headerDuration = ESTIMATED_DURATION_FORMATS.has(format) ? undefined : positive(probed.format.duration);
  const bitrate = positive(metadata?.format.bitrate) ?? positive(stream.bit_rate) ?? positive(probed.format.bit_rate);
  return {
    container: metadata?.format.container ?? format,
    codec: metadata?.format.codec ?? stream.codec_name ?? 'unknown',
    mimeType: MIME_BY_FORMAT[format] ?? (clientMimeType.startsWith('audio/') ? clientMimeType : 'application/octet-stream'),
    bitrate: bitrate ? Math.round(bitrate) : null,
    sampleRate,
    channels,
    bitsPerSample: positive(metadata?.format.bitsPerSample) ?? positive(stream.bits_per_raw_sample) ?? null,
    declaredDurationSec: metadata ? positive(metadata.format.duration) : headerDuration,
    expectedDurationSec: positive(metadata?.format.duration) ?? positive(probed.format.duration) ?? 600,
    tags: tagsOf(metadata),
    cover: pickCover(metadata?.common.picture),
  };
}
