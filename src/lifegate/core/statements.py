"""INSERT, UPDATE and SELECT of one model instance with statements made once per model.

`Model.save()` compiles its INSERT or UPDATE again at every call; on the paths that write a
row or two per request (a processing record for every read of personal data, an evidence
request between nodes) that compilation takes about as long as the database takes to run the
statement. These functions write the same columns with the same values — each prepared by its
field as `save()` prepares it, `auto_now` and `auto_now_add` included — but skip the
compilation and the `pre_save`/`post_save` signals: use them only for models that have no
signal receivers (the catalogue's models have some; see `catalogue.signals`). `first` reads
one row by equal columns, its values converted as the ORM converts them."""

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


def first[M: models.Model](model: type[M], **equal: Any) -> M | None:
    """The first row (in no particular order) whose columns equal `equal`, as the ORM's
    `model.objects.filter(**equal).first()` would give it but unordered; None when there is
    none. Meant for lookups by a unique key."""
    names = tuple(sorted(equal))
    fields, key_fields, sql, converters = _select_statement(model, names, connection.vendor)
    params = [
        field.get_db_prep_value(equal[name], connection)
        for name, field in zip(names, key_fields, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, column, field_converters in converters:
        for convert in field_converters:
            values[index] = convert(values[index], column, connection)
    return model.from_db(connection.alias, [field.attname for field in fields], values)


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


@lru_cache(maxsize=64)
def _select_statement(
    model: type[models.Model], names: tuple[str, ...], vendor: str
) -> tuple[Fields, Fields, str, tuple[tuple[int, Any, tuple[Any, ...]], ...]]:
    """The columns read, the fields compared, the SELECT, and per column the converters the
    ORM applies to its value (the database backend's, then the field's)."""
    fields = tuple(model._meta.concrete_fields)
    key_fields = tuple(model._meta.get_field(name) for name in names)
    concrete_keys = tuple(field for field in key_fields if isinstance(field, models.Field))
    if len(concrete_keys) != len(key_fields) or not concrete_keys:
        raise ValueError(f"not concrete fields of {model.__name__}: {names}")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    condition = " AND ".join(f"{quote(str(field.column))} = %s" for field in concrete_keys)
    table = quote(model._meta.db_table)
    sql = f"SELECT {columns} FROM {table} WHERE {condition} LIMIT 1"  # noqa: S608
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((index, column, tuple(found)))
    return fields, concrete_keys, sql, tuple(converters)
