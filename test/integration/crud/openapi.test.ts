import SwaggerParser from '@apidevtools/swagger-parser';
import { expect } from 'chai';
import { endpoints } from '../../../functions/core/endpoints.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every method and path an Express app answers, found by walking its router. */
function expressRoutes(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).map((method) => `${method} ${path}`);
    }
    return layer.handle?.stack ? expressRoutes(layer.handle.stack) : [];
  });
}

describe('GET /openapi.json', () => {
  let harness: GatewayHarness;
  let document: { paths: Record<string, Record<string, unknown>> };

  before(async () => {
    harness = await startGateway();
    const response = await harness.http.get('/function/crud/openapi.json');
    expect(response.status).to.equal(200);
    document = response.body;
  });
  after(() => harness.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document).to.have.property('openapi', '3.1.0');
    await SwaggerParser.validate(structuredClone(document) as never);
  });

  it('documents every route the crud function answers', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    const answered = expressRoutes((harness.gateway.crud.app as unknown as { router: { stack: Layer[] } }).router.stack);
    expect(answered).to.have.length.above(5);
    for (const route of answered) {
      const [method, path] = route.split(' ');
      expect(documented, route).to.include(`${method} /function/crud${path}`);
    }
  });

  it('documents every route the stream function answers', () => {
    const routes = harness.gateway.stream.routes;
    expect(routes).to.have.length(9);
    for (const route of routes) {
      expect(document.paths, route.name).to.have.property(`/function/stream${route.parts.join('/')}`);
    }
  });

  it('documents nothing that is not answered', async () => {
    for (const spec of Object.values(endpoints)) {
      if (spec.method !== 'get') continue;
      const path = `/function/${spec.function}${spec.path}`.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'id' ? 'AAAAAAAAAAAA' : 'a128'));
      const response = await harness.http.get(path);
      expect(response.body?.error?.message ?? '', path).not.to.match(/^There is no/);
    }
  });

  it('describes errors with the shared error body and tracks with the Track schema', () => {
    const retrieve = document.paths['/function/crud/tracks/{id}']!.get as { responses: Record<string, any> };
    expect(retrieve.responses['200'].content['application/json'].schema).to.deep.equal({ $ref: '#/components/schemas/Track' });
    expect(retrieve.responses['404'].content['application/json'].schema).to.deep.equal({ $ref: '#/components/schemas/Error' });
  });

  it('documents the answer to a file already in the library: 200 with the track, its Location and Segue-Duplicate-Of', () => {
    const upload = document.paths['/function/crud/tracks']!.post as { responses: Record<string, any> };
    const duplicate = upload.responses['200'];
    expect(duplicate.content['application/json'].schema).to.deep.equal({ $ref: '#/components/schemas/Track' });
    expect(duplicate.headers['Segue-Duplicate-Of']).to.deep.include({ required: true, schema: { type: 'string', pattern: '^[0-9A-Za-z]{12}$' } });
    expect(duplicate.headers.Location).to.include({ required: true });
    expect(upload.responses['202'].headers['Segue-Duplicate-Of'], 'a failed track processed again').to.include({ required: false });
    expect(upload.responses['409'].description).to.contain('upload_in_progress');
  });
});
