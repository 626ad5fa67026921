"""The throughput section's yardstick: numpy's float32 matrix product X @ C.T on the shapes ours ran.

Reads a MatmulJob (bench/protocol.ts) as its one argument and prints one MatmulOutput as JSON on
stdout. The product goes in blocks of rows into one reused buffer: the whole n x k product would not
fit in memory at d = 2, and an assignment never needs it whole (scikit-learn's takes 256 rows at a
time). It is the product alone, without norms or the arg-min, so an upper bound of a BLAS assignment.
"""
import json
import sys
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from process_usage import cpu_ms


def blas_description():
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            return f"{pool.get('internal_api')} {pool.get('version')} ({pool.get('architecture')} kernels)"
    return "unknown"


def product(points, centres_t, out, block_rows):
    n = points.shape[0]
    for start in range(0, n, block_rows):
        rows = min(block_rows, n - start)
        np.matmul(points[start:start + rows], centres_t, out=out[:rows])


def main():
    job = json.loads(sys.argv[1])
    policy = job["repetitions"]
    rng = np.random.default_rng(20240601)
    rows = []
    with threadpool_limits(limits=job["threads"]):
        for shape in job["shapes"]:
            n, d, k = shape["n"], shape["d"], shape["k"]
            # sgemm takes the same time whatever the values (no subnormals here).
            points = rng.standard_normal((n, d), dtype=np.float32)
            centres_t = rng.standard_normal((k, d), dtype=np.float32).T
            out = np.empty((min(job["blockRows"], n), k), dtype=np.float32)
            for _ in range(policy["warmupIterations"]):
                product(points, centres_t, out, job["blockRows"])
            times_ms = []
            while len(times_ms) < policy["maxRepetitions"] and (
                len(times_ms) < policy["minRepetitions"] or sum(times_ms) < policy["budgetMs"]
            ):
                start = time.perf_counter()
                product(points, centres_t, out, job["blockRows"])
                times_ms.append((time.perf_counter() - start) * 1000)
            rows.append({"d": d, "n": n, "k": k, "timesMs": times_ms})
        blas = blas_description()

    print(json.dumps({
        "rows": rows,
        "numpy": np.__version__,
        "blas": blas,
        "cpuMs": cpu_ms(),
    }))


if __name__ == "__main__":
    main()
