import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { NativeBinding } from './binding.js';

type LoadOutcome = { binding: NativeBinding; error?: undefined } | { binding?: undefined; error: Error };

let outcome: LoadOutcome | undefined;

/**
 * Loads the addon once through node-gyp-build: a matching prebuild in prebuilds/, else the source
 * build in build/Release. The package root is one level above this file both in lib/ (tests) and
 * in dist/ (the published build).
 */
export function loadNative(): LoadOutcome {
  if (outcome) return outcome;
  // GCC's OpenMP runtime spins 300 000 rounds at every barrier before it sleeps. When another
  // process keeps a core busy, the spinning thread takes the CPU from the one it waits for: a
  // 2-thread fit ran 2.6 times slower than on 1 thread. A short spin keeps barriers fast on idle
  // cores and yields otherwise. The runtime reads it once, as it loads; it is removed again
  // afterwards, so that neither the process nor the programs it starts see it. The user's
  // settings win.
  const setSpin = process.env.GOMP_SPINCOUNT === undefined && process.env.OMP_WAIT_POLICY === undefined;
  if (setSpin) process.env.GOMP_SPINCOUNT = '10000';
  try {
    const require = createRequire(__filename);
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => NativeBinding;
    outcome = { binding: nodeGypBuild(join(__dirname, '..')) };
  } catch (cause) {
    let reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    const installFailure = readInstallFailure();
    if (installFailure) reason += `; the source build at install failed: ${installFailure}`;
    outcome = {
      error: new Error(
        `The elkan-kmeans native addon could not be loaded (${reason}). ` +
          'Reinstall to fetch the prebuild or compile it (needs CMake and a C++17 compiler: npm rebuild elkan-kmeans), ' +
          "or pass backend: 'js' to use the TypeScript implementation.",
        { cause },
      ),
    };
  } finally {
    if (setSpin) delete process.env.GOMP_SPINCOUNT;
  }
  return outcome;
}

/** The reason scripts/install.js recorded when it could not compile the addon, if it did. */
function readInstallFailure(): string | undefined {
  try {
    return readFileSync(join(__dirname, '..', 'build', 'install-failure.txt'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
