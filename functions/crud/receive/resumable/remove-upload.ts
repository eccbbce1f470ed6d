import type { UploadDocument } from '../../../shared/storage/upload-store.js';
import type { CrudServices } from '../../services.js';

type UploadRemovalServices = Pick<CrudServices, 'uploads' | 'originals' | 'removals'>;

/**
 * Removes an upload that never became a track, and every byte it stored.
 * Each step is a no-op the second time; the upload goes last, so one cut
 * short is found again and finished (by the sweeper, or a second DELETE).
 */
export async function removeUpload({ uploads, originals, removals }: UploadRemovalServices, upload: UploadDocument): Promise<void> {
  await originals.delete(upload._id, upload.length);
  await removals.end(upload._id);
  await uploads.delete(upload._id);
}
