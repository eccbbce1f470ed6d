/**
 * The containers ffmpeg may read an upload as, by the name ffprobe reports
 * (`format.format_name`): each is demuxed with exactly that demuxer. Nothing
 * here can name another file or a URL (playlists, concat lists, image
 * sequences, `tee` and the like are absent), so an upload is the only thing
 * ffmpeg ever reads.
 */
export const AUDIO_FORMATS = {
  mp3: { demuxer: 'mp3', mimeType: 'audio/mpeg' },
  flac: { demuxer: 'flac', mimeType: 'audio/flac' },
  wav: { demuxer: 'wav', mimeType: 'audio/wav' },
  w64: { demuxer: 'w64', mimeType: 'audio/wav' },
  ogg: { demuxer: 'ogg', mimeType: 'audio/ogg' },
  'mov,mp4,m4a,3gp,3g2,mj2': { demuxer: 'mov', mimeType: 'audio/mp4' },
  'matroska,webm': { demuxer: 'matroska', mimeType: 'audio/webm' },
  aiff: { demuxer: 'aiff', mimeType: 'audio/aiff' },
  aac: { demuxer: 'aac', mimeType: 'audio/aac' },
  asf: { demuxer: 'asf', mimeType: 'audio/x-ms-asf' },
  caf: { demuxer: 'caf', mimeType: 'audio/x-caf' },
  wv: { demuxer: 'wv', mimeType: 'audio/x-wavpack' },
  ape: { demuxer: 'ape', mimeType: 'audio/x-ape' },
  tta: { demuxer: 'tta', mimeType: 'audio/x-tta' },
  au: { demuxer: 'au', mimeType: 'audio/basic' },
  ac3: { demuxer: 'ac3', mimeType: 'audio/ac3' },
  eac3: { demuxer: 'eac3', mimeType: 'audio/eac3' },
  amr: { demuxer: 'amr', mimeType: 'audio/amr' },
} as const;

export type AudioFormatName = keyof typeof AUDIO_FORMATS;

export const audioFormatOf = (formatName: string | undefined): AudioFormatName | undefined =>
  formatName !== undefined && Object.hasOwn(AUDIO_FORMATS, formatName) ? (formatName as AudioFormatName) : undefined;

/** Every demuxer above, for ffprobe, which must tell which one a file needs. */
export const AUDIO_DEMUXERS = [...new Set(Object.values(AUDIO_FORMATS).map((format) => format.demuxer))].join(',');

/** An upload staged on local disk, with the demuxer its probe identified: what ffmpeg is given to read. */
export interface StagedMedia {
  path: string;
  format: AudioFormatName;
}
