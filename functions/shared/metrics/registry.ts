import { collectDefaultMetrics, type Metric, Registry } from 'prom-client';

export type { Registry };

/** A process's metrics; with `processMetrics`, prom-client's defaults too (CPU, memory, event loop lag, GC). */
export function createRegistry({ processMetrics = false } = {}): Registry {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The registry's metric of this name, made on first use: under `npm start`
 * the functions share one registry, and each asks for what it measures.
 */
export function sharedMetric<T extends Metric>(registry: Registry, name: string, make: (registers: Registry[]) => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make([registry]);
}
