import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { coverageEnvironment } from './proc.js';

export interface StartedService {
  child: ChildProcess;
  /** what it printed until it said where it runs */
  lines: string[];
  /** e.g. http://127.0.0.1:41234, from "Segue is running at …" */
  base: string;
}

/** What `npm start` runs (functions/local/start.ts), in a process of its own with exactly `env` (and a coverage run's NODE_V8_COVERAGE). */
export async function startService(env: Record<string, string | undefined>): Promise<StartedService> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/start.ts'], { env: { ...env, ...coverageEnvironment() }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${lines.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line.includes('play:')) resolve();
    });
  });
  const base = /Segue is running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(lines.join('\n'))?.[1];
  if (!base) {
    child.kill('SIGKILL');
    throw new Error(`npm start did not say where it runs: ${lines.join('\n')}`);
  }
  return { child, lines, base };
}
