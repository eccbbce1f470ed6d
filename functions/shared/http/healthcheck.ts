/**
 * An image's HEALTHCHECK when no watchdog stands in front of the server:
 * `node dist/functions/shared/http/healthcheck.js /healthz` exits 0 when the
 * server on PORT answers that path with a 2xx, 1 otherwise.
 */
const path = process.argv[2] ?? '/';
const port = process.env.PORT ?? '3000';

try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3_000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
