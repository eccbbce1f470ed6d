import { Refusal } from '../../shared/refusal.js';

type UploadRefusalCode =
  | 'validation_failed'
  | 'empty_upload'
  | 'payload_too_large'
  | 'checksum_mismatch'
  | 'upload_checksum_mismatch'
  | 'request_timeout'
  | 'upload_in_progress'
  | 'unsupported_media_type';

/** Codes that say what is wrong with the file or its fields: sent again, it would be refused again. */
const ABOUT_THE_FILE = new Set<UploadRefusalCode>(['validation_failed', 'empty_upload', 'payload_too_large', 'checksum_mismatch']);

/** An upload refused while it was being received: a bad form, too large, too slow, not the bytes promised, or no room now. */
export class UploadRefused extends Refusal<UploadRefusalCode> {
  override name = 'UploadRefused';

  get aboutTheFile(): boolean {
    return ABOUT_THE_FILE.has(this.code);
  }
}
