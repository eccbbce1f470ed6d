import { HealthSchema } from '../../functions/core/endpoints.js';
import type { Platform } from './platform.js';
import { Playlists } from './playlists.js';
import { Tracks } from './tracks.js';
import { type ClientOptions, type RequestOptions, Transport } from './transport.js';

/** The Segue API: `new Segue({ baseUrl })`, then `segue.tracks.…` and `segue.playlists.…`. */
export class SegueClient {
  readonly tracks: Tracks;
  readonly playlists: Playlists;
  protected readonly transport: Transport;

  constructor(options: ClientOptions, platform: Platform) {
    this.transport = new Transport(options);
    this.tracks = new Tracks(this.transport, platform);
    this.playlists = new Playlists(this.transport);
  }

  /**
   * The service's origin as given, without a trailing slash. The web player's share pages are there under
   * `npm start`; on OpenFaaS they are under `/function/web/`.
   *
   * @example
   * console.log(`the API: ${segue.baseUrl}/function/crud/openapi.json`);
   */
  get baseUrl(): string {
    return this.transport.baseUrl;
  }

  /**
   * The key sent with writes; settable, e.g. once a user has typed it in.
   *
   * @example
   * segue.apiKey = keyInput.value; // an empty string sends none
   */
  get apiKey(): string | undefined {
    return this.transport.apiKey;
  }

  set apiKey(key: string | undefined) {
    this.transport.apiKey = key || undefined;
  }

  /**
   * Resolves once the service and its database answer; retried like any read.
   *
   * @example
   * await segue.health(); // throws ServiceUnavailableError while the database is down
   */
  health(options: RequestOptions = {}): Promise<{ status: 'ok' }> {
    return this.transport.json({ endpoint: 'health', signal: options.signal }, HealthSchema);
  }
}
