import { expect } from 'chai';
import express from 'express';
import supertest from 'supertest';
import { methodNotAllowed } from '../../../../functions/shared/http/error-handler.js';

describe('methodNotAllowed', () => {
  const app = express();
  app.use(methodNotAllowed([{ method: 'get', path: '/tracks/{id}/master.m3u8' }]));
  app.use((_req, res) => res.status(404).send('no route'));
  app.use(((error, _req, res, _next) => res.status(error.status).json({ code: error.code })) as express.ErrorRequestHandler);

  it('answers 405 with Allow for a path a route has, under another method', async () => {
    const answer = await supertest(app).post('/tracks/AAAAAAAAAAAA/master.m3u8');
    expect([answer.status, answer.headers.allow, answer.body.code]).to.deep.equal([405, 'GET, HEAD, OPTIONS', 'method_not_allowed']);
  });

  it('takes the literal parts of a path as they are written: a dot is a dot, and a parameter one segment', async () => {
    expect((await supertest(app).post('/tracks/AAAAAAAAAAAA/masterXm3u8')).status).to.equal(404);
    expect((await supertest(app).post('/tracks/A/B/master.m3u8')).status).to.equal(404);
  });
});
