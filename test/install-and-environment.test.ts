/**
 * The install does what the README says, and the package leaves the process's environment alone.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const require = createRequire(__filename);
const { installPlan } = require('../scripts/install.js') as {
  installPlan: (env: Record<string, string | undefined>, buildLoads: () => boolean) => { compile: boolean; args?: string[] };
};

describe('install', () => {
  it('uses a build that loads, and compiles when none does', () => {
    expect(installPlan({}, () => true)).toEqual({ compile: false });
    expect(installPlan({}, () => false)).toEqual({ compile: true, args: ['compile'] });
  });

  it('compiles for this CPU with ELKAN_KMEANS_NATIVE_ARCH=1 even when a build already loads (npm rebuild)', () => {
    expect(installPlan({ ELKAN_KMEANS_NATIVE_ARCH: '1' }, () => true)).toEqual({ compile: true, args: ['compile', '--CDELKAN_KMEANS_NATIVE_ARCH=ON'] });
  });

  it('has no npm script that npm would run as a hook of another (a "prebuild" ran before "build" and wiped build/)', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    const hooks = scripts.filter((name) => /^(pre|post)/.test(name) && scripts.includes(name.replace(/^(pre|post)/, '')));
    expect(hooks).toEqual([]);
  });
});

describe('sharp', () => {
  it('is an optional peer, so that installing the package does not install it, and only the CLI loads it, when it meets an image', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, unknown> | undefined>;
    expect(Object.keys(pkg.dependencies ?? {})).not.toContain('sharp');
    expect(Object.keys(pkg.optionalDependencies ?? {})).not.toContain('sharp');
    expect(pkg.peerDependencies?.sharp).toBeDefined();
    expect(pkg.peerDependenciesMeta?.sharp).toEqual({ optional: true });
    // Loading the library, the CLI included, does not load sharp.
    const script = `
      require(${JSON.stringify(join(ROOT, 'dist/index.js'))});
      require(${JSON.stringify(join(ROOT, 'dist/cli/run.js'))});
      process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((file) => /[\\/]sharp[\\/]/.test(file))));
    `;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toEqual([]);
  });
});

describe('the entry points', () => {
  it('give the same functions from ES modules as from CommonJS (both as npm ci builds them in dist/)', () => {
    const script = `
      const cjs = require(${JSON.stringify(join(ROOT, 'dist/index.js'))});
      import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/index.mjs')).href)}).then((esm) => {
        const same = Object.keys(esm).filter((name) => esm[name] === cjs[name]);
        process.stdout.write(JSON.stringify({ cjs: Object.keys(cjs).sort(), esm: Object.keys(esm).sort(), same: same.sort() }));
      });
    `;
    const seen = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Record<string, string[]>;
    expect(seen.cjs).toContain('kmeans');
    expect(seen.esm).toEqual(seen.cjs);
    expect(seen.same).toEqual(seen.cjs);
  });
});

describe('the environment', () => {
  it('is left as it was once the addon has loaded, for the process and the programs it starts', () => {
    const script = `
      require('tsx/cjs');
      const { execFileSync } = require('node:child_process');
      const { kmeansSync } = require('./lib/index.ts');
      const before = { ...process.env };
      const result = kmeansSync([[0], [1], [5]], 2, { seed: 1, backend: 'native' });
      const child = execFileSync(process.execPath, ['-e', 'process.stdout.write(JSON.stringify(process.env))'], { encoding: 'utf8' });
      process.stdout.write(JSON.stringify({ before, after: process.env, child: JSON.parse(child), backend: result.backend }));
    `;
    const env = { ...process.env };
    delete env.GOMP_SPINCOUNT;
    delete env.OMP_WAIT_POLICY;
    const seen = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env, encoding: 'utf8' })) as Record<string, Record<string, string>>;
    expect(seen.backend).toBe('native');
    expect(seen.after).toEqual(seen.before);
    expect(seen.child.GOMP_SPINCOUNT).toBeUndefined();
  });
});
