// A CommonJS user of the installed package.
const assert = require('node:assert');
const { kmeansSync, kmeans, predict } = require('elkan-kmeans');

const expected = process.argv[2];
const points = [
  [1, 2],
  [1, 4],
  [1, 0],
  [10, 2],
  [10, 4],
  [10, 0],
];
const result = kmeansSync(points, 2, { seed: 42 });
assert.strictEqual(result.backend, expected);
assert.deepStrictEqual(Array.from(predict(points, result.centroids)), Array.from(result.labels));
kmeans(points, 2, { seed: 42 }).then((again) => {
  assert.strictEqual(again.inertia, result.inertia);
  console.log(`CommonJS: ${result.backend} backend, inertia ${result.inertia}`);
});
