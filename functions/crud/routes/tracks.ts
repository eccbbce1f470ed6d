import { Router } from 'express';
import { DUPLICATE_HEADER, endpoints } from '../../core/endpoints.js';
import { HttpError, notFound } from '../../shared/http/http-error.js';
import { mount } from '../../shared/http/endpoint.js';
import { type TrackDocument, toTrack } from '../../core/schemas/track.js';
import type { Accepted } from '../receive/accept-once.js';
import { acceptUpload } from '../receive/accept-upload.js';
import { restartFailed } from '../jobs/restart-failed.js';
import { finishRemoval, removeTrack } from '../jobs/remove-track.js';
import { busy } from '../../shared/refusal.js';
import { refuseWhenQueueFull } from '../jobs/queue-limit.js';
import type { CrudServices } from '../services.js';

/**
 * 202 while processing what this upload set going (its new track, or a failed one it restarted), 201 for
 * a new track once processed, 200 for the track that already held the upload's bytes.
 */
function uploadStatus(accepted: Accepted, track: TrackDocument): 200 | 201 | 202 {
  if (track.status === 'processing' && (!accepted.duplicate || accepted.reprocessed)) return 202;
  return accepted.duplicate ? 200 : 201;
}

export function trackRoutes(deps: CrudServices): Router {
  const { tracks, processor, writeGuards } = deps;
  const router = Router();
  let receiving = 0;

  const findTrack = async (id: string) => {
    const track = await tracks.get(id);
    if (!track) throw notFound('This track', { id });
    return track;
  };

  mount(router, endpoints.createTrack, writeGuards, deps.metrics.countUploads(async ({ query }, req, res) => {
    // refused before a byte of the body is read
    refuseWhenQueueFull(processor, deps.config.maxQueuedJobs);
    if (receiving >= deps.config.maxConcurrentUploads) throw busy('it receives as many uploads as it may');
    receiving++;
    const accepted = await acceptUpload(deps, req).finally(() => receiving--);
    const { track: answered } = accepted;
    const outcome = accepted.duplicate ? 'duplicate' : 'accepted';
    res.location(`tracks/${answered._id}`);
    if (accepted.duplicate) res.set(DUPLICATE_HEADER, answered._id);
    const startedHere = !accepted.duplicate || accepted.reprocessed;
    // accepted while the replica shuts down, the job is handed back at once: that is done before the answer,
    // after which the replica may be gone
    if (!query.wait && !(startedHere && processor.closed)) {
      res.status(uploadStatus(accepted, answered)).json(toTrack(answered));
      return outcome;
    }
    const { refusal } = await processor.whenSettled(answered._id);
    if (refusal && !accepted.duplicate) {
      // whoever waits hears what was wrong with the file, as if it had been found before the answer, and keeps nothing
      await removeTrack(deps, answered);
      throw refusal;
    }
    // handed back: another replica finishes it, and the client polls as after a 202 (as it does when the
    // track cannot be read again now: it was accepted all the same)
    const settled = query.wait ? await tracks.get(answered._id).catch(() => null) : null;
    const track = settled ?? answered;
    res.status(uploadStatus(accepted, track)).json(toTrack(track));
    return outcome;
  }));

  mount(router, endpoints.listTracks, writeGuards, async ({ query }, _req, res) => {
    const page = await tracks.list(query);
    res.json({ data: page.items.map(toTrack), nextCursor: page.nextCursor });
  });

  mount(router, endpoints.retrieveTrack, writeGuards, async ({ params }, _req, res) => {
    res.json(toTrack(await findTrack(params.id)));
  });

  mount(router, endpoints.updateTrack, writeGuards, async ({ params, body }, _req, res) => {
    const updated = await tracks.updateTags(params.id, body);
    if (!updated) throw notFound('This track', { id: params.id });
    res.json(toTrack(updated));
  });

  mount(router, endpoints.deleteTrack, writeGuards, async ({ params }, _req, res) => {
    const track = await tracks.get(params.id);
    // a DELETE cut short went as far as removing the track: asked again, it finishes the rest
    const unfinished = track ? null : await deps.removals.get(params.id);
    if (track) await removeTrack(deps, track);
    else if (unfinished?.kind === 'track') await finishRemoval(deps, unfinished);
    else throw notFound('This track', { id: params.id });
    res.status(204).end();
  });

  mount(router, endpoints.reprocessTrack, writeGuards, async ({ params }, _req, res) => {
    const restarted = await restartFailed(deps, params.id);
    if (!restarted) {
      const track = await findTrack(params.id);
      throw new HttpError('track_not_failed', `Only a failed track is processed again; this one is ${track.status}`, { status: track.status });
    }
    res.status(202).json(toTrack(restarted));
  });

  return router;
}
