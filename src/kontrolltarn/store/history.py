"""The hospital's past in the store: the operations and bookings the prediction models learn
from (``model.PastOperation``, ``model.PastBooking``).

Imports add the operations their files hold (FHIR ``Procedure`` resources, the native history)
in the import's own transaction; the service trains its models from what is stored, so an
imported hospital's board and planner learn from its own past and a restart needs no generator.
Records are append-only and idempotent by id: importing a file twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from kontrolltarn.model import PastBooking, PastOperation
from kontrolltarn.model.codec import from_jsonable, to_jsonable

from .tables import PastRecordRow

#: rows per INSERT (keeps each statement's parameters well under the databases' limits)
CHUNK = 2000
OPERATION, BOOKING = "operation", "booking"


class PastRecords:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, operations: Iterable[PastOperation] = (), bookings: Iterable[PastBooking] = (),
            conn: Connection | None = None) -> int:
        """Store the records not stored yet (by kind and id); returns how many were new. With
        ``conn`` it joins that transaction (an import stores everything or nothing)."""
        if conn is None:
            with self.engine.begin() as own:
                return self.add(operations, bookings, own)
        return self._add(conn, OPERATION, operations) + self._add(conn, BOOKING, bookings)

    def _add(self, conn: Connection, kind: str, records: Iterable[Any]) -> int:
        known = set(conn.execute(select(PastRecordRow.id).where(PastRecordRow.kind == kind))
                    .scalars())
        rows = []
        for record in records:
            if record.id not in known:
                known.add(record.id)
                rows.append({"kind": kind, "id": record.id, "day": record.date,
                             "payload": to_jsonable(record)})
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(PastRecordRow), rows[start:start + CHUNK])
        return len(rows)

    def operations(self) -> tuple[PastOperation, ...]:
        """Every stored operation, oldest first."""
        return tuple(from_jsonable(PastOperation, p, "past_operation")
                     for p in self._payloads(OPERATION))

    def bookings(self) -> tuple[PastBooking, ...]:
        """Every stored booking, oldest first."""
        return tuple(from_jsonable(PastBooking, p, "past_booking") for p in self._payloads(BOOKING))

    def count(self, kind: str = OPERATION) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(PastRecordRow)
                                    .where(PastRecordRow.kind == kind)).scalar_one())

    def _payloads(self, kind: str) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(PastRecordRow.payload)
                                     .where(PastRecordRow.kind == kind)
                                     .order_by(PastRecordRow.day, PastRecordRow.id)).scalars())
