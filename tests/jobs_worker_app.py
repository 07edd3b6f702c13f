"""The portal as a worker process sees it, plus a slow and a quick job kind, for the test that kills
a real worker in the middle of a job (`flask --app tests.jobs_worker_app jobs worker`)."""
import time

from portal import create_app
from portal.jobs import services


def _slow(job, progress):
    for step in range(60):
        progress(step, 60)
        time.sleep(0.1)
    return b"selesai", "lambat.txt"


def _quick(job, progress):
    return b"cepat", "cepat.txt"


services.register("lambat", _slow)
services.register("cepat", _quick)
app = create_app()
