/** Finds a Python that can run bench/sklearn_kmeans.py; scikit-learn is optional for the benchmark. */
import { spawnSync } from 'node:child_process';

export interface PythonInfo {
  executable: string;
  python: string;
  sklearn: string;
  numpy: string;
  threadpoolctl: string;
  /** FAISS is optional beside scikit-learn: null when this Python cannot import it. */
  faiss: string | null;
}

const PROBE = [
  'import json, platform, numpy, sklearn, threadpoolctl',
  'try:',
  '    import faiss',
  '    faiss_version = faiss.__version__',
  'except ImportError:',
  '    faiss_version = None',
  'print(json.dumps({"python": platform.python_version(), "sklearn": sklearn.__version__,' +
    ' "numpy": numpy.__version__, "threadpoolctl": threadpoolctl.__version__, "faiss": faiss_version}))',
].join('\n');

/**
 * The first candidate that imports scikit-learn, numpy and threadpoolctl. The `python3` first on
 * PATH is tried before the system one because it is the one a user would call; the system one
 * often holds the distribution's scikit-learn when a version manager's Python does not.
 */
export function findPython(candidates: readonly string[]): { info?: PythonInfo; tried: string[] } {
  const tried: string[] = [];
  for (const executable of candidates) {
    const probe = spawnSync(executable, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status === 0) {
      return { info: { executable, ...(JSON.parse(probe.stdout) as Omit<PythonInfo, 'executable'>) }, tried };
    }
    const reason = probe.error?.message ?? probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`;
    tried.push(`${executable}: ${reason}`);
  }
  return { tried };
}
