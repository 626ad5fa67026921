/**
 * Squared Euclidean distance between row `ai` of `a` and row `bi` of `b`, both of width `d`.
 * Float32 values are read as doubles, so differences, squares and sums are all taken in double
 * (a float32 difference of two values near ±3.4e38 would overflow).
 *
 * The summation order is part of the specification, so that the native core (native/distance.hpp)
 * produces the same bits: four partial sums, lane r holding the columns j ≡ r (mod 4) in
 * increasing j, combined as (s0 + s1) + (s2 + s3). Four lanes are what one AVX2 register holds in
 * double, so the native core vectorises this order instead of fighting it.
 */
export type Floats = Float32Array | Float64Array;

export function squaredDistance(a: Floats, ai: number, b: Floats, bi: number, d: number): number {
  const ao = ai * d;
  const bo = bi * d;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    const t0 = a[ao + j] - b[bo + j];
    const t1 = a[ao + j + 1] - b[bo + j + 1];
    const t2 = a[ao + j + 2] - b[bo + j + 2];
    const t3 = a[ao + j + 3] - b[bo + j + 3];
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
  }
  if (j < d) {
    const t = a[ao + j] - b[bo + j];
    s0 += t * t;
  }
  if (j + 1 < d) {
    const t = a[ao + j + 1] - b[bo + j + 1];
    s1 += t * t;
  }
  if (j + 2 < d) {
    const t = a[ao + j + 2] - b[bo + j + 2];
    s2 += t * t;
  }
  return s0 + s1 + (s2 + s3);
}
