import { readFileSync } from 'node:fs';

/** The peak resident memory of a process so far (Linux's VmHWM), in bytes. */
export function peakRssBytes(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** NODE_V8_COVERAGE when c8 set it, for a Node child given an environment of its own: its coverage then counts too. */
export function coverageEnvironment(): Record<string, string> {
  return process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {};
}
