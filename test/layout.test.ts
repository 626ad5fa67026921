/**
 * The layout the README promises: the TypeScript reference algorithms (lib/core/) are named file
 * for file, and function for function, as the native core's headers, so that a reader of one finds
 * the other; and every file that a comment or the documentation points at is where it says.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');

/** Native headers without a TypeScript counterpart, and why each has none. */
const NATIVE_ONLY: Record<string, string> = {
  'isa.hpp': 'the namespace that keeps each instruction-set build of the core apart; TypeScript is built once',
  'dispatch.hpp': 'picks the build of the core for this CPU at run time; there is one TypeScript build',
  'distance_filter.hpp':
    'fast float32 distances that only choose which centres to measure exactly; the TypeScript reference measures every distance, and its results are the ones the filter must reproduce',
  'bf16_tiles.hpp': "the distance filter's bfloat16 tier, AVX-512 BF16 instructions the TypeScript reference has no use for",
  'thread_budget.hpp': 'shares OpenMP threads among the fits of a process; the TypeScript backend runs on the calling thread',
};

/**
 * Exported TypeScript names whose native counterpart is named otherwise, and why. Every other name
 * a file of lib/core/ exports occurs in its native header, in snake_case for functions.
 */
const RENAMED: Record<string, string> = {
  'distance.ts: Floats': 'the two typed arrays a TypeScript fit reads; C++ takes the element type as a template parameter',
  'centroid-update.ts: updateCenters': 'native keeps its centroid sums from one update to the next, in CentroidUpdater::update',
};

const kebab = (snake: string): string => snake.replace(/_/g, '-');
const nativeHeaders = readdirSync(join(ROOT, 'native')).filter((name) => name.endsWith('.hpp'));
const coreFiles = readdirSync(join(ROOT, 'lib/core')).filter((name) => name.endsWith('.ts'));

describe('lib/core/ mirrors native/', () => {
  it('has a TypeScript file for every native header but the native-only ones', () => {
    const missing = nativeHeaders
      .filter((header) => !(header in NATIVE_ONLY))
      .map((header) => `${kebab(header.replace(/\.hpp$/, ''))}.ts`)
      .filter((file) => !coreFiles.includes(file));
    expect(missing).toEqual([]);
  });

  it('has no file without a native header of its name', () => {
    const orphans = coreFiles.filter((file) => !nativeHeaders.includes(`${file.replace(/\.ts$/, '').replace(/-/g, '_')}.hpp`));
    expect(orphans).toEqual([]);
  });

  it('lists as native-only only headers that exist and have no counterpart', () => {
    for (const header of Object.keys(NATIVE_ONLY)) {
      expect(nativeHeaders).toContain(header);
      expect(coreFiles).not.toContain(`${kebab(header.replace(/\.hpp$/, ''))}.ts`);
    }
  });

  it('exports the names of the native header, in camelCase', () => {
    const unmatched: string[] = [];
    for (const file of coreFiles) {
      const source = readFileSync(join(ROOT, 'lib/core', file), 'utf8');
      const header = readFileSync(join(ROOT, 'native', `${file.replace(/\.ts$/, '').replace(/-/g, '_')}.hpp`), 'utf8');
      for (const [, name] of source.matchAll(/^export (?:function\*?|const|class|interface|type) *(\w+)/gm)) {
        // Types, classes and constants keep their spelling; functions become snake_case.
        const nativeName = /^[A-Z]/.test(name) ? name : name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
        if (!new RegExp(`\\b${nativeName}\\b`).test(header) && !(`${file}: ${name}` in RENAMED)) unmatched.push(`${file}: ${name}`);
      }
    }
    expect(unmatched).toEqual([]);
  });
});

/** Where comments and documentation may point: the folders whose files they name. */
const TOP_FOLDERS = ['lib', 'native', 'test', 'bench', 'scripts'];
const SKIPPED = new Set(['node_modules']);

function filesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : [`${path}/`, ...filesUnder(path)];
    return [path];
  });
}

/**
 * The comments of a source file. Strings are skipped, so a path in a string (a test's own output
 * file, say) is not taken for one a comment promises; `#` starts a comment in scripts.
 */
function comments(source: string, hashComments: boolean): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      found.push(source.slice(i, end < 0 ? undefined : end));
      i = end < 0 ? source.length : end;
    } else if (c === '/' && source[i + 1] === '*' && !hashComments) {
      const end = source.indexOf('*/', i + 2);
      found.push(source.slice(i, end < 0 ? undefined : end));
      i = end < 0 ? source.length : end + 2;
    } else if (c === '#' && hashComments && (i === 0 || /\s/.test(source[i - 1]))) {
      const end = source.indexOf('\n', i);
      found.push(source.slice(i, end < 0 ? undefined : end));
      i = end < 0 ? source.length : end;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else {
      i++;
    }
  }
  return found;
}

const SOURCE = /\.(ts|js|cjs|mjs|hpp|cpp)$/;
const SCRIPT = /\.(sh|py)$|^\.ci\/run$|(^|\/)CMakeLists\.txt$/;
const DOCUMENTS = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(ROOT, 'docs')).map((name) => `docs/${name}`)];

describe('file references', () => {
  const everything = TOP_FOLDERS.flatMap(filesUnder);
  const texts: [where: string, text: string][] = [
    ...DOCUMENTS.filter((file) => file.endsWith('.md')).map((file): [string, string] => [file, readFileSync(join(ROOT, file), 'utf8')]),
    ...[...TOP_FOLDERS.flatMap(filesUnder), 'CMakeLists.txt', 'vitest.config.ts', 'vitest.load.config.ts', '.ci/run']
      .filter((file) => SOURCE.test(file) || SCRIPT.test(file))
      .flatMap((file) => comments(readFileSync(join(ROOT, file), 'utf8'), SCRIPT.test(file)).map((text): [string, string] => [file, text])),
  ];

  it('name files that exist', () => {
    const missing: string[] = [];
    for (const [where, text] of texts) {
      for (const [path] of text.matchAll(/(?<![\w./-])(?:lib|native|test|bench|scripts)\/[\w.*/-]*[\w*/]/g)) {
        // A glob (test/fixtures/safety-*.cjs) names the files it matches; one of them will do.
        const pattern = new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*?/g, '[^]*')}/?$`);
        if (!everything.some((file) => pattern.test(file))) missing.push(`${where}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("in the README's Layout section, name every file of native/, lib/ and lib/core/", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const layout = readme.slice(readme.indexOf('## Layout'), readme.indexOf('\n## ', readme.indexOf('## Layout') + 1));
    // The bullets of native/ and lib/ (lib/cli/ and test/ are described, not listed).
    const bullets = layout
      .split('\n- ')
      .filter((bullet) => /^`(native|lib)\/`/.test(bullet))
      .join('\n');
    const named = new Set([...bullets.matchAll(/`([\w.-]+\.(?:hpp|cpp|ts))`/g)].map(([, name]) => name));
    const files = [
      ...readdirSync(join(ROOT, 'native')).filter((name) => /\.(hpp|cpp)$/.test(name)),
      ...readdirSync(join(ROOT, 'lib')).filter((name) => name.endsWith('.ts')),
      ...coreFiles,
    ];
    expect(files.filter((name) => !named.has(name))).toEqual([]);
    expect([...named].filter((name) => !files.includes(name))).toEqual([]);
  });
});
