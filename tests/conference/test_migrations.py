"""Migrations build the schema from empty on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from conference.extensions import db
from tests.support.apps import make_app


def _migrated_app(url: str):
    app = make_app(url)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    return app


def _assert_schema_matches(app) -> None:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


def test_migrations_from_empty_on_sqlite(tmp_path):
    app = _migrated_app(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    _assert_schema_matches(app)
    result = app.test_cli_runner().invoke(args=["init-db", "--demo"])
    assert result.exit_code == 0, result.output
    assert "Loaded Sociaalwerkconferentie 2022" in result.output
    again = app.test_cli_runner().invoke(args=["init-db", "--demo"])
    assert again.exit_code == 0 and "already loaded" in again.output


@pytest.mark.postgres
def test_migrations_from_empty_on_postgresql(pg_database):
    engine = sa.create_engine(pg_database)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    app = _migrated_app(pg_database)
    _assert_schema_matches(app)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()
