// Writes the ES module entry: a re-export of the CommonJS build rather than a second copy, so
// both entry points share one native addon and one thread budget in a process.
import { writeFileSync } from 'node:fs';

const names = ['kmeans', 'kmeansSync', 'predict'];
writeFileSync(
  new URL('../dist/index.mjs', import.meta.url),
  `import cjs from './index.js';\n\nexport const { ${names.join(', ')} } = cjs;\n`,
);
writeFileSync(new URL('../dist/index.d.mts', import.meta.url), "export * from './index.js';\n");
