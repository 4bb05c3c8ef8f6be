"""Alembic environment for citeaudit's store (SQLite, or PostgreSQL: the revisions branch on
``op.get_bind().dialect.name`` where the SQL differs).

Two ways in:
- programmatic (citeaudit.store.db.upgrade): the caller passes an open connection,
  already inside a transaction, as ``config.attributes["connection"]``;
- the ``alembic`` command line: the database comes from ``sqlalchemy.url`` in
  alembic.ini, opened with the store's pragmas and foreign keys off, as
  migrations may rebuild tables (a PostgreSQL URL is opened as it is).

``render_as_batch=True`` because SQLite can only alter tables by copying them.
"""

from logging.config import fileConfig

from alembic import context

from citeaudit.store.db import create_server_engine, create_sqlite_engine, immediate, target_of
from citeaudit.store.tables import include_object, metadata

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=metadata,
        render_as_batch=True,
        transactional_ddl=True,  # the store's engines emit a real BEGIN, so DDL is transactional
        include_object=include_object,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Emit the migration SQL for ``alembic upgrade --sql`` without a database."""
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate the passed connection, or the database named by sqlalchemy.url."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    target = target_of(config.get_main_option("sqlalchemy.url"))
    if target.dialect == "sqlite":
        engine = create_sqlite_engine(target.url, foreign_keys=False)
        opened = immediate(engine)
    else:
        engine = opened = create_server_engine(target)
    try:
        with opened.connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
