// A Worker of the stress harness: fits random problems with the native backend and checks each
// against the TypeScript reference, until it is terminated or has done its share.
const { parentPort, workerData } = require('node:worker_threads');
const { Random, randomProblem, reference, difference, describe } = require('./cases.cjs');
const { kmeans, kmeansSync } = require('../../lib/index.ts');

async function main() {
  const rng = new Random(workerData.seed);
  for (let i = 0; i < workerData.fits; i++) {
    const problem = randomProblem(rng);
    const expected = reference(problem);
    const fit = rng.nextIndex(2) === 0 ? kmeans : kmeansSync;
    const result = await fit(problem.points, problem.k, { ...problem.options, backend: 'native', onIteration: () => {} });
    const wrong = difference(result, expected, problem);
    parentPort.postMessage(wrong ? { mismatch: `worker: ${wrong}: ${describe(problem)}` } : { right: 1 });
  }
}

main().catch((error) => parentPort.postMessage({ mismatch: `worker: ${(error && error.stack) || error}` }));
