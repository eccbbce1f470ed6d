import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EndpointSpec, endpoints } from '../../core/endpoints.js';

export type Handler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => void | Promise<void>;

export type StreamEndpoint = {
  [K in keyof typeof endpoints]: (typeof endpoints)[K]['function'] extends 'stream' ? K : never;
}[keyof typeof endpoints];

export interface Route {
  name: StreamEndpoint;
  /** the path's segments: literals, or `{param}` with perhaps a literal suffix (`{width}.webp`) */
  parts: string[];
  literals: number;
  handle: Handler;
}

/** The stream function's routes, from the endpoint specs, most specific first (`index.m3u8` before `{file}`). */
export function streamRoutes(handlers: Record<StreamEndpoint, Handler>): Route[] {
  return (Object.entries(handlers) as Array<[StreamEndpoint, Handler]>)
    .map(([name, handle]) => {
      const parts = (endpoints[name] as EndpointSpec).path.split('/');
      return { name, parts, literals: parts.filter((part) => !part.startsWith('{')).length, handle };
    })
    .sort((a, b) => b.literals - a.literals);
}

export interface MatchedRoute {
  route: Route;
  params: Record<string, string>;
}

export function matchRoute(routes: Route[], path: string): MatchedRoute | undefined {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = route.parts.every((part, index) => {
      const segment = segments[index]!;
      if (!part.startsWith('{')) return part === segment;
      const close = part.indexOf('}');
      const suffix = part.slice(close + 1);
      if (segment.length <= suffix.length || !segment.endsWith(suffix)) return false;
      params[part.slice(1, close)] = segment.slice(0, segment.length - suffix.length);
      return true;
    });
    if (matches) return { route, params };
  }
  return undefined;
}
