import type { OriginalStore } from '../../../shared/storage/original-store.js';
import type { RemovalStore } from '../../../shared/storage/removal-store.js';
import type { UploadDocument, UploadStore } from '../../../shared/storage/upload-store.js';

export interface RemoveUploadDeps {
  uploads: UploadStore;
  originals: OriginalStore;
  removals: RemovalStore;
}

/**
 * Removes an upload that never became a track, and every byte it stored.
 * Each step is a no-op the second time; the upload goes last, so one cut
 * short is found again and finished (by the sweeper, or a second DELETE).
 */
export async function removeUpload({ uploads, originals, removals }: RemoveUploadDeps, upload: UploadDocument): Promise<void> {
  await originals.delete(upload._id, upload.length);
  await removals.end(upload._id);
  await uploads.delete(upload._id);
}
