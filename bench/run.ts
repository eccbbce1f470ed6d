/** `npm run bench`: every benchmark in turn. */
await import('./ingest.js');
await import('./stream.js');
await import('./player.js');
await import('./library.js');
await import('./instant.js');
await import('./lighthouse.js');
