import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/**
 * One setting: the environment variable it is read from, and the schema that
 * checks it and turns it into the value the code uses (seconds into
 * milliseconds, a list into an array). The value's type comes from the schema.
 */
export interface Setting<Schema extends z.ZodType = z.ZodType> {
  variable: string;
  schema: Schema;
  /** an OpenFaaS secret of this name wins over the variable, so credentials need not sit in a function's environment */
  secret?: string;
}

export type Settings = Record<string, Setting>;

/** What a group of settings reads as: each key with its schema's output type (and its JSDoc). */
export type ConfigOf<S extends Settings> = { [Key in keyof S]: z.output<S[Key]['schema']> };

/** A check across settings: what is wrong, said naming the variable, or nothing. */
export type ConfigCheck<S extends Settings> = (config: ConfigOf<S>) => string | undefined;

export const setting = <Schema extends z.ZodType>(variable: string, schema: Schema, options: { secret?: string } = {}): Setting<Schema> => ({
  variable,
  schema,
  ...options,
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Environment = Record<string, string | undefined>;

const DEFAULT_SECRETS_DIR = '/var/openfaas/secrets';

/**
 * Reads and checks settings from the environment (and OpenFaaS secrets, in
 * SECRETS_DIR), failing with every problem listed at once. A secret's value
 * is never shown in a message.
 */
export function loadSettings<S extends Settings>(settings: S, checks: ReadonlyArray<ConfigCheck<S>>, env: Environment): ConfigOf<S> {
  const secretsDir = env.SECRETS_DIR || DEFAULT_SECRETS_DIR;
  const entries = Object.entries(settings);
  const raw = Object.fromEntries(entries.map(([, { variable, secret }]) => [variable, (secret && readSecret(secretsDir, secret)) ?? env[variable]]));
  const parsed = z.object(Object.fromEntries(entries.map(([, { variable, schema }]) => [variable, schema]))).safeParse(raw);
  if (!parsed.success) {
    const secrets = new Set(entries.filter(([, { secret }]) => secret).map(([, { variable }]) => variable));
    throw invalid(
      parsed.error.issues.map((issue) => {
        const variable = issue.path.join('.');
        return `${variable}=${secrets.has(variable) ? '(not shown)' : JSON.stringify(raw[variable] ?? '')}: ${issue.message}`;
      }),
    );
  }
  const values = parsed.data as Record<string, unknown>;
  const config = Object.fromEntries(entries.map(([key, { variable }]) => [key, values[variable]])) as ConfigOf<S>;
  const problems = checks.map((check) => check(config)).filter((problem): problem is string => problem !== undefined);
  if (problems.length) throw invalid(problems);
  return config;
}

const invalid = (problems: string[]) => new ConfigError(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);

/** An empty secret is a mistake (a key file never filled in), not a wish for no value. */
function readSecret(secretsDir: string, name: string): string | undefined {
  const path = join(secretsDir, name);
  if (!existsSync(path)) return undefined;
  const value = readFileSync(path, 'utf8').trim();
  if (value === '') throw invalid([`the secret ${name} (${path}) is empty`]);
  return value;
}

/** An unset or empty variable falls back to the default, so `FOO=` in a shell behaves like no FOO at all. */
const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);

export const integer = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

export const optionalInteger = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).optional());

/** Whole seconds in the variable, milliseconds in the code. */
export const seconds = (fallback: number, min: number, max?: number) => integer(fallback, min, max).transform((value) => value * 1000);

export const text = (fallback: string) => z.preprocess(blankToUndefined, z.string().default(fallback));

export const optionalText = () => z.preprocess(blankToUndefined, z.string().optional());

/** Text that must match a pattern, unset allowed. */
export const optionalPattern = (pattern: RegExp, message: string) => z.preprocess(blankToUndefined, z.string().regex(pattern, message).optional());

const splitList = (value: string) =>
  value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);

/** Items separated by commas or newlines, blanks dropped. */
export const commaList = z.preprocess(blankToUndefined, z.string().default('').transform(splitList));

/** `*` for anything, or a comma list. */
export const anyOrList = z.preprocess(
  blankToUndefined,
  z
    .string()
    .default('*')
    .transform((value): '*' | string[] => (value.trim() === '*' ? '*' : splitList(value))),
);

export const flag = z.preprocess(blankToUndefined, z.enum(['true', 'false']).default('false')).transform((value) => value === 'true');

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a duration of of-watchdog's notation (checked by the caller). */
export function watchdogDurationMs(value: string): number {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}

/** A duration as of-watchdog reads its own settings: whole seconds (`10`), or Go's notation (`10s`, `1m30s`, `500ms`); 0 when unset. */
export const watchdogDuration = z.preprocess(
  blankToUndefined,
  z
    .string()
    .regex(/^(\d+|(\d+(\.\d+)?(ms|s|m|h))+)$/, 'whole seconds, or a duration such as 10s or 1m30s')
    .optional()
    .transform((value) => (value === undefined ? 0 : watchdogDurationMs(value))),
);
