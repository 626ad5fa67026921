/** skmeans 0.11 ships no typings; this covers the call documented in its README. */
declare module 'skmeans' {
  interface SkmeansResult {
    /** Iterations that moved a centre (see node-runners.ts for how it maps to iterations run). */
    it: number;
    k: number;
    idxs: number[];
    centroids: number[][];
  }
  function skmeans(data: number[][], k: number, centroids?: number[][] | 'kmrand' | 'kmpp' | null, maxIterations?: number): SkmeansResult;
  export = skmeans;
}
