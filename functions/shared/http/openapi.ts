import * as z from 'zod';
import { ErrorBodySchema, type ErrorCode, errorStatus, REQUEST_ID_HEADER } from '../../core/errors.js';
import { PlaylistListSchema, PlaylistSchema, PlaylistSummarySchema, PlaylistUpdateSchema } from '../../core/schemas/playlist.js';
import { TrackListSchema, TrackSchema, TrackUpdateSchema, UploadFieldsSchema } from '../../core/schemas/track.js';
import { type EndpointSpec, HealthSchema, endpoints } from '../../core/endpoints.js';

type JsonSchema = Record<string, unknown>;

const COMPONENT = '#/components/schemas/';

/** Schemas that get a name of their own in the document, referred to wherever they appear. */
const named = new Map<z.ZodType, string>([
  [TrackSchema, 'Track'],
  [TrackListSchema, 'TrackList'],
  [TrackUpdateSchema, 'TrackUpdate'],
  // bodies with defaults (a new playlist's) stay inline: a component is written as output, where defaulted fields are required
  [PlaylistSchema, 'Playlist'],
  [PlaylistSummarySchema, 'PlaylistSummary'],
  [PlaylistListSchema, 'PlaylistList'],
  [PlaylistUpdateSchema, 'PlaylistUpdate'],
  [ErrorBodySchema, 'Error'],
  [HealthSchema, 'Health'],
]);

function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of named) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `${COMPONENT}${id}`, unrepresentable: 'any' });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _, ...rest } = schema as JsonSchema;
      return [id, rest];
    }),
  );
}

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const id = named.get(schema);
  if (id) return { $ref: `${COMPONENT}${id}` };
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(spec: EndpointSpec): JsonSchema[] {
  const list: JsonSchema[] = [];
  for (const [location, object] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    for (const [name, field] of Object.entries(object?.shape ?? {}) as Array<[string, z.ZodType]>) {
      list.push({
        name,
        in: location,
        required: location === 'path' || !field.safeParse(undefined).success,
        schema: schemaOf(field, 'input'),
        ...(field.description ? { description: field.description } : {}),
      });
    }
  }
  for (const [name, { schema, description, required }] of Object.entries(spec.requestHeaders ?? {})) {
    list.push({ name, in: 'header', required: required ?? false, schema: schemaOf(schema, 'input'), description });
  }
  if (spec.body === 'upload') {
    list.push(
      { name: 'X-Filename', in: 'header', schema: { type: 'string' }, description: 'the file name of a raw upload (percent-encoded UTF-8 allowed)' },
      {
        name: 'X-Content-SHA256',
        in: 'header',
        schema: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
        description: 'the hex SHA-256 of the file; a mismatch is refused with 422 and nothing is kept',
      },
    );
  }
  return list;
}

function requestBody(spec: EndpointSpec): JsonSchema | undefined {
  if (!spec.body) return undefined;
  if (spec.body === 'upload') {
    const fields = schemaOf(UploadFieldsSchema, 'input') as { properties?: JsonSchema };
    return {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['file'],
            additionalProperties: false,
            properties: { file: { type: 'string', contentMediaType: 'application/octet-stream', minLength: 1 }, ...fields.properties },
          },
        },
        'audio/*': { schema: { type: 'string', contentMediaType: 'audio/*', minLength: 1 } },
      },
    };
  }
  if (spec.body === 'tus') {
    const media = 'application/offset+octet-stream';
    // a PATCH always carries its bytes; a creation may carry the first ones
    // any bytes at all: what they must be is said by Upload-Offset, Upload-Length and Upload-Checksum, not a type
    return { required: spec.method === 'patch', content: { [media]: { schema: {} } } };
  }
  return { required: true, content: { 'application/json': { schema: schemaOf(spec.body, 'input') } } };
}

/** On every answer of every function. */
const REQUEST_ID = {
  [REQUEST_ID_HEADER]: {
    description: 'names the request in the logs and in an error body: the caller\'s own X-Request-Id when it is at most 128 of `A-Za-z0-9_.:-`, else one made for it',
    required: true,
    schema: { type: 'string' },
  },
};

function responseHeaders(spec: EndpointSpec, status: number): JsonSchema {
  const headers = Object.entries(spec.headers?.[status] ?? {}).map(([name, { schema, description, required }]) => [
    name,
    { description, required: required ?? false, schema: schemaOf(schema, 'output') },
  ]);
  return { headers: { ...REQUEST_ID, ...Object.fromEntries(headers) } };
}

function responses(spec: EndpointSpec): JsonSchema {
  const result: Record<string, JsonSchema> = {};
  for (const [status, body] of Object.entries(spec.responses)) {
    const description = spec.meanings?.[Number(status)] ?? 'success';
    const headers = responseHeaders(spec, Number(status));
    if (body === null) result[status] = { description: status === '304' ? 'not modified' : 'no content', ...headers };
    else if (body instanceof z.ZodType) result[status] = { description, ...headers, content: { 'application/json': { schema: schemaOf(body, 'output') } } };
    else result[status] = { description, ...headers, content: { [body.mediaType]: { schema: { type: 'string', contentMediaType: body.mediaType } } } };
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...spec.errors, 'internal_error' as const]) {
    const status = errorStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of byStatus) {
    result[String(status)] = {
      description: `error: ${codes.join(', ')}`,
      headers: REQUEST_ID,
      content: { 'application/json': { schema: { $ref: `${COMPONENT}Error` } } },
    };
  }
  return result;
}

/** The OpenAPI 3.1 document for both functions, with paths as seen through the gateway. */
export function openApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [operationId, spec] of Object.entries(endpoints) as Array<[string, EndpointSpec]>) {
    const path = `/function/${spec.function}${spec.path}`;
    paths[path] ??= {};
    paths[path][spec.method] = {
      operationId,
      summary: spec.summary,
      tags: [spec.function],
      parameters: parameters(spec),
      ...(spec.body ? { requestBody: requestBody(spec) } : {}),
      responses: responses(spec),
      ...(spec.write ? { security: [{ apiKey: [] }, {}] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Segue',
      version,
      description: 'Self-hosted audio streaming: uploads become an HLS ladder stored in MongoDB. Writes need an API key once API_KEYS is set.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'crud', description: 'uploads, the library, tags, deletion and playlists' },
      { name: 'stream', description: 'HLS playback, originals and covers (read-only)' },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'one of API_KEYS' } },
    },
  };
}
