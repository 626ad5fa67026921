/**
 * The portable build against one tuned for this CPU: the addon as a prebuild ships it (a baseline
 * x86-64 build and an AVX2 one, chosen at run time), forced to each of its two builds, and a
 * source build with -march=native, all on one thread, on the benchmark's main case, in one run.
 *
 *   npx tsx bench/isa-variants.ts [repetitions]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');
const repetitions = process.argv[2] ?? '5';
const portable = join(root, 'build', 'Release', 'elkan_kmeans.node');
const nativeArch = join(root, 'build-native-arch', 'Release', 'elkan_kmeans.node');

// Always through the build, which is incremental: a build left from older sources would be
// compared silently.
console.log('building the -march=native addon into build-native-arch/ …');
execFileSync(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), 'compile', '--out', 'build-native-arch', '--CDELKAN_KMEANS_NATIVE_ARCH=ON'], {
  cwd: root,
  stdio: 'ignore',
});

const builds = [
  { name: 'portable build, baseline x86-64', addon: portable, env: { ELKAN_KMEANS_ISA: 'generic' } },
  { name: 'portable build, AVX2 (what a prebuild runs here)', addon: portable, env: {} },
  { name: '-march=native source build', addon: nativeArch, env: {} },
];

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

console.log('blobs 100 000 × 32, k = 100, float64, same initial centres, to convergence, 1 thread');
for (const algorithm of ['elkan', 'hamerly']) {
  const rows = builds.map((build) => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'isa-worker.ts'), build.addon, algorithm, repetitions], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ...build.env },
    });
    if (child.status !== 0) throw new Error(`${build.name}: ${child.stderr}`);
    const { isa, times } = JSON.parse(child.stdout) as { isa: string; times: number[] };
    return { ...build, isa, median: median(times), min: Math.min(...times), max: Math.max(...times) };
  });
  const reference = rows[1].median;
  console.log(`\n${algorithm}`);
  for (const row of rows) {
    console.log(
      `  ${row.name.padEnd(50)} ${row.isa.padEnd(8)} ${row.median.toFixed(0).padStart(6)} ms (${row.min.toFixed(0)}–${row.max.toFixed(0)})  ${(reference / row.median).toFixed(2)}× the prebuild's speed`,
    );
  }
}
