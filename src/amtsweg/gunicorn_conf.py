"""gunicorn settings of a web host (`gunicorn amtsweg.wsgi:application --config python:amtsweg.gunicorn_conf`).

Only what every web host of a cluster needs the same way; the address and the number of processes are the
host's own (`--bind`, `--workers` or gunicorn's `WEB_CONCURRENCY`), so they stay on the command line.

Why these values:
- gthread workers: a request mostly waits for PostgreSQL, Redis and the intake's encryption releases the
  GIL in OpenSSL, so a few threads per process use a core better than one request per process, without the
  monkey-patching of gevent (psycopg and httpx would need it too).
- No `preload_app`: each worker imports Django itself, so no database or Redis connection made while loading
  (the system checks in `amtsweg.wsgi`) can be shared by forked processes.
- `keepalive` 5 s: the load balancer reuses its connections to a web host between requests (gthread parks
  an idle connection without holding a thread), and a connection idle longer is closed.
- `graceful_timeout` gives requests in flight time to finish on SIGTERM (a rolling restart), shorter than
  the usual 30 s stop timeout of systemd or Kubernetes, so no request is cut by the SIGKILL that follows.
- `max_requests` with jitter recycles workers now and then, so a slow leak never takes all workers of all
  hosts down at the same moment.
"""

worker_class = "gthread"
threads = 4
timeout = 60
graceful_timeout = 25
keepalive = 5
max_requests = 20000
max_requests_jitter = 2000
# Logs: errors as lines on stderr (the platform's own JSON logs come through Django's logging); no access
# log, the load balancer has one and request counts are metrics.
accesslog = None
errorlog = "-"
loglevel = "warning"


# --- prometheus_client's multiprocess mode (`/metrics`, amtsweg.core.metrics) ------------------------------
# With PROMETHEUS_MULTIPROC_DIR set, every worker process writes its counters into that folder and /metrics
# adds them up for the host. The master empties it when it starts, so a scrape never adds counters of an
# earlier run's processes; files of workers that ended in this run stay (their counts are part of the totals).


def _multiprocess_dir():
    from amtsweg.environment import read  # the declared variable, as settings read it (Django is not set up here)

    return read().PROMETHEUS_MULTIPROC_DIR


def on_starting(server) -> None:
    folder = _multiprocess_dir()
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
        for item in folder.glob("*.db"):
            item.unlink()


def child_exit(server, worker) -> None:
    if _multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
