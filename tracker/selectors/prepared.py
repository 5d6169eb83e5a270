"""Querysets compiled once per process, for the reads that every page makes.

Django compiles a queryset to SQL each time it is evaluated. On the reads of every
logged-in request (the session's user, a learner's progress rows) compiling costs several
times more than running the query: a ``PreparedQuery`` compiles it once per database and
runs that SQL again with each request's ids, building the same model instances (with
what ``select_related`` joins, and the fields a ``defer``/``only`` leaves out deferred),
or the same tuples for ``values_list``.
"""

from collections.abc import Callable

from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.fetch_modes import FETCH_ONE
from django.db.models.query import ValuesListIterable, get_related_populators

# Stand-ins for the ids while the query compiles, found again among its parameters:
# below any id a database hands out, yet within a 32-bit integer column's range, outside
# which Django compiles a lookup to "no rows" without a parameter.
_MARKER_BASE = -2_000_000_000


class PreparedQuery:
    """``build(**ids)`` (a queryset filtered on integer ids, nothing prefetched), compiled
    once, then run by calling the prepared query with the ids. The names in ``many`` take
    a list of ids (``pk__in``): with exactly one, as after one person's write, the
    prepared SQL runs; with any other number, the queryset itself."""

    def __init__(self, build: Callable[..., QuerySet], *names: str, many: tuple[str, ...] = ()):
        self.build, self.names, self.many = build, names, frozenset(many)
        self._model = None
        self._compiled: dict[str, tuple] = {}

    def __call__(self, **ids) -> list:
        values = {}
        for name, given in ids.items():
            if name in self.many:
                if len(given) != 1:
                    return list(self.build(**ids))
                (values[name],) = given
            else:
                values[name] = given
        if self._model is None:
            self._model = self.build(**self._markers()).model
        alias = router.db_for_read(self._model)
        compiled = self._compiled.get(alias) or self._compile(alias)
        sql, params, slots, converters, make_rows = compiled
        params = list(params)
        for position, name in slots:
            params[position] = values[name]
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [_converted(row, converters, connection) for row in rows]
        return make_rows(rows, alias)

    def _markers(self) -> dict:
        return {
            name: [_MARKER_BASE - index] if name in self.many else _MARKER_BASE - index
            for index, name in enumerate(self.names)
        }

    def _compile(self, alias: str) -> tuple:
        queryset = self.build(**self._markers())
        markers = {name: _MARKER_BASE - index for index, name in enumerate(self.names)}
        if queryset._prefetch_related_lookups:
            raise ValueError("A prepared query prefetches nothing.")
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        slots = [
            (position, name)
            for position, param in enumerate(params)
            for name, marker in markers.items()
            if param == marker
        ]
        if sorted(name for _, name in slots) != sorted(self.names):
            raise ValueError("Each id must be one parameter of the prepared query.")
        select = compiler.select
        converters = list(compiler.get_converters([column for column, _, _ in select]).items())
        if issubclass(queryset._iterable_class, ValuesListIterable):
            make_rows = _tuples
        else:
            make_rows = _instances(queryset.model, compiler.klass_info, select, alias)
        self._compiled[alias] = (sql, params, slots, converters, make_rows)
        return self._compiled[alias]


def _converted(row, converters, connection) -> list:
    row = list(row)
    for position, (column_converters, column) in converters:
        for converter in column_converters:
            row[position] = converter(row[position], column, connection)
    return row


def _tuples(rows, alias) -> list[tuple]:
    return [tuple(row) for row in rows]


def _instances(model, klass_info, select, alias):
    """How ``ModelIterable`` builds a row's instance and what ``select_related`` joins."""
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    names = [column.target.attname for column, _, _ in select[start:end]]
    populators = get_related_populators(klass_info, select, alias, FETCH_ONE)

    def make(rows, alias) -> list:
        instances = []
        for row in rows:
            instance = model.from_db(alias, names, row[start:end], fetch_mode=FETCH_ONE)
            for populator in populators:
                populator.populate(row, instance)
            instances.append(instance)
        return instances

    return make
