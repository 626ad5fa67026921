"""One Python measurement of the bigdata section (bench/bigdata.ts), with the library's defaults.

Reads a job (JSON, the one argument): the float32 points file, n, d, k, seed and threads. The points
are mapped with np.memmap, not copied. sklearn-minibatch: MiniBatchKMeans(n_clusters=k,
random_state=seed).fit(X), every other parameter at its default. faiss: faiss.Kmeans(d, k,
seed=seed).train(X), every other parameter at its default (25 iterations on a subsample of 256
points per centre). Prints the time, iterations, peak RSS and centroids as JSON; the inertia is
evaluated by the caller, the same way for every library.
"""
import json
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from process_usage import cpu_ms, peak_rss_bytes


def main():
    job = json.loads(sys.argv[1])
    n, d, k, seed = job["n"], job["d"], job["k"], job["seed"]
    points = np.memmap(job["file"], dtype=np.float32, mode="r", shape=(n, d))
    with threadpool_limits(limits=job["threads"]):
        if job["implementation"] == "sklearn-minibatch":
            from sklearn.cluster import MiniBatchKMeans

            model = MiniBatchKMeans(n_clusters=k, random_state=seed)
            with warnings.catch_warnings():
                # The n_init default is announced to change; the default is what is measured.
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                model.fit(points)
                seconds = time.perf_counter() - start
            centroids = model.cluster_centers_
            iterations = int(model.n_iter_)
            note = f"{int(model.n_steps_)} mini-batches of {model._batch_size}"
        else:
            import faiss

            faiss.omp_set_num_threads(job["threads"])
            model = faiss.Kmeans(d, k, seed=seed)
            start = time.perf_counter()
            model.train(points)
            seconds = time.perf_counter() - start
            centroids = model.centroids
            iterations = int(model.cp.niter)
            note = f"trained on {min(n, model.cp.max_points_per_centroid * k)} sampled points"
    output = {
        "seconds": seconds,
        "cpuMs": cpu_ms(),
        "iterations": iterations,
        "peakRssBytes": peak_rss_bytes(),
        "centroids": np.asarray(centroids, dtype=np.float64).ravel().tolist(),
        "note": note,
    }
    print(json.dumps(output))


if __name__ == "__main__":
    main()
