// A TypeScript user: type-checked with --strict --module nodenext, then run by the test script.
import { kmeans, kmeansSync, type KMeansOptions, type KMeansResult } from 'elkan-kmeans';

const options: KMeansOptions = { seed: 7, algorithm: 'elkan', onIteration: ({ iteration, changed }) => void [iteration, changed] };
const result: KMeansResult = kmeansSync({ data: new Float64Array([0, 0, 1, 1, 8, 8, 9, 9]), shape: [4, 2] }, 2, options);
const labels: Int32Array = result.labels;
const shape: readonly [number, number] = result.centroids.shape;
const pending: Promise<KMeansResult> = kmeans([[0], [1], [5]], 2);
void [labels, shape, pending];
