import { Refusal } from '../../shared/refusal.js';

/** Reading or decoding showed the file is not audio this service takes: not audio, undecodable, cut off or too long. */
export class AudioRefused extends Refusal<'unsupported_media_type' | 'undecodable_audio' | 'truncated_audio' | 'too_long'> {
  override name = 'AudioRefused';
}
