from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

from config.replicas import report_replicas

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# A replica that does not answer is reported now, not at the first reader's request.
report_replicas()

# What start-up loaded (Django, the apps, their modules) lives as long as the worker: out of the
# garbage collector's generations, a full collection stops walking it again and again (tens of
# milliseconds, landing on whichever request allocates at that moment).
gc.freeze()
