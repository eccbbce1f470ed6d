#!/usr/bin/env node
// The CLI is TypeScript sharing its schemas with the service; tsx runs it as it is.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
