import { Refusal } from '../../shared/refusal.js';

const AUDIO_REFUSALS = ['unsupported_media_type', 'undecodable_audio', 'truncated_audio', 'too_long'] as const;

type AudioRefusalCode = (typeof AUDIO_REFUSALS)[number];

/** Reading or decoding showed the file is not audio this service takes: not audio, undecodable, cut off or too long. */
export class AudioRefused extends Refusal<AudioRefusalCode> {
  override name = 'AudioRefused';
}

/** Whether a code (a failed track's, say) is one of these refusals: the same bytes would be refused again. */
export const isAudioRefusal = (code: string): code is AudioRefusalCode => (AUDIO_REFUSALS as readonly string[]).includes(code);
