"""scikit-learn's MiniBatchKMeans for the benchmark's minibatch section (bench/minibatch.ts).

Reads a job {points, n, d, k, batchSize, seed} as its one argument, fits on one thread with
scikit-learn's defaults but the batch size, one initialisation (n_init=1, what 'auto' is from 1.4 for
k-means++) and the seed, and prints the CPU and wall time and the inertia of the centres over all
points, each point to its nearest centre, summed in float64 as bench/minibatch.ts sums ours.
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import MiniBatchKMeans
from threadpoolctl import threadpool_limits


def main():
    job = json.loads(sys.argv[1])
    points = np.fromfile(job["points"], dtype=np.float32).reshape(job["n"], job["d"])
    with threadpool_limits(limits=1):
        cpu, wall = time.process_time(), time.perf_counter()
        model = MiniBatchKMeans(n_clusters=job["k"], batch_size=job["batchSize"], n_init=1, random_state=job["seed"]).fit(points)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    centres = model.cluster_centers_.astype(np.float64)
    inertia = 0.0
    for start in range(0, job["n"], 65536):
        block = points[start : start + 65536].astype(np.float64)
        distances = (block**2).sum(1)[:, None] - 2 * block @ centres.T + (centres**2).sum(1)[None, :]
        nearest = distances.argmin(1)
        inertia += float(((block - centres[nearest]) ** 2).sum())
    print(json.dumps({"cpuSeconds": cpu, "wallSeconds": wall, "inertia": inertia, "steps": int(model.n_steps_)}))


if __name__ == "__main__":
    main()
