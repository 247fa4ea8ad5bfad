"""gunicorn's settings, for `make serve`, the benchmarks and the reliability runs alike.

    gunicorn -c config/gunicorn.conf.py config.wsgi:application --bind HOST:PORT --workers N

The application is loaded once in the master and the workers are forked from it, so what it
loads at start-up (Django, the search analysis's dictionaries: config/wsgi.py) is shared by every
worker, counted once in the machine's memory.
"""

preload_app = True


def pre_fork(server: object, worker: object) -> None:
    """No database connection the master opened at start-up goes on into a worker: each opens
    its own (two processes on one connection would mix their answers)."""
    from django.db import connections

    connections.close_all()
