import cors from 'cors';
import type { RequestHandler } from 'express';

/** Browsers upload from and play on other origins (the player may be hosted anywhere). */
export function corsPolicy(origins: '*' | string[]): RequestHandler {
  return cors({
    origin: origins === '*' ? '*' : origins,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Range', 'If-None-Match', 'X-Filename', 'X-Content-SHA256'],
    exposedHeaders: ['Location', 'ETag', 'Content-Length', 'Content-Range', 'Accept-Ranges', 'Retry-After'],
    maxAge: 600,
  });
}
