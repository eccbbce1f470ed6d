import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { mediaTools } from './media.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'segue-fixtures-'));

/** Called once the run is over: fixtures are generated anew each run. */
export const removeFixtures = () => rm(dir, { recursive: true, force: true });

/** A tone with a little seeded noise over it: deterministic, and not trivially compressible. */
const toneWithNoise = (seconds: number, frequency = 440) =>
  `sine=f=${frequency}:d=${seconds}:r=48000,aformat=channel_layouts=stereo[tone];` +
  `anoisesrc=d=${seconds}:c=pink:a=0.05:seed=7:r=48000,aformat=channel_layouts=stereo[noise];` +
  `[tone][noise]amix=inputs=2:normalize=0[out]`;

/**
 * Dense, wide sound, as music is to an encoder: a tone over pink noise that
 * differs between the channels, so that VBR encoders spend what they would on
 * a full mix (the tone over shared noise above costs them a third of that).
 */
const denseStereo = (seconds: number) =>
  `anoisesrc=d=${seconds}:c=pink:a=0.3:seed=7:r=44100[left];anoisesrc=d=${seconds}:c=pink:a=0.3:seed=11:r=44100[right];` +
  `[left][right]join=inputs=2:channel_layout=stereo[noise];sine=f=220:d=${seconds}:r=44100,aformat=channel_layouts=stereo[tone];` +
  `[noise][tone]amix=inputs=2:normalize=0[out]`;

async function ffmpeg(args: string[]) {
  await run(mediaTools.ffmpeg, ['-v', 'error', '-nostdin', '-y', ...args]);
}

export interface Fixture {
  path: string;
  filename: string;
  /** the exact length ffmpeg was asked for */
  durationSec: number;
}

interface AudioRecipe {
  filename: string;
  durationSec: number;
  /** a lavfi filter graph whose output is labelled [out] */
  graph?: string;
  encode: string[];
}

async function makeAudio({ filename, durationSec, graph, encode }: AudioRecipe): Promise<Fixture> {
  const path = join(dir, filename);
  await ffmpeg([
    ...['-filter_complex', graph ?? toneWithNoise(durationSec), '-map', '[out]'],
    ...['-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact'],
    ...encode,
    path,
  ]);
  return { path, filename, durationSec };
}

const tags = (entries: Record<string, string>) => Object.entries(entries).flatMap(([key, value]) => ['-metadata', `${key}=${value}`]);

/** An MP3 (ID3v2.3) with a picture as its front cover: the audio encoded first, the cover put beside it as it is. */
async function mp3WithCover(options: {
  filename: string;
  durationSec: number;
  bitrate: string;
  cover: 'cover' | 'largeCover';
  coverTags: string[];
  tags: Record<string, string>;
}): Promise<Fixture> {
  const { filename, durationSec } = options;
  const audio = await makeAudio({ filename: filename.replace(/\.mp3$/, '-audio.mp3'), durationSec, encode: ['-ar', '44100', '-c:a', 'libmp3lame', '-b:a', options.bitrate] });
  const cover = await fixture(options.cover);
  const path = join(dir, filename);
  await ffmpeg([
    ...['-i', audio.path, '-i', cover.path, '-map', '0:a', '-map', '1:v', '-c', 'copy'],
    ...['-id3v2_version', '3', ...options.coverTags.flatMap((tag) => ['-metadata:s:v', tag])],
    ...tags(options.tags),
    path,
  ]);
  return { path, filename, durationSec };
}

const recipes = {
  async cover(): Promise<Fixture> {
    const path = join(dir, 'cover.png');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=1', '-frames:v', '1', path]);
    return { path, filename: 'cover.png', durationSec: 0 };
  },

  /** a 1,000 px square JPEG, as album art often is */
  async largeCover(): Promise<Fixture> {
    const path = join(dir, 'large-cover.jpg');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=1000x1000:rate=1', '-frames:v', '1', path]);
    return { path, filename: 'large-cover.jpg', durationSec: 0 };
  },

  /** a short MP3 whose front cover is `largeCover` */
  largeCoverMp3: () =>
    mp3WithCover({ filename: 'large-cover.mp3', durationSec: 2, bitrate: '128k', cover: 'largeCover', coverTags: ['comment=Cover (front)'], tags: { title: 'Big Sleeve' } }),

  /** 320 kbit/s CBR MP3 with ID3v2.3 tags and front cover art */
  taggedMp3: () =>
    mp3WithCover({
      filename: 'tagged.mp3',
      durationSec: 14,
      bitrate: '320k',
      cover: 'cover',
      coverTags: ['title=Album cover', 'comment=Cover (front)'],
      tags: { title: 'Night Drive', artist: 'The Fixtures', album: 'Test Pressings', date: '2021', genre: 'Synthwave', track: '3/10' },
    }),

  /** 24-bit 48 kHz FLAC with Vorbis comments */
  hiresFlac: () =>
    makeAudio({
      filename: 'hires.flac',
      durationSec: 10,
      encode: ['-ar', '48000', '-c:a', 'flac', '-sample_fmt', 's32', '-bits_per_raw_sample', '24', ...tags({ TITLE: 'Lossless Study', ARTIST: 'Bit Depth', ALBUM: 'Twenty-Four', DATE: '2019', GENRE: 'Ambient', TRACKNUMBER: '7' })],
    }),

  /** 16-bit WAV without tags: its title comes from the file name */
  plainWav: () => makeAudio({ filename: 'field recording.wav', durationSec: 8, encode: ['-ar', '44100', '-c:a', 'pcm_s16le'] }),

  /** Ogg Opus at 96 kbit/s */
  opus: () =>
    makeAudio({
      filename: 'voice.opus',
      durationSec: 10,
      encode: ['-ar', '48000', '-c:a', 'libopus', '-b:a', '96k', ...tags({ title: 'Open Codec', artist: 'Xiph Friends' })],
    }),

  /** AAC in M4A at 128 kbit/s */
  m4a: () =>
    makeAudio({
      filename: 'song.m4a',
      durationSec: 10,
      encode: ['-ar', '44100', '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', ...tags({ title: 'Apple Format', artist: 'Container Band', album: 'MP4' })],
    }),

  /** mono MP3 */
  monoMp3: () =>
    makeAudio({
      filename: 'mono.mp3',
      durationSec: 9,
      graph: `sine=f=330:d=9:r=44100[out]`,
      encode: ['-ac', '1', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '128k'],
    }),

  /** 5.1 FLAC, a different tone on each channel */
  surroundFlac: () =>
    makeAudio({
      filename: 'surround.flac',
      durationSec: 8,
      graph: `aevalsrc=sin(220*2*PI*t)|sin(330*2*PI*t)|sin(440*2*PI*t)|0.5*sin(55*2*PI*t)|sin(550*2*PI*t)|sin(660*2*PI*t):s=48000:d=8:c=5.1[out]`,
      encode: ['-c:a', 'flac'],
    }),

  /** long enough that its ladder takes seconds to encode: a client can join its playlists while they grow */
  eightMinuteMp3: () =>
    makeAudio({ filename: 'eight minutes.mp3', durationSec: 480, encode: ['-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '320k'] }),

  /** the ladder's matrix: lossy sources at the rates people upload, on dense sound */
  denseOpus96: () => makeAudio({ filename: 'dense-96k.opus', durationSec: 10, graph: denseStereo(10), encode: ['-ar', '48000', '-c:a', 'libopus', '-b:a', '96k'] }),
  denseVorbisQ4: () => makeAudio({ filename: 'dense-q4.ogg', durationSec: 10, graph: denseStereo(10), encode: ['-ar', '44100', '-c:a', 'libvorbis', '-q:a', '4'] }),
  denseMp3V2: () => makeAudio({ filename: 'dense-v2.mp3', durationSec: 10, graph: denseStereo(10), encode: ['-ar', '44100', '-c:a', 'libmp3lame', '-q:a', '2'] }),
  denseMp3At64k: () => makeAudio({ filename: 'dense-64k.mp3', durationSec: 10, graph: denseStereo(10), encode: ['-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '64k'] }),
  denseFlac: () => makeAudio({ filename: 'dense.flac', durationSec: 10, graph: denseStereo(10), encode: ['-ar', '44100', '-c:a', 'flac'] }),

  /** one second of audio */
  oneSecondWav: () => makeAudio({ filename: 'blip.wav', durationSec: 1, encode: ['-ar', '44100', '-c:a', 'pcm_s16le'] }),

  /** a long WAV, so that a job can be interrupted midway */
  longWav: () => makeAudio({ filename: 'long.wav', durationSec: 150, encode: ['-ar', '44100', '-c:a', 'pcm_s16le'] }),

  /** the first 40% of the tagged MP3: its header promises more than it holds */
  async truncatedMp3(): Promise<Fixture> {
    const whole = await readFile((await fixture('taggedMp3')).path);
    const path = join(dir, 'truncated.mp3');
    await writeFile(path, whole.subarray(0, Math.floor(whole.length * 0.4)));
    return { path, filename: 'truncated.mp3', durationSec: 0 };
  },

  async textAsMp3(): Promise<Fixture> {
    const path = join(dir, 'notes.mp3');
    await writeFile(path, 'These are meeting notes, not a song.\n'.repeat(200));
    return { path, filename: 'notes.mp3', durationSec: 0 };
  },

  /** 64 KiB from a seeded generator: the same "random" bytes every run */
  async randomBytes(): Promise<Fixture> {
    const bytes = Buffer.alloc(64 * 1024);
    let state = 0x2545f491;
    for (let index = 0; index < bytes.length; index++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      bytes[index] = state & 0xff;
    }
    const path = join(dir, 'random.bin');
    await writeFile(path, bytes);
    return { path, filename: 'random.bin', durationSec: 0 };
  },
} satisfies Record<string, () => Promise<Fixture>>;

export type FixtureName = keyof typeof recipes;

const made = new Map<FixtureName, Promise<Fixture>>();
let copies = 0;

/** Generates a fixture the first time it is asked for in a run. */
export function fixture(name: FixtureName): Promise<Fixture> {
  let promise = made.get(name);
  if (!promise) {
    promise = recipes[name]();
    made.set(name, promise);
  }
  return promise;
}

/**
 * The fixture with a comment tag of its own, its sound and tags otherwise
 * untouched: bytes (and a SHA-256) no other upload has, for a test that needs
 * a new track where the same file would be answered with the track it made.
 */
export async function distinctCopy(name: FixtureName): Promise<Fixture> {
  const original = await fixture(name);
  const copy = ++copies;
  // under its own name, for what takes the name from the path (the CLI, a browser's file picker)
  const path = join(dir, `copy-${copy}`, original.filename);
  await mkdir(dirname(path));
  await ffmpeg(['-i', original.path, '-map', '0', '-c', 'copy', '-fflags', '+bitexact', '-metadata', `comment=copy ${copy}`, path]);
  return { ...original, path };
}
