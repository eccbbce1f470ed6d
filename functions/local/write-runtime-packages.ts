import { writeFile } from 'node:fs/promises';
import { RUNTIME_PACKAGES, formatRuntimePackages, runtimePackages } from './runtime-packages.js';

/** `npm run images:packages`: writes functions/image/runtime-packages.json from the servers' imports. */
const packages = await runtimePackages();
await writeFile(RUNTIME_PACKAGES, formatRuntimePackages(packages));
for (const [name, list] of Object.entries(packages)) console.log(`${name}: ${list.join(' ')}`);
