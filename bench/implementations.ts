/** Every implementation the benchmark can run, and how a run of one at some thread count is named. */

export type ImplementationId =
  | 'native-elkan'
  | 'native-hamerly'
  | 'native-yinyang'
  | 'native-lloyd'
  | 'native-auto'
  | 'native-auto-cosine'
  | 'ts-elkan'
  | 'ts-lloyd'
  | 'ml-kmeans'
  | 'skmeans'
  | 'sklearn-elkan'
  | 'sklearn-lloyd'
  | 'ours-default'
  | 'sklearn-default'
  | 'faiss-default';

export interface ImplementationInfo {
  label: string;
  /** Which child process runs it: measure-worker.ts in Node.js, or `script` in Python. */
  runtime: 'node' | 'python';
  script?: 'sklearn_kmeans.py' | 'faiss_kmeans.py';
  /** Whether a thread count means anything to it; the others always run on one thread. */
  threaded: boolean;
  /**
   * Whether it honours our relative tolerance. The others stop on their own rules, which agree
   * with ours only at tolerance 0 (stop when no centre moves), so they only join rows with
   * tolerance 0 (see plan.ts).
   */
  sharesTolerance: boolean;
}

export const IMPLEMENTATIONS: Record<ImplementationId, ImplementationInfo> = {
  'native-elkan': { label: 'native Elkan', runtime: 'node', threaded: true, sharesTolerance: true },
  'native-hamerly': { label: 'native Hamerly', runtime: 'node', threaded: true, sharesTolerance: true },
  'native-yinyang': { label: 'native Yinyang', runtime: 'node', threaded: true, sharesTolerance: true },
  'native-lloyd': { label: 'native Lloyd', runtime: 'node', threaded: true, sharesTolerance: true },
  'ts-elkan': { label: 'TS Elkan', runtime: 'node', threaded: false, sharesTolerance: true },
  'ts-lloyd': { label: 'TS Lloyd', runtime: 'node', threaded: false, sharesTolerance: true },
  'ml-kmeans': { label: 'ml-kmeans', runtime: 'node', threaded: false, sharesTolerance: false },
  skmeans: { label: 'skmeans', runtime: 'node', threaded: false, sharesTolerance: false },
  'sklearn-elkan': { label: 'scikit-learn Elkan', runtime: 'python', script: 'sklearn_kmeans.py', threaded: true, sharesTolerance: true },
  'sklearn-lloyd': { label: 'scikit-learn Lloyd', runtime: 'python', script: 'sklearn_kmeans.py', threaded: true, sharesTolerance: true },
  // The algorithm our 'auto' takes for the data, from the same initial centres.
  'native-auto': { label: "native 'auto'", runtime: 'node', threaded: true, sharesTolerance: true },
  // The same, with metric: 'cosine' (spherical k-means), from the same initial centres.
  'native-auto-cosine': { label: "native 'auto', metric cosine", runtime: 'node', threaded: true, sharesTolerance: true },
  // Library defaults, seeding included: no initial centres are given, only a seed.
  'ours-default': { label: 'elkan-kmeans defaults', runtime: 'node', threaded: true, sharesTolerance: true },
  'sklearn-default': { label: 'scikit-learn defaults, n_init=1', runtime: 'python', script: 'sklearn_kmeans.py', threaded: true, sharesTolerance: true },
  'faiss-default': { label: 'FAISS defaults', runtime: 'python', script: 'faiss_kmeans.py', threaded: true, sharesTolerance: false },
};

/** One implementation at one thread count: a bar in the chart, a line in a table. */
export interface Variant {
  implementation: ImplementationId;
  threads: number;
}

export function variant(implementation: ImplementationId, threads = 1): Variant {
  return { implementation, threads: IMPLEMENTATIONS[implementation].threaded ? threads : 1 };
}

export function variantLabel({ implementation, threads }: Variant): string {
  const info = IMPLEMENTATIONS[implementation];
  return info.threaded ? `${info.label}, ${threads} thread${threads === 1 ? '' : 's'}` : info.label;
}

/** The baseline of every speed-up figure. */
export const BASELINE: ImplementationId = 'ts-elkan';
