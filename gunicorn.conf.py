"""gunicorn settings for OrderBridge (see docs/deploy.md).

    gunicorn -c gunicorn.conf.py 'core:create_app()'

Every value can be changed through the environment without editing this file.
Workers are separate processes: everything shared between them (plugin switches,
options) lives in the database, the job queue and the rate-limit counters in Redis.
"""

import multiprocessing
import os

# One sync worker per core (plus one, the usual rule for I/O waits), never fewer than two.
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count() + 1)))
bind = os.environ.get("ORDERBRIDGE_BIND", "127.0.0.1:8000")  # behind the HTTPS proxy / load balancer
worker_class = "sync"
timeout = int(os.environ.get("ORDERBRIDGE_WORKER_TIMEOUT", "60"))  # a long CSV import or batch run
graceful_timeout = 30
keepalive = 5
# Restart workers now and then so a slow leak never grows without bound; jitter spreads the restarts.
max_requests = int(os.environ.get("ORDERBRIDGE_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Each worker builds its own app and database pool after the fork (no connection is shared).
preload_app = False
# The proxy in front sets X-Forwarded-*; trust it only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("ORDERBRIDGE_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("ORDERBRIDGE_LOG_LEVEL", "info")
