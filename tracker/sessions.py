"""Django's database sessions, read with one statement prepared once.

Without Redis (``careerpath.settings``), sessions live in the database alone and every
logged-in request reads its row first: compiling Django's query for it costs more than
running it. The row is read with the same statement in plain SQL; writes, expiry and
everything else are Django's own.
"""

import functools

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        session_key = self.session_key  # None unless a well-formed key
        if session_key is not None:
            alias = router.db_for_read(self.model)
            connection = connections[alias]
            sql, converters, column = _session_read(alias)
            with connection.cursor() as cursor:
                now = connection.ops.adapt_datetimefield_value(timezone.now())
                cursor.execute(sql, [session_key, now])
                row = cursor.fetchone()
            if row is not None:
                session_data, expire_date = row
                for converter in converters:
                    expire_date = converter(expire_date, column, connection)
                return self.model(
                    session_key=session_key, session_data=session_data, expire_date=expire_date
                )
        self._session_key = None
        return None


@functools.cache
def _session_read(alias: str) -> tuple:
    """The statement Django's ``Session.objects.get(session_key=…, expire_date__gt=…)``
    runs, and the converters of its ``expire_date`` column."""
    Session = db.SessionStore.get_model_class()
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = Session._meta.db_table
    sql = (
        f"SELECT {quote('session_data')}, {quote('expire_date')} FROM {quote(table)} "
        f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
    )
    column = Session._meta.get_field("expire_date").get_col(table)
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    return sql, converters, column
