// Writes the ES module entry: a re-export of the CommonJS build rather than a second copy, so
// both entry points share one native addon and one thread budget in a process. The names come
// from the CommonJS build itself, so that an export added to lib/index.ts reaches both entries.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const names = Object.keys(createRequire(import.meta.url)('../dist/index.js')).sort();
writeFileSync(new URL('../dist/index.mjs', import.meta.url), `import cjs from './index.js';\n\nexport const { ${names.join(', ')} } = cjs;\n`);
writeFileSync(new URL('../dist/index.d.mts', import.meta.url), "export * from './index.js';\n");
