/** Set by config.js, which an operator may edit without rebuilding. */
interface WebConfig {
  /** the OpenFaaS gateway; empty for the origin this page came from */
  gatewayUrl?: string;
}

declare global {
  interface Window {
    SEGUE_CONFIG?: WebConfig;
  }
}

export function gatewayUrl(): string {
  return window.SEGUE_CONFIG?.gatewayUrl || location.origin;
}

/** The path the app is served under (`/`, or `/function/web/` on OpenFaaS), from the page's `<base>`. */
export function basePath(): string {
  return new URL(document.baseURI).pathname;
}
