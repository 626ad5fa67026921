/**
 * One fit in a fresh process, for test/load/memory-bound.test.ts: prints the fit's memoryBytes and
 * how far the peak resident set rose above the resident set just before it. The points are
 * generated in place, so that the peak before the fit is the resident set itself.
 * Arguments: n d k algorithm [init [metric [backend]]].
 */
import { kmeansSync } from '../../lib/index.js';
import type { Algorithm, BackendName, InitMethod, Metric } from '../../lib/types.js';

const [n, d, k] = process.argv.slice(2, 5).map(Number);
const algorithm = process.argv[5] as Algorithm;
const init = (process.argv[6] ?? 'k-means++') as InitMethod;
const metric = (process.argv[7] ?? 'euclidean') as Metric;
const backend = (process.argv[8] ?? 'native') as BackendName;
const data = new Float32Array(n * d);
let state = 12345;
for (let i = 0; i < data.length; i++) {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  data[i] = ((i / d) % 64) + state / 2 ** 32;
}
const points = { data, shape: [n, d] as const };
// Load the addon and start its threads first: their code and stacks are not the fit's.
kmeansSync({ data: data.subarray(0, 64 * d), shape: [64, d] }, 4, { seed: 1, backend, algorithm, metric });
const before = process.memoryUsage().rss;
const peakBefore = process.resourceUsage().maxRSS * 1024;
const result = kmeansSync(points, k, { seed: 1, backend, algorithm, init, metric, maxIterations: 10 });
const peakAfter = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ memoryBytes: result.memoryBytes, before, peakBefore, peakAfter, algorithm: result.algorithm }) + '\n');
