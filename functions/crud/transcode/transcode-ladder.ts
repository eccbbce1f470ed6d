import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { INIT_SEGMENT_FILE } from '../../shared/hls.js';
import type { IngestMetrics } from '../../shared/metrics/ingest-metrics.js';
import type { StoredRendition, TrackDocument } from '../../shared/schemas/track.js';
import type { SegmentStore } from '../../shared/storage/segment-store.js';
import { runTogether } from '../../shared/util/run-together.js';
import { withTempDir } from '../../shared/util/temp-dir.js';
import type { StagedMedia } from '../media/audio-formats.js';
import type { MediaTools } from '../media/media-tools.js';
import { storeSegments } from '../store/store-segments.js';
import { planLadder } from './ladder.js';
import { type EncodedSegment, renditionFacts } from './rendition-facts.js';
import { transcodeRendition } from './transcode-rendition.js';

export interface LadderDeps {
  tools: MediaTools;
  segments: SegmentStore;
  tmpDir: string;
  metrics: IngestMetrics;
}

/**
 * Encodes every rung in its own ffmpeg process at once (on a multi-core
 * machine this beats one process feeding all rungs, whose encoders share a
 * thread), storing each segment as soon as ffmpeg finishes it. Progress is the
 * share of the ladder's audio already stored.
 */
export async function transcodeLadder(
  deps: LadderDeps,
  track: TrackDocument,
  source: StagedMedia,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
): Promise<StoredRendition[]> {
  const plans = planLadder(track.source);
  let storedSeconds = 0;
  return withTempDir(deps.tmpDir, 'transcode', (dir) =>
    runTogether(
      plans.map((plan) => async (rungSignal: AbortSignal) => {
        const renditionDir = join(dir, plan.id);
        await mkdir(renditionDir);
        const stored: EncodedSegment[] = [];
        const store = (listed: Array<{ file: string; duration: number }>) =>
          deps.metrics.time('store_segments', () => storeSegments(deps.segments, track._id, plan.id, renditionDir, listed, rungSignal));
        await transcodeRendition(deps.tools, { ...source, durationSec: track.durationSec }, plan, renditionDir, rungSignal, async (listed) => {
          stored.push(...(await store(listed)));
          storedSeconds += listed.reduce((sum, segment) => sum + segment.duration, 0);
          // 1 is for the ready track; the last write is still to come
          onProgress(Math.min(0.99, storedSeconds / (track.durationSec * plans.length)));
        });
        await store([{ file: INIT_SEGMENT_FILE, duration: 0 }]);
        return renditionFacts(plan, stored);
      }),
      signal,
    ),
  );
}
