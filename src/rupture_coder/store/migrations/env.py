"""Alembic environment: runs on the connection the app passes in (see store.db.upgrade)."""

from alembic import context
from sqlalchemy import create_engine

from rupture_coder.store.models import Base

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:
    context.configure(
        connection=conn,
        target_metadata=Base.metadata,
        render_as_batch=conn.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # `alembic` command line for developers: -x url=sqlite:///path
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///dev.sqlite3")
    with create_engine(url).connect() as conn:
        _run(conn)
