import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredRendition, TrackDocument } from '../../shared/schemas/track.js';
import type { SegmentStore } from '../../shared/storage/segment-store.js';
import { withTempDir } from '../../shared/util/temp-dir.js';
import type { MediaTools } from '../media/media-tools.js';
import { storeRendition } from '../store/store-rendition.js';
import { planLadder } from './ladder.js';
import { renditionFacts } from './rendition-facts.js';
import { transcodeRendition } from './transcode-rendition.js';

export interface LadderDeps {
  tools: MediaTools;
  segments: SegmentStore;
  tmpDir: string;
}

/** Encoding is most of the work; writing the segments is the rest. */
const ENCODE_SHARE = 0.9;

/**
 * Encodes every rung in its own ffmpeg process at once (on a multi-core
 * machine this beats one process feeding all rungs, whose encoders share a
 * thread) and stores each rung's segments as soon as it is done.
 */
export async function transcodeLadder(
  deps: LadderDeps,
  track: TrackDocument,
  sourcePath: string,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
): Promise<StoredRendition[]> {
  const plans = planLadder(track.source);
  const done = new Map<string, number>(plans.map((plan) => [plan.id, 0]));
  const report = (id: string, fraction: number) => {
    done.set(id, Math.min(1, fraction));
    onProgress([...done.values()].reduce((sum, value) => sum + value, 0) / plans.length);
  };
  // the first rung to fail stops the others, and its error is the one reported
  const stop = new AbortController();
  const rungSignal = AbortSignal.any([signal, stop.signal]);
  return withTempDir(deps.tmpDir, 'transcode', async (dir) => {
    const results = await Promise.allSettled(
      plans.map(async (plan) => {
        try {
          const renditionDir = join(dir, plan.id);
          await mkdir(renditionDir);
          const encoded = await transcodeRendition(deps.tools, sourcePath, plan, renditionDir, {
            signal: rungSignal,
            onProgress: (seconds) => report(plan.id, (seconds / track.durationSec) * ENCODE_SHARE),
          });
          await storeRendition(deps.segments, track._id, plan.id, encoded, rungSignal);
          report(plan.id, 1);
          return renditionFacts(plan, encoded.segments);
        } catch (error) {
          stop.abort(error);
          throw error;
        }
      }),
    );
    // every rung has stopped writing before anyone cleans up after a failure
    if (results.some((result) => result.status === 'rejected')) throw signal.aborted ? signal.reason : stop.signal.reason;
    return results.map((result) => (result as PromiseFulfilledResult<StoredRendition>).value);
  });
}
