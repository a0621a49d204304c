"""Alembic environment: always driven from counter_app.db.schema with a live connection."""

from alembic import context

from counter_app.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the CLI always passes one
    raise RuntimeError("run migrations through `counter-app init-db`, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
