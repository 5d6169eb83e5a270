"""Querysets compiled once per process, for the reads that every page makes.

Django compiles a queryset to SQL each time it is evaluated. On the reads of every
logged-in request (the session's user, a learner's progress rows) compiling costs several
times more than running the query: a ``PreparedQuery`` compiles it once per database and
runs that SQL again with each request's ids, building the same model instances (with
what ``select_related`` joins, and the fields a ``defer``/``only`` leaves out deferred),
or the same tuples for ``values_list``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.fetch_modes import FETCH_ONE
from django.db.models.query import ValuesListIterable, get_related_populators

# Stand-ins for the ids while the query compiles, found again among its parameters:
# below any id a database hands out, yet within a 32-bit integer column's range, outside
# which Django compiles a lookup to "no rows" without a parameter. A string's stand-in
# starts with a NUL character, which no constant of a query holds.
_MARKER_BASE = -2_000_000_000


# A list of more ids than this is run as a queryset: each length is compiled apart.
MAX_PREPARED_IDS = 8


class PreparedQuery:
    """``build(**ids)`` (a queryset filtered on integer ids, nothing prefetched), compiled
    once, then run by calling the prepared query with the ids. The names in ``many`` take
    a list of ids (``pk__in``), compiled once per number of ids up to
    ``MAX_PREPARED_IDS``; an empty list, or a longer one, runs the queryset itself. The
    names in ``texts`` take a string compared as it is (``session_key=…``)."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *names: str,
        many: tuple[str, ...] = (),
        texts: tuple[str, ...] = (),
    ):
        self.build, self.names = build, names
        self.many, self.texts = frozenset(many), frozenset(texts)
        self._model = None
        self._compiled: dict[tuple, tuple] = {}

    def __call__(self, **ids) -> list:
        return self._run(ids, self._statement(ids))

    def _run(self, ids: dict, statement: tuple | None) -> list:
        if statement is None:
            return list(self.build(**ids))
        alias, sql, params, _ = statement
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return self._finish(statement, cursor.fetchall())

    def _statement(self, ids: dict) -> tuple | None:
        """The SQL to run for ``ids`` with its parameters, or None to run the queryset."""
        lengths = tuple(len(ids[name]) if name in self.many else 0 for name in self.names)
        if any(
            not 0 < length <= MAX_PREPARED_IDS
            for name, length in zip(self.names, lengths, strict=True)
            if name in self.many
        ):
            return None
        if self._model is None:
            self._model = self.build(**ids).model
        alias = router.db_for_read(self._model)
        compiled = self._compiled.get((alias, lengths)) or self._compile(alias, lengths)
        sql, params, slots, _, _ = compiled
        params = list(params)
        for position, name, index in slots:
            params[position] = ids[name][index] if name in self.many else ids[name]
        return alias, sql, params, compiled

    @staticmethod
    def _finish(statement: tuple, rows: list) -> list:
        alias, _, _, (_, _, _, converters, make_rows) = statement
        if converters:
            rows = [_converted(row, converters, connections[alias]) for row in rows]
        return make_rows(rows, alias)

    def _compile(self, alias: str, lengths: tuple) -> tuple:
        markers, where = {}, {}
        counter = iter(range(_MARKER_BASE, _MARKER_BASE - 10_000, -1))
        for name, length in zip(self.names, lengths, strict=True):
            if name in self.many:
                markers[name] = [next(counter) for _ in range(length)]
                where.update((marker, (name, index)) for index, marker in enumerate(markers[name]))
            else:
                marker = next(counter)
                markers[name] = f"\x00prepared{marker}" if name in self.texts else marker
                where[markers[name]] = (name, 0)
        queryset = self.build(**markers)
        if queryset._prefetch_related_lookups:
            raise ValueError("A prepared query prefetches nothing.")
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        slots = [
            (position, *where[param])
            for position, param in enumerate(params)
            if isinstance(param, int | str) and param in where
        ]
        if {(name, index) for _, name, index in slots} != set(where.values()):
            raise ValueError("Each id must be a parameter of the prepared query.")
        select = compiler.select
        converters = list(compiler.get_converters([column for column, _, _ in select]).items())
        if issubclass(queryset._iterable_class, ValuesListIterable):
            make_rows = _tuples
        else:
            make_rows = _instances(
                queryset.model, compiler.klass_info, select, compiler.annotation_col_map, alias
            )
        self._compiled[alias, lengths] = (sql, params, slots, converters, make_rows)
        return self._compiled[alias, lengths]


@dataclass(frozen=True)
class Read:
    """A prepared query, the ids to run it with (``run_together``), and what makes its
    result of the rows (``finish``: the rows as they are when None)."""

    query: PreparedQuery
    ids: dict
    finish: Callable[[list], object] | None = None

    def run(self, statement: tuple | None = None):
        """The read's result, run with ``statement`` when it was made already."""
        if statement is None:
            statement = self.query._statement(self.ids)
        return self.finished(self.query._run(self.ids, statement))

    def finished(self, rows: list):
        return rows if self.finish is None else self.finish(rows)


def run_together(*reads: Read) -> list:
    """What each read returns, in order. On PostgreSQL they go to the server in one round
    trip (psycopg's pipeline mode) instead of one each: on a page that makes several
    reads which do not depend on each other, the waits for the server were most of their
    cost. Each statement still goes through Django's cursor, and counts as a query."""
    statements = [read.query._statement(read.ids) for read in reads]
    aliases = {statement[0] for statement in statements if statement is not None}
    connection = connections[aliases.pop()] if len(aliases) == 1 else None
    if connection is None or connection.vendor != "postgresql" or None in statements:
        return [read.run(statement) for read, statement in zip(reads, statements, strict=True)]
    connection.ensure_connection()
    cursors = []
    try:
        with connection.wrap_database_errors, connection.connection.pipeline():
            for _, sql, params, _ in statements:
                cursors.append(connection.cursor())
                cursors[-1].execute(sql, params)
            fetched = [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()
    return [
        read.finished(PreparedQuery._finish(statement, rows))
        for read, statement, rows in zip(reads, statements, fetched, strict=True)
    ]


def _converted(row, converters, connection) -> list:
    row = list(row)
    for position, (column_converters, column) in converters:
        for converter in column_converters:
            row[position] = converter(row[position], column, connection)
    return row


def _tuples(rows, alias) -> list[tuple]:
    return [tuple(row) for row in rows]


def _instances(model, klass_info, select, annotations, alias):
    """How ``ModelIterable`` builds a row's instance, its annotations and what
    ``select_related`` joins."""
    annotations = list(annotations.items())
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
            for name, position in annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances

    return make
