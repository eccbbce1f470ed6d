import { createLogger } from '../shared/logger.js';
import { buildOpenfaasTools } from './openfaas-tools.js';

/** `npm run openfaas:build`: builds faas-cli and of-watchdog ahead of the tests that check the OpenFaaS packaging. */
try {
  const tools = await buildOpenfaasTools(createLogger('info', 'openfaas-build'));
  for (const [tool, path] of Object.entries(tools)) console.log(`${tool} ready: ${path}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
