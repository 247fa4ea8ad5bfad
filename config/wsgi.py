from __future__ import annotations

import gc
import logging
import os

from django.core.wsgi import get_wsgi_application

from config.replicas import report_replicas

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# A replica that does not answer is reported now, not at the first reader's request.
report_replicas()

# What the first searches load (jieba's dictionary, MeCab, the language detector, the Whoosh
# index's columns) is loaded now: under gunicorn's preload (config/gunicorn.conf.py) this runs
# once in the master, and every worker forked from it shares those pages instead of reading its
# own copy. The index is closed again: each worker opens its own files.
from archive.search import analysis  # noqa: E402  (needs the apps loaded above)
from archive.search.backends import get_search_backend, reset_backends  # noqa: E402

analysis.warm_up()
try:
    get_search_backend().warm_up()
except Exception:  # a damaged index is the first search's error to report, not the server's
    logging.getLogger(__name__).exception("the search index could not be read ahead")
finally:
    reset_backends()

# What start-up loaded (Django, the apps, their modules) lives as long as the worker: out of the
# garbage collector's generations, a full collection stops walking it again and again (tens of
# milliseconds, landing on whichever request allocates at that moment), and the pages a worker
# shares with gunicorn's master are not written to by the collector.
gc.freeze()
