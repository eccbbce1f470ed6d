import type { Segue } from '@segue/api-client';

/** A page: its element, and what to stop when another page replaces it. */
export interface View {
  element: HTMLElement;
  dispose?: () => void;
}

export interface ViewContext {
  segue: Segue;
  navigate(path: string): void;
  /** renders this page again from the start, as it is now */
  reload(): void;
  /** uses this key for writes from now on, and for the rest of the browser session */
  rememberApiKey(key: string): void;
}

export function setTitle(title: string | null): void {
  document.title = title ? `${title} · Segue` : 'Segue';
}
