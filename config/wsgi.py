from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.db import connections

from config.replicas import report_replicas

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# A replica that does not answer is reported now, not at the first reader's request.
report_replicas()

# What the search analysis loads on first use (jieba's dictionary, MeCab, the language detector)
# is loaded now: under gunicorn's preload (config/gunicorn.conf.py) this runs once in the master,
# and every worker forked from it shares those pages instead of loading its own copy.
from archive.search.analysis import warm_up  # noqa: E402  (needs the apps loaded above)

warm_up()

# No connection opened at start-up may be inherited by the forked workers: each opens its own.
connections.close_all()

# What start-up loaded (Django, the apps, their modules) lives as long as the worker: out of the
# garbage collector's generations, a full collection stops walking it again and again (tens of
# milliseconds, landing on whichever request allocates at that moment), and the pages a worker
# shares with gunicorn's master are not written to by the collector.
gc.freeze()
