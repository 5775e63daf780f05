"""Celery side of the peers benchmark.

Imported by the worker (`celery -A celery_bench worker ...`) for the `noop`
task, and run as a driver (`python celery_bench.py`) that reads one command per
line on stdin, `<shape> <jobs>`, submits that many jobs at once, waits for
every result, and prints the wall milliseconds as a JSON line.
"""
import json
import os
import sys
import time

from celery import Celery, chain, chord

REDIS = os.environ["WEFT_BENCH_REDIS"]
app = Celery("weft_bench", broker=f"{REDIS}/1", backend=f"{REDIS}/2")
app.conf.update(task_default_queue="weft-bench", broker_connection_retry_on_startup=True)


@app.task(name="noop")
def noop():
    return None


def submit(shape):
    if shape == "single":
        return noop.delay()
    if shape == "chain":
        # Immutable signatures: no-op nodes pass nothing on, as in the other systems.
        return chain(*[noop.si() for _ in range(10)]).apply_async()
    return chord([noop.si() for _ in range(8)])(noop.si())


def drive():
    for line in sys.stdin:
        shape, jobs = line.split()
        t0 = time.perf_counter()
        results = [submit(shape) for _ in range(int(jobs))]
        for r in results:
            r.get(timeout=600)
        print(json.dumps({"ms": (time.perf_counter() - t0) * 1000}), flush=True)


if __name__ == "__main__":
    drive()
