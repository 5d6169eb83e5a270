"""Every write, one module per domain: ``<entity>_<verb>(*, ...)``, each one transaction
that locks what it changes, bumps the page versions it affects (tracker.caching) and
enqueues its side effects. Views, the admin and commands call these, never ``save()``."""
