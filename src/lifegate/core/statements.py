"""INSERT and UPDATE of one model instance with statements made once per model.

`Model.save()` compiles its INSERT or UPDATE again at every call; on the paths that write a
row or two per request (a processing record for every read of personal data, an evidence
request between nodes) that compilation takes about as long as the database takes to run the
statement. These functions write the same columns with the same values — each prepared by its
field as `save()` prepares it, `auto_now` and `auto_now_add` included — but skip the
compilation and the `pre_save`/`post_save` signals: use them only for models that have no
signal receivers (the catalogue's models have some; see `catalogue.signals`)."""

from functools import lru_cache
from typing import Any

from django.db import connection, models

Fields = tuple[models.Field[Any, Any], ...]


def insert(instance: models.Model) -> None:
    """INSERT `instance` as a new row, as `instance.save()` would; afterwards the instance is
    saved (its primary key set, no longer "adding")."""
    model = type(instance)
    fields, sql, returns_key = _insert_statement(model, connection.vendor)
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if returns_key:
            instance.pk = cursor.fetchone()[0]
    _saved(instance)


def update(instance: models.Model, field_names: tuple[str, ...]) -> int:
    """UPDATE the row of `instance` with the values of `field_names`, as
    `instance.save(update_fields=field_names)` would (an `auto_now` field among them is set
    to now); the number of rows updated (0 when the row is gone)."""
    model = type(instance)
    fields, sql = _update_statement(model, field_names, connection.vendor)
    values = [
        field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields
    ]
    values.append(model._meta.pk.get_db_prep_value(instance.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        updated: int = cursor.rowcount
    return updated


def _saved(instance: models.Model) -> None:
    instance._state.adding = False
    instance._state.db = connection.alias


@lru_cache(maxsize=64)
def _insert_statement(model: type[models.Model], vendor: str) -> tuple[Fields, str, bool]:
    """The fields an INSERT sets, the statement, and whether it returns the key (an
    auto-incremented key is left to the database; a key with a default, like a UUID, is set).
    Per vendor: a process normally talks to one database."""
    key = model._meta.pk
    assert key is not None
    generated = isinstance(key, models.AutoField)
    fields = tuple(
        field for field in model._meta.concrete_fields if not (generated and field is key)
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    if generated:
        sql += f" RETURNING {quote(str(key.column))}"
    return fields, sql, generated


@lru_cache(maxsize=64)
def _update_statement(
    model: type[models.Model], field_names: tuple[str, ...], vendor: str
) -> tuple[Fields, str]:
    fields = tuple(model._meta.get_field(name) for name in field_names)
    concrete = tuple(field for field in fields if isinstance(field, models.Field))
    if len(concrete) != len(fields) or not concrete:
        raise ValueError(f"not concrete fields of {model.__name__}: {field_names}")
    key = model._meta.pk
    assert key is not None
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in concrete)
    table = quote(model._meta.db_table)
    sql = f"UPDATE {table} SET {assignments} WHERE {quote(str(key.column))} = %s"  # noqa: S608
    return concrete, sql
