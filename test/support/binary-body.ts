import type supertest from 'supertest';

/** supertest hands back binary bodies as Buffers only when told to: this tells it, for any content type. */
export const asBuffer = (request: supertest.Test) =>
  request.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
