import {
  AlreadyInPlaylistError,
  AuthenticationError,
  ConflictError,
  NotFoundError,
  type PlaylistSummary,
  Segue,
  TooManyTracksError,
  UnknownTracksError,
  UnprocessableEntityError,
  ValidationError,
} from '@segue/api-client';
import { expect } from 'chai';
import { newTrackId } from '../../../functions/shared/ids.js';
import { caught } from '../../support/caught.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';
import { newestFirst } from '../../support/newest-first.js';
import { readyTrack } from '../../support/track-documents.js';

const KEY = 'sdk-playlists-key-0123456789abcdef01234';

describe('the SDK: playlists', function () {
  this.timeout(120_000);
  let harness: GatewayHarness;
  let segue: Segue;
  let trackIds: string[];

  before(async () => {
    harness = await startGateway({ API_KEYS: KEY });
    segue = new Segue({ baseUrl: harness.origin, apiKey: KEY });
    const tracks = Array.from({ length: 4 }, () => readyTrack(newTrackId()));
    await harness.database.tracks.insertMany(tracks);
    trackIds = tracks.map((track) => track._id);
  });
  after(() => harness.close());
  afterEach(() => harness.database.playlists.deleteMany({}));

  it('creates, retrieves, renames, adds, removes, reorders and deletes a playlist', async () => {
    const [a, b, c, d] = trackIds as [string, string, string, string];
    const created = await segue.playlists.create({ name: 'Sunday', trackIds: [a, b] });
    expect(created).to.include({ name: 'Sunday', description: '' });

    const retrieved = await segue.playlists.retrieve(created.id);
    expect(retrieved.tracks.map((track) => track.id)).to.deep.equal([a, b]);
    expect(retrieved.tracks[0]).to.deep.equal(await segue.tracks.retrieve(a));

    expect(await segue.playlists.update(created.id, { name: 'Lazy Sunday', description: 'slow' })).to.include({ name: 'Lazy Sunday', description: 'slow' });
    expect((await segue.playlists.addTracks(created.id, { trackIds: [c, d], position: 0 })).trackIds).to.deep.equal([c, d, a, b]);
    await segue.playlists.removeTrack(created.id, d);
    expect((await segue.playlists.update(created.id, { trackIds: [b, a, c] })).trackIds).to.deep.equal([b, a, c]);
    expect((await segue.playlists.retrieve(created.id)).trackIds).to.deep.equal([b, a, c]);

    await segue.playlists.delete(created.id);
    expect(await caught(segue.playlists.retrieve(created.id))).to.be.instanceOf(NotFoundError);
  });

  it('lists every playlist across pages, newest first, each with its track count', async () => {
    const made: string[] = [];
    for (let index = 0; index < 5; index++) made.push((await segue.playlists.create({ name: `Mix ${index}`, trackIds: trackIds.slice(0, index) })).id);

    const pages = [];
    for await (const page of segue.playlists.list({ limit: 2 }).pages()) pages.push(page);
    expect(pages.map((page) => page.data.length)).to.deep.equal([2, 2, 1]);
    const all: PlaylistSummary[] = await segue.playlists.list({ limit: 2 }).toArray();
    expect(all).to.deep.equal(newestFirst(all));
    expect(all.map((playlist) => playlist.id)).to.have.members(made);
    expect(all.map((playlist) => [playlist.name, playlist.trackCount])).to.deep.include.members([['Mix 4', 4], ['Mix 0', 0]]);

    const first = await segue.playlists.page({ limit: 3 });
    const second = await segue.playlists.page({ limit: 3, cursor: first.nextCursor });
    expect([...first.data, ...second.data]).to.deep.equal(all);
    expect(second.nextCursor).to.equal(null);
  });

  it('throws an error class per refusal, carrying the ids at fault', async () => {
    const [a, b] = trackIds as [string, string];
    const ghost = newTrackId();
    const unknown = await caught(segue.playlists.create({ name: 'Ghost', trackIds: [a, ghost] }));
    expect(unknown).to.be.instanceOf(UnknownTracksError).and.instanceOf(UnprocessableEntityError);
    expect((unknown as UnknownTracksError).details).to.deep.equal({ trackIds: [ghost] });

    const playlist = await segue.playlists.create({ name: 'Once', trackIds: [a] });
    const twice = await caught(segue.playlists.addTracks(playlist.id, { trackIds: [b, a] }));
    expect(twice).to.be.instanceOf(AlreadyInPlaylistError).and.instanceOf(ConflictError);
    expect((twice as AlreadyInPlaylistError).details).to.deep.equal({ trackIds: [a] });

    const tooMany = Array.from({ length: 1001 }, () => newTrackId());
    expect(await caught(segue.playlists.update(playlist.id, { trackIds: tooMany }))).to.be.instanceOf(TooManyTracksError);
    const invalid = await caught(segue.playlists.create({ name: '' }));
    expect(invalid).to.be.instanceOf(ValidationError);
    expect((invalid as ValidationError).fields).to.have.property('name');
    expect(await caught(segue.playlists.removeTrack(playlist.id, b))).to.be.instanceOf(NotFoundError);

    const anonymous = new Segue({ baseUrl: harness.origin });
    expect(await caught(anonymous.playlists.delete(playlist.id))).to.be.instanceOf(AuthenticationError);
    expect((await anonymous.playlists.retrieve(playlist.id)).trackIds, 'reads need no key').to.deep.equal([a]);
  });
});
