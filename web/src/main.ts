import { Segue } from '@segue/api-client';
import { basePath, gatewayUrl } from './config.js';
import { libraryView } from './library.js';
import { notFoundView } from './not-found.js';
import { trackView } from './track-page.js';
import type { View } from './view.js';

const API_KEY_STORAGE = 'segue-api-key';
const segue = new Segue({ baseUrl: gatewayUrl(), apiKey: sessionStorage.getItem(API_KEY_STORAGE) ?? undefined });
const main = document.getElementById('main') as HTMLElement;
const SHARE_PATH = /^t\/([0-9A-Za-z]{12})\/?$/;
let current: View | null = null;

function navigate(path: string): void {
  history.pushState(null, '', new URL(path, document.baseURI));
  render({ moveFocus: true });
}

function render({ moveFocus }: { moveFocus: boolean }): void {
  current?.dispose?.();
  // the app's root without its trailing slash (/function/web) is the library too
  if (`${location.pathname}/` === basePath()) history.replaceState(null, '', basePath() + location.search);
  const path = location.pathname.startsWith(basePath()) ? location.pathname.slice(basePath().length) : location.pathname;
  const share = SHARE_PATH.exec(path);
  const context = {
    segue,
    navigate,
    rememberApiKey: (key: string) => {
      segue.apiKey = key;
      if (key) sessionStorage.setItem(API_KEY_STORAGE, key);
      else sessionStorage.removeItem(API_KEY_STORAGE);
    },
  };
  current = path === '' ? libraryView(context) : share ? trackView(context, share[1]!) : notFoundView(context, 'There is no page here.');
  main.replaceChildren(current.element);
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
window.addEventListener('popstate', () => render({ moveFocus: true }));
render({ moveFocus: false });
