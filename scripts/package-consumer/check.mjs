// An ES module user of the installed package.
import assert from 'node:assert';
import { kmeans } from 'elkan-kmeans';

const expected = process.argv[2];
const result = await kmeans({ data: Float32Array.of(0, 0, 0, 1, 9, 9, 9, 8), shape: [4, 2] }, 2, { seed: 1 });
assert.strictEqual(result.backend, expected);
assert.ok(result.centroids.data instanceof Float32Array);
console.log(`ES module: ${result.backend} backend, inertia ${result.inertia}`);
