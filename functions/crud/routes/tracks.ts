import express, { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { HttpError, notFound } from '../../shared/errors.js';
import { endpoint, fieldErrors } from '../../shared/http/endpoint.js';
import {
  TrackIdSchema,
  TrackListQuerySchema,
  TrackUpdateSchema,
  UploadFieldsSchema,
  UploadQuerySchema,
  toTrack,
} from '../../shared/schemas/track.js';
import type { SegmentStore } from '../../shared/storage/segment-store.js';
import type { TrackEvents } from '../../shared/track-events.js';
import { type IngestDeps, acceptUpload } from '../ingest/accept-upload.js';
import { removeTrack } from '../store/remove-track.js';
import { type UploadLimits, receiveUpload } from '../upload/receive-upload.js';

export interface TrackRoutesDeps extends IngestDeps {
  segments: SegmentStore;
  uploadLimits: UploadLimits;
  requireApiKey: RequestHandler;
  events?: TrackEvents;
}

const TrackParamsSchema = z.object({ id: TrackIdSchema });

const requireJson: RequestHandler = (req, _res, next) => {
  next(
    req.is('application/json')
      ? undefined
      : new HttpError('unsupported_media_type', 'Send the changes as application/json', {
          contentType: req.get('content-type') ?? null,
        }),
  );
};

export function trackRoutes(deps: TrackRoutesDeps): Router {
  const { tracks, processor, uploadLimits, requireApiKey } = deps;
  const router = Router();

  const findTrack = async (id: string) => {
    const track = await tracks.get(id);
    if (!track) throw notFound('This track', { id });
    return track;
  };

  router.post(
    '/tracks',
    requireApiKey,
    endpoint({ query: UploadQuerySchema }, async ({ query }, req, res) => {
      const upload = await receiveUpload(req, uploadLimits);
      const fields = UploadFieldsSchema.safeParse(upload.fields);
      if (!fields.success) {
        await upload.dispose();
        throw new HttpError('validation_failed', 'The upload form is not valid', {
          fields: fieldErrors(fields.error.issues),
        });
      }
      const created = await acceptUpload(deps, upload, fields.data);
      res.location(`tracks/${created._id}`);
      if (!query.wait) {
        res.status(202).json(toTrack(created));
        return;
      }
      await processor.whenSettled(created._id);
      res.status(201).json(toTrack(await findTrack(created._id)));
    }),
  );

  router.get(
    '/tracks',
    endpoint({ query: TrackListQuerySchema }, async ({ query }, _req, res) => {
      const page = await tracks.list(query);
      res.json({ data: page.tracks.map(toTrack), nextCursor: page.nextCursor });
    }),
  );

  router.get(
    '/tracks/:id',
    endpoint({ params: TrackParamsSchema }, async ({ params }, _req, res) => {
      res.json(toTrack(await findTrack(params.id)));
    }),
  );

  router.patch(
    '/tracks/:id',
    requireApiKey,
    requireJson,
    express.json({ limit: '16kb' }),
    endpoint({ params: TrackParamsSchema, body: TrackUpdateSchema }, async ({ params, body }, _req, res) => {
      const updated = await tracks.updateTags(params.id, body);
      if (!updated) throw notFound('This track', { id: params.id });
      res.json(toTrack(updated));
    }),
  );

  router.delete(
    '/tracks/:id',
    requireApiKey,
    endpoint({ params: TrackParamsSchema }, async ({ params }, _req, res) => {
      await removeTrack(deps, await findTrack(params.id));
      res.status(204).end();
    }),
  );

  return router;
}
