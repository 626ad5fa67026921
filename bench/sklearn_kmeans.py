"""One scikit-learn measurement for the benchmark: the Python twin of measure-worker.ts.

Reads a MeasureJob (bench/protocol.ts) as its one argument, fits KMeans on the same raw files and
initial centres, and prints one MeasureOutput as JSON on stdout.
"""
import json
import resource
import sys
import time
import warnings

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits


def fit(points, init, algorithm, max_iter, tol):
    model = KMeans(n_clusters=init.shape[0], init=init, n_init=1, algorithm=algorithm, max_iter=max_iter, tol=tol)
    with warnings.catch_warnings():
        # A capped run ends unconverged on purpose; scikit-learn would warn about it.
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(points)
        elapsed_ms = (time.perf_counter() - start) * 1000
    return model, elapsed_ms


def main():
    job = json.loads(sys.argv[1])
    files, stop, policy = job["data"], job["stop"], job["repetitions"]
    dtype = np.float32 if files["type"] == "float32" else np.float64
    points = np.fromfile(files["points"], dtype=dtype).reshape(files["n"], files["d"])
    init = np.fromfile(files["init"], dtype=dtype).reshape(files["k"], files["d"])
    algorithm = job["implementation"].removeprefix("sklearn-")

    # threadpoolctl caps the OpenMP threads KMeans runs on (and BLAS, which Lloyd's chunks call).
    with threadpool_limits(limits=job["threads"]):
        fit(points, init, algorithm, min(stop["maxIterations"], policy["warmupIterations"]), stop["tolerance"])
        times_ms = []
        while len(times_ms) < policy["maxRepetitions"] and (
            len(times_ms) < policy["minRepetitions"] or sum(times_ms) < policy["budgetMs"]
        ):
            model, elapsed_ms = fit(points, init, algorithm, stop["maxIterations"], stop["tolerance"])
            times_ms.append(elapsed_ms)

    usage = resource.getrusage(resource.RUSAGE_SELF)
    # Helpers the imports start (CPU-count probes) are ours too, not other load on the machine.
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
    iterations = int(model.n_iter_)
    output = {
        "timesMs": times_ms,
        "iterations": iterations,
        # scikit-learn does not say whether it converged; this reads convergence on the last allowed
        # iteration as reaching the cap.
        "converged": iterations < stop["maxIterations"],
        "reportedInertia": float(model.inertia_),
        "centroids": model.cluster_centers_.astype(np.float64).ravel().tolist(),
        "peakRssBytes": usage.ru_maxrss * 1024,
        "cpuMs": (usage.ru_utime + usage.ru_stime + helpers.ru_utime + helpers.ru_stime) * 1000,
    }
    print(json.dumps(output))


if __name__ == "__main__":
    main()
