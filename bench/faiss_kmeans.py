"""One FAISS measurement for the benchmark, with FAISS's defaults: the twin of sklearn_kmeans.py.

Reads a MeasureJob (bench/protocol.ts) with implementation faiss-default and prints one MeasureOutput
as JSON on stdout. faiss.Kmeans(d, k, seed=...) keeps every other default: 25 iterations and no
stopping test, centres initialised as k random training points (no k-means++), and training on a
random subsample of 256 points per centre when the data holds more. The timed call is what a user
needs for labels of every point: train, then one search of all points in the trained index.
"""
import json
import sys
import time

import faiss
import numpy as np
from threadpoolctl import threadpool_limits

from process_usage import cpu_ms, peak_rss_bytes


def fit(points, k, seed, niter=None):
    options = {"seed": seed} if niter is None else {"seed": seed, "niter": niter}
    model = faiss.Kmeans(points.shape[1], k, **options)
    start = time.perf_counter()
    model.train(points)
    distances, _ = model.index.search(points, 1)
    elapsed_ms = (time.perf_counter() - start) * 1000
    return model, distances, elapsed_ms


def main():
    job = json.loads(sys.argv[1])
    files, stop, policy = job["data"], job["stop"], job["repetitions"]
    if files["type"] != "float32":
        raise SystemExit("FAISS fits float32 data only; plan.ts gives it nothing else.")
    points = np.fromfile(files["points"], dtype=np.float32).reshape(files["n"], files["d"])
    k = files["k"]
    warm_up = min(stop["maxIterations"] if stop else policy["warmupIterations"], policy["warmupIterations"])
    niter = stop["maxIterations"] if stop else None

    # FAISS's own loops use OpenMP; its distance products call BLAS, which threadpoolctl caps.
    faiss.omp_set_num_threads(job["threads"])
    with threadpool_limits(limits=job["threads"]):
        fit(points, k, job["seed"], warm_up)
        times_ms = []
        while len(times_ms) < policy["maxRepetitions"] and (
            len(times_ms) < policy["minRepetitions"] or sum(times_ms) < policy["budgetMs"]
        ):
            model, distances, elapsed_ms = fit(points, k, job["seed"], niter)
            times_ms.append(elapsed_ms)

    output = {
        "timesMs": times_ms,
        "iterations": int(model.cp.niter),
        # FAISS runs its iterations whatever the centres do.
        "converged": False,
        # Its search's float32 squared distances, summed in float64: the inertia FAISS would report.
        "reportedInertia": float(distances.astype(np.float64).sum()),
        "centroids": model.centroids.astype(np.float64).ravel().tolist(),
        "peakRssBytes": peak_rss_bytes(),
        "cpuMs": cpu_ms(),
    }
    print(json.dumps(output))


if __name__ == "__main__":
    main()
