"""Authentication that loads what every logged-in page reads in the same query."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router
from django.db.models.fetch_modes import FETCH_ONE
from django.db.models.query import get_related_populators


class ProfileModelBackend(ModelBackend):
    """Django's username and password backend, whose session user comes with their profile
    and its chosen guide: one join instead of two more queries on every page."""

    def get_user(self, user_id):
        user = session_user_get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def session_user_get(user_id):
    """The user with their profile and its chosen guide, as
    ``select_related("profile__current_guide").filter(pk=user_id).first()`` returns them,
    or None: with the query compiled once per process, since every logged-in request
    runs it and compiling it costs several times more than running it."""
    user_model = get_user_model()
    try:
        user_id = user_model._meta.pk.to_python(user_id)
    except Exception:  # a session from another user model or a tampered one: no user
        return None
    alias = router.db_for_read(user_model)
    sql, converters, user_columns, populators = _session_user_query(alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for position, (column_converters, column) in converters:
        for converter in column_converters:
            row[position] = converter(row[position], column, connection)
    start, end, names = user_columns
    user = user_model.from_db(alias, names, row[start:end], fetch_mode=FETCH_ONE)
    for populator in populators:
        populator.populate(row, user)
    return user


@functools.cache
def _session_user_query(alias: str):
    """What ``session_user_get`` needs of Django's own compilation of the query: its SQL,
    the converters of its columns, and how to build the user and related rows of a row
    (as ``ModelIterable`` does)."""
    queryset = get_user_model()._default_manager.select_related("profile__current_guide")
    compiler = queryset.filter(pk=0).query.get_compiler(alias)
    sql, params = compiler.as_sql()
    if len(params) != 1:
        raise RuntimeError("The session user's query should take the user's id alone.")
    select, klass_info = compiler.select, compiler.klass_info
    converters = list(compiler.get_converters([column for column, _, _ in select]).items())
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    names = [column.target.attname for column, _, _ in select[start:end]]
    populators = get_related_populators(klass_info, select, alias, FETCH_ONE)
    return sql, converters, (start, end, names), populators
