import { Segue } from '@segue/api-client';
import { SHARE_ID } from '../../functions/core/share-id.js';
import { basePath, gatewayUrl } from './config.js';
import { h } from './dom.js';
import { notFoundView } from './not-found.js';
import type { View, ViewContext } from './view.js';

const API_KEY_STORAGE = 'segue-api-key';
const segue = new Segue({ baseUrl: gatewayUrl(), apiKey: sessionStorage.getItem(API_KEY_STORAGE) ?? undefined });
const main = document.getElementById('main') as HTMLElement;
let current: View | null = null;
let rendering = 0;

function navigate(path: string): void {
  history.pushState(null, '', new URL(path, document.baseURI));
  void render({ moveFocus: true });
}

const context: ViewContext = {
  segue,
  navigate,
  reload: () => void render({ moveFocus: false }),
  rememberApiKey: (key: string) => {
    segue.apiKey = key;
    if (key) sessionStorage.setItem(API_KEY_STORAGE, key);
    else sessionStorage.removeItem(API_KEY_STORAGE);
  },
};

/** Asks the API for what a page shows first at once, alongside the page's chunk rather than after it. */
function alongside<T>(first: Promise<T>, view: (first: Promise<T>) => Promise<View>): Promise<View> {
  first.catch(() => {}); // the page reports it
  return view(first);
}

/** The pages a share link opens: a track's, `t/<id>`, and a playlist's, `p/<id>`. */
const SHARED_PAGES: Array<{ path: RegExp; open(id: string): Promise<View> }> = [
  {
    path: new RegExp(`^t/(${SHARE_ID})/?$`),
    open: (id) => alongside(segue.tracks.retrieve(id), async (first) => (await import('./track-page.js')).trackView(context, id, first)),
  },
  {
    path: new RegExp(`^p/(${SHARE_ID})/?$`),
    open: (id) => alongside(segue.playlists.retrieve(id), async (first) => (await import('./playlist-page.js')).playlistView(context, first)),
  },
];

/**
 * The page for a path. Each page's code is a chunk of its own, so a share
 * link never waits for the library's.
 */
async function viewFor(path: string): Promise<View> {
  for (const page of SHARED_PAGES) {
    const id = page.path.exec(path)?.[1];
    if (id !== undefined) return page.open(id);
  }
  if (path === '') return (await import('./library.js')).libraryView(context);
  return notFoundView(context, 'There is no page here.');
}

async function render({ moveFocus }: { moveFocus: boolean }): Promise<void> {
  const mine = ++rendering;
  current?.dispose?.();
  current = null;
  // the app's root without its trailing slash (/function/web) is the library too
  if (`${location.pathname}/` === basePath()) history.replaceState(null, '', basePath() + location.search);
  const path = location.pathname.startsWith(basePath()) ? location.pathname.slice(basePath().length) : location.pathname;
  let view: View;
  try {
    view = await viewFor(path);
  } catch (error) {
    // a chunk that did not load: most often a deployment replaced it since this page was opened
    view = { element: h('p', { role: 'alert' }, `This page could not be loaded (${(error as Error).message}): reload to try again.`) };
  }
  if (mine !== rendering) {
    view.dispose?.();
    return;
  }
  current = view;
  main.replaceChildren(view.element);
  // a new page for screen readers too: focus lands on its content, as after a full load
  if (moveFocus) main.focus();
}

document.addEventListener('click', (event) => {
  const link = (event.target as Element).closest?.('a[data-link]') as HTMLAnchorElement | null;
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (new URL(link.href).origin !== location.origin) return;
  event.preventDefault();
  navigate(link.href);
});
window.addEventListener('popstate', () => void render({ moveFocus: true }));
void render({ moveFocus: false });
