"""The one way the project talks to Neo4j: a thin wrapper over the async driver.

Every statement runs through :meth:`Graph.read` or :meth:`Graph.write`, which say their
routing explicitly, put a timeout on reads, and turn "Neo4j is unreachable" into
:class:`DatabaseUnavailable` so the API can answer 503 instead of 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, LiteralString, TypeVar

from neo4j import (
    READ_ACCESS,
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    Query,
    Record,
    RoutingControl,
)
from neo4j.exceptions import ClientError, ServiceUnavailable, SessionExpired, TransientError

from models.errors import DatabaseUnavailable, QueryTimeout

T = TypeVar("T")

_UNAVAILABLE = (ServiceUnavailable, SessionExpired, TransientError, ConnectionError, OSError)
_TIMED_OUT = "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"


def open_driver(
    uri: str, user: str, password: str, max_pool_size: int = 50, retry_time_s: float = 2.0
) -> AsyncDriver:
    """Create the application's one async driver (the lifespan owns and closes it).

    Transient failures are retried for ``retry_time_s`` only: during an outage a request
    should get a quick 503, not hang for the driver's default 30 s.
    """
    return AsyncGraphDatabase.driver(
        uri,
        auth=(user, password),
        max_connection_pool_size=max_pool_size,
        connection_acquisition_timeout=5.0,
        connection_timeout=3.0,
        max_transaction_retry_time=retry_time_s,
        # Server notifications (e.g. "property does not exist" for an absent optional
        # property) are noise on every request; errors still raise.
        notifications_min_severity="OFF",
    )


class Graph:
    """A driver plus the database name and the read timeout every repository shares."""

    def __init__(self, driver: AsyncDriver, database: str, read_timeout_s: float = 10.0) -> None:
        self.driver = driver
        self.database = database
        self.read_timeout_s = read_timeout_s

    async def read(self, cypher: LiteralString, **params: Any) -> list[Record]:
        """Run a read-only statement (routed to a reader in a cluster) with a timeout.

        The query is shielded from cancellation: when a request is cancelled (a client gone,
        a sibling field failed), the bounded query still finishes and its connection goes
        back to the pool clean, instead of being abandoned mid-stream by the driver.
        """
        try:
            return await asyncio.shield(
                self._read_autocommit(Query(cypher, timeout=self.read_timeout_s), params)
            )
        except _UNAVAILABLE as error:
            raise DatabaseUnavailable("the graph database is unavailable; retry shortly") from error
        except ClientError as error:
            if error.code != _TIMED_OUT:
                raise
            raise QueryTimeout(
                f"the query ran past the {self.read_timeout_s:g} s limit; ask for less "
                "(fewer items, a smaller depth or a narrower filter)"
            ) from error

    async def _read_autocommit(self, query: Query, params: dict[str, Any]) -> list[Record]:
        # A read is safe to repeat: one retry covers a pooled connection that died (e.g. after
        # a Neo4j restart); a second failure means Neo4j is down.
        try:
            return await self._read_once(query, params)
        except (ServiceUnavailable, SessionExpired):
            return await self._read_once(query, params)

    async def _read_once(self, query: Query, params: dict[str, Any]) -> list[Record]:
        # An auto-commit read needs half the messages of a managed transaction (no BEGIN and
        # COMMIT), which is most of the cost of the small lookups the API makes. It shares
        # execute_query's bookmarks, so it still sees every write made through this driver.
        async with self.driver.session(
            database=self.database,
            default_access_mode=READ_ACCESS,
            bookmark_manager=self.driver.execute_query_bookmark_manager,
        ) as session:
            result = await session.run(query, params)
            return list((await result.to_eager_result()).records)

    async def write(self, cypher: LiteralString, **params: Any) -> list[Record]:
        """Run one write statement in its own transaction (retried on transient errors).

        Shielded like :meth:`read`: a cancelled caller does not cut a write off half-sent.
        """
        try:
            result = await asyncio.shield(
                self.driver.execute_query(
                    cypher, params, routing_=RoutingControl.WRITE, database_=self.database
                )
            )
        except _UNAVAILABLE as error:
            raise DatabaseUnavailable("the graph database is unavailable; retry shortly") from error
        return list(result.records)

    async def write_autocommit(self, cypher: LiteralString, **params: Any) -> None:
        """Run a statement in an implicit transaction (needed by ``CALL {...} IN TRANSACTIONS``)."""
        try:
            async with self.driver.session(database=self.database) as session:
                result = await session.run(cypher, params)
                await result.consume()
        except _UNAVAILABLE as error:
            raise DatabaseUnavailable("the graph database is unavailable; retry shortly") from error

    async def write_transaction(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run several statements in one transaction: all of them land, or none."""
        try:
            async with self.driver.session(database=self.database) as session:
                return await session.execute_write(work)
        except _UNAVAILABLE as error:
            raise DatabaseUnavailable("the graph database is unavailable; retry shortly") from error

    async def ping(self) -> bool:
        """True when Neo4j answers a trivial query."""
        try:
            await self.driver.execute_query(
                "RETURN 1", routing_=RoutingControl.READ, database_=self.database
            )
        except Exception:  # any failure means "not ready"; /readyz reports it
            return False
        return True


def rows(records: list[Record]) -> list[Mapping[str, Any]]:
    """Records as plain mappings (for code that should not depend on the driver's types)."""
    return [record.data() for record in records]


@asynccontextmanager
async def connected_graph(
    uri: str, user: str, password: str, database: str, read_timeout_s: float = 10.0
) -> AsyncIterator[Graph]:
    """Open a driver for a command-line task and close it afterwards."""
    driver = open_driver(uri, user, password)
    try:
        yield Graph(driver, database, read_timeout_s)
    finally:
        await driver.close()
