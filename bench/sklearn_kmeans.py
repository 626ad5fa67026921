"""One scikit-learn measurement for the benchmark: the Python twin of measure-worker.ts.

Reads a MeasureJob (bench/protocol.ts) as its one argument, fits KMeans on the same raw files and
initial centres, and prints one MeasureOutput as JSON on stdout. sklearn-default fits with
scikit-learn's defaults and the job's seed instead, seeding included (k-means++), with n_init=1:
scikit-learn 1.2 still defaults to 10 runs but announces 'auto' (one run after k-means++) from 1.4,
and one run is what our default makes.
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from process_usage import cpu_ms, peak_rss_bytes


def model_for(job, init, stop):
    """KMeans from the given centres with the job's stopping rule, or with the defaults. A default fit
    is only given a stopping rule for the warm-up, which seeds at random, as ours does (node-runners.ts)."""
    if job["implementation"] == "sklearn-default":
        warm_up = {} if stop is None else {"init": "random", "max_iter": stop["maxIterations"], "tol": stop["tolerance"]}
        return KMeans(n_clusters=init.shape[0], n_init=1, random_state=job["seed"], **warm_up)
    algorithm = job["implementation"].removeprefix("sklearn-")
    return KMeans(n_clusters=init.shape[0], init=init, n_init=1, algorithm=algorithm, max_iter=stop["maxIterations"], tol=stop["tolerance"])


def fit(model, points):
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
    warm_up = stop or {"tolerance": 0, "maxIterations": policy["warmupIterations"]}
    warm_up = {**warm_up, "maxIterations": min(warm_up["maxIterations"], policy["warmupIterations"])}

    # threadpoolctl caps the OpenMP threads KMeans runs on (and BLAS, which Lloyd's chunks call).
    with threadpool_limits(limits=job["threads"]):
        fit(model_for(job, init, warm_up), points)
        times_ms = []
        while len(times_ms) < policy["maxRepetitions"] and (
            len(times_ms) < policy["minRepetitions"] or sum(times_ms) < policy["budgetMs"]
        ):
            model, elapsed_ms = fit(model_for(job, init, stop), points)
            times_ms.append(elapsed_ms)

    iterations = int(model.n_iter_)
    output = {
        "timesMs": times_ms,
        "iterations": iterations,
        # scikit-learn does not say whether it converged; this reads convergence on the last allowed
        # iteration as reaching the cap.
        "converged": iterations < model.max_iter,
        "reportedInertia": float(model.inertia_),
        "centroids": model.cluster_centers_.astype(np.float64).ravel().tolist(),
        "peakRssBytes": peak_rss_bytes(),
        "cpuMs": cpu_ms(),
    }
    print(json.dumps(output))


if __name__ == "__main__":
    main()
