"""INSERTs of many rows straight through the DBAPI driver, for the ingest's hot path.

SQLAlchemy's Core executemany builds every row's parameters through the compiled
statement (key lookups and type processing value by value). For the twenty-odd factor
readings of an article that cost more than the database's own work. Here each column's
bind processor is looked up once per dialect, values that repeat down a column (a
signal's publication time is copied to each of its readings) are processed once, and
the rows reach ``cursor.executemany`` as plain tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, DateTime, Table
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any]
# Positional placeholder of each DBAPI paramstyle that has one.
PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": ":{n}"}


class BulkInsert:
    """A reusable multi-row INSERT of ``columns`` into ``table``.

    Parameters
    ----------
    table : Table
        The Core table.
    columns : sequence of str
        Column names, in the order the rows give their values.
    """

    def __init__(self, table: Table, columns: Sequence[str]) -> None:
        self.table = table
        self.columns = tuple(columns)
        self._prepared: dict[str, tuple[str, list[tuple[int, Processor, bool]]]] = {}

    def execute(self, connection: Connection, rows: Iterable[Sequence[Any]]) -> None:
        """Insert ``rows`` (sequences of values in column order) in one executemany."""
        sql, processors = self._prepare(connection)
        batch = list(rows)
        if not batch:
            return
        if processors:
            # Column by column: one C-level pass per processed column instead of a Python
            # loop over every value of every row.
            columns: list[Sequence[Any]] = list(zip(*batch, strict=True))
            for position, processor, memoise in processors:
                columns[position] = _apply(processor, columns[position], memoise)
            batch = list(zip(*columns, strict=True))
        connection.exec_driver_sql(sql, batch)

    def _prepare(self, connection: Connection) -> tuple[str, list[tuple[int, Processor, bool]]]:
        dialect = connection.dialect
        prepared = self._prepared.get(dialect.name)
        if prepared is None:
            prepared = (self._sql(dialect.paramstyle, dialect), self._processors(dialect))
            self._prepared[dialect.name] = prepared
        return prepared

    def _sql(self, paramstyle: str, dialect: Any) -> str:
        placeholder = PLACEHOLDERS.get(paramstyle)
        if placeholder is None:
            raise ValueError(f"driver paramstyle {paramstyle!r} has no positional form")
        quote = dialect.identifier_preparer.quote
        values = ", ".join(placeholder.format(n=n) for n in range(1, len(self.columns) + 1))
        names = ", ".join(quote(name) for name in self.columns)
        return f"INSERT INTO {quote(self.table.name)} ({names}) VALUES ({values})"

    def _processors(self, dialect: Any) -> list[tuple[int, Processor, bool]]:
        """(position, bind processor, whether values repeat and can be memoised)."""
        found: list[tuple[int, Processor, bool]] = []
        for position, name in enumerate(self.columns):
            column_type = self.table.c[name].type
            processor = column_type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                found.append((position, processor, _holds_datetimes(column_type)))
        return found


def _holds_datetimes(column_type: TypeEngine[Any]) -> bool:
    """Whether a column stores datetimes, directly or through a TypeDecorator."""
    underlying = getattr(column_type, "impl_instance", column_type)
    return isinstance(underlying, DateTime)


def _apply(processor: Processor, values: Sequence[Any], memoise: bool) -> Sequence[Any]:
    if not memoise:
        return list(map(processor, values))
    processed = {value: processor(value) for value in set(values)}
    return [processed[value] for value in values]
