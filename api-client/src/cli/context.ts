import type { parseArgs } from 'node:util';
import type { Segue } from '../node.js';
import type { ExitCode } from './exit-codes.js';

export const options = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  'web-url': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  q: { type: 'string' },
  limit: { type: 'string' },
  title: { type: 'string' },
  artist: { type: 'string' },
  album: { type: 'string' },
  'no-wait': { type: 'boolean', default: false },
  resumable: { type: 'boolean', default: false },
  kind: { type: 'string', default: 'master' },
  description: { type: 'string' },
  position: { type: 'string' },
} as const;

export type Flags = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

export interface Context {
  segue: Segue;
  flags: Flags;
  print(text: string): void;
  /** the web player's page for a track (`t`) or a playlist (`p`) */
  shareUrl(id: string, kind?: 't' | 'p'): string;
}

export type Command = (context: Context, args: string[]) => Promise<ExitCode>;
