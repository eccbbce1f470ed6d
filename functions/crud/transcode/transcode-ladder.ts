import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { INIT_SEGMENT_FILE } from '../../core/hls.js';
import type { StoredRendition, TrackDocument } from '../../core/schemas/track.js';
import { runTogether } from '../../shared/util/run-together.js';
import { withTempDir } from '../../shared/util/temp-dir.js';
import type { StagedMedia } from '../media/audio-formats.js';
import { storeSegments } from './store-segments.js';
import { planLadder, type RenditionPlan } from './ladder.js';
import { type EncodedSegment, renditionFacts } from './rendition-facts.js';
import { type ListedSegment, transcodeRendition } from './transcode-rendition.js';
import type { CrudServices } from '../services.js';

export type LadderServices = Pick<CrudServices, 'tools' | 'segments' | 'config' | 'metrics'>;

export interface LadderListener {
  /** segments of a rung, stored and playable, in order; `stored` is all of the rung's so far */
  onStored(plan: RenditionPlan, fresh: EncodedSegment[], stored: EncodedSegment[]): Promise<void>;
  /** the share of the ladder's audio stored, 0..1 */
  onProgress(fraction: number): void;
}

/**
 * Encodes every rung in its own ffmpeg process at once (on a multi-core
 * machine this beats one process feeding all rungs, whose encoders share a
 * thread), storing each segment as soon as ffmpeg finishes it: every rung
 * grows from the start of the file, so a listener can play the first
 * segments of any of them while the rest is encoded. A rung's init segment
 * goes with its first media segments (ffmpeg writes it once, before them).
 */
export async function transcodeLadder(
  deps: LadderServices,
  track: TrackDocument,
  source: StagedMedia & { durationSec: number },
  signal: AbortSignal,
  listener: LadderListener,
): Promise<StoredRendition[]> {
  const plans = planLadder(track.source);
  let storedSeconds = 0;
  return withTempDir(deps.config.tmpDir, 'transcode', (dir) =>
    runTogether(
      plans.map((plan) => async (rungSignal: AbortSignal) => {
        const renditionDir = join(dir, plan.id);
        await mkdir(renditionDir);
        const stored: EncodedSegment[] = [];
        const store = (listed: ListedSegment[]) =>
          deps.metrics.time('store_segments', () => storeSegments(deps.segments, track._id, plan.id, renditionDir, listed, rungSignal));
        await transcodeRendition(deps.tools, source, plan, renditionDir, rungSignal, async (listed) => {
          const withInit = stored.length === 0 ? [{ file: INIT_SEGMENT_FILE, duration: 0 }, ...listed] : listed;
          const fresh = (await store(withInit)).filter((segment) => segment.file !== INIT_SEGMENT_FILE);
          stored.push(...fresh);
          await listener.onStored(plan, fresh, stored);
          storedSeconds += listed.reduce((sum, segment) => sum + segment.duration, 0);
          // 1 is for the ready track; the last write is still to come
          listener.onProgress(Math.min(0.99, storedSeconds / (source.durationSec * plans.length)));
        });
        return renditionFacts(plan, stored);
      }),
      signal,
    ),
  );
}
