"""Stores under test: SQLite always; PostgreSQL when a server is reachable."""

from __future__ import annotations

import os
import uuid

import pytest

PG_URL = os.environ.get(
    "RELSCAN_TEST_POSTGRES_URL", "postgresql://relscan:relscan@127.0.0.1:5432/relscan_test"
)


def _postgres_reachable() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=2):
            return None
    except Exception as exc:  # any failure means: no server to test against
        detail = (str(exc).strip().splitlines() or [""])[0][:200]
        where = PG_URL.split("@")[-1]
        return f"no PostgreSQL server at {where} ({type(exc).__name__}: {detail})"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'history.db'}"
        return
    reason = _postgres_reachable()
    if reason and os.environ.get("RELSCAN_REQUIRE_POSTGRES"):
        pytest.fail(f"RELSCAN_REQUIRE_POSTGRES is set but there is {reason}")
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
