"""Loads the catalogue data file (`settings.CATALOGUE_DATA_FILE`) into the database, and writes
the database back out in the same structure.

Loading checks the whole file first and writes nothing if anything is wrong. It then upserts
every row by slug (questions and form fields: by key within their row; broker and directory
rows: by the fields that identify them) in one transaction:
loading the same file twice changes nothing, rows that are no longer in the file are removed,
and relations are set exactly as the file says. The layout of the file is described in
`schema.py`, how its rows become model columns and back in `columns.py`."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import DatabaseError, transaction

from lifegate.catalogue.caching import start_new_revision
from lifegate.catalogue.columns import (
    KEYWORD_SEPARATOR,
    claim_entry,
    columns,
    is_empty,
    plain_value,
    step_columns,
    step_dependencies,
    step_entry,
)
from lifegate.catalogue.fields import (
    Children,
    Choices,
    Claims,
    Duration,
    Field,
    Keywords,
    Plain,
    Ref,
    Refs,
    Section,
    Steps,
    Text,
)
from lifegate.catalogue.languages import LANGUAGES, fill_languages
from lifegate.catalogue.models import EventService, PublicService
from lifegate.catalogue.schema import BY_KEY, SECTIONS, TOP_LEVEL
from lifegate.catalogue.validation import CatalogueError, collect_rows, validate_catalogue

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Loaded = dict[str, dict[Any, Any]]  # section key -> identity (slug) -> model instance

__all__ = ["CatalogueError", "LoadReport", "dump_catalogue", "export_catalogue", "load_catalogue"]


@dataclass
class SectionCounts:
    """What loading did to the rows of one section."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class LoadReport:
    """The outcome of loading a catalogue file: its version and the counts per section."""

    version: int
    sections: dict[str, SectionCounts] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Whether loading created, updated or removed anything."""
        return any(c.created or c.updated or c.deleted for c in self.sections.values())

    def summary(self) -> str:
        """One line per section, for the management command."""
        lines = [f"Catalogue version {self.version}:"]
        for key, c in self.sections.items():
            changes = f"{c.created} created, {c.updated} updated, {c.deleted} removed"
            lines.append(f"  {key}: {changes}, {c.unchanged} unchanged")
        return "\n".join(lines)


def catalogue_is_loaded() -> bool:
    """True when the database already holds a catalogue (loaded, or edited in the admin)."""
    return PublicService.objects.exists()


def read_catalogue_file(path: Path | str) -> Any:
    """The parsed YAML of a catalogue file; an unreadable file raises `CatalogueError`."""
    try:
        return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506 (safe loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CatalogueError([f"{path}: {error}"]) from error


def load_catalogue(path: Path | str | None = None) -> LoadReport:
    """Load the catalogue file at `path` (default `settings.CATALOGUE_DATA_FILE`) into the
    database. Raises `CatalogueError` listing every problem, writing nothing, if it is invalid."""
    return load_catalogue_data(read_catalogue_file(path or settings.CATALOGUE_DATA_FILE))


def load_catalogue_data(data: Any) -> LoadReport:
    """Load already parsed catalogue data; see `load_catalogue`."""
    problems = validate_catalogue(data)
    if problems:
        raise CatalogueError(problems)
    rows = collect_rows(fill_languages(data), [])
    report = LoadReport(
        version=data["version"], sections={s.key: SectionCounts() for s in SECTIONS}
    )
    try:
        with transaction.atomic():
            loaded: Loaded = {}
            unchanged: dict[str, set[Any]] = {}
            for section in SECTIONS:
                section_rows = [row for _, row in rows[section.key]]
                loaded[section.key], unchanged[section.key] = _upsert(
                    section, section_rows, loaded, report.sections[section.key]
                )
            services = [row for _, row in rows["services"]]
            waiting = _set_dependencies(services, loaded) & unchanged["services"]
            report.sections["services"].unchanged -= len(waiting)
            report.sections["services"].updated += len(waiting)
            for section in reversed(SECTIONS):
                report.sections[section.key].deleted = _remove_stale(section, loaded[section.key])
            start_new_revision()  # also covers bulk changes that send no model signals
    except DatabaseError as error:
        raise CatalogueError([f"the database refused the catalogue: {error}"]) from error
    return report


def _upsert(
    section: Section, rows: list[dict[str, Any]], loaded: Loaded, counts: SectionCounts
) -> tuple[dict[Any, Any], set[Any]]:
    """Create or update the rows of a section; returns them by identity, and the identities
    of the rows that were left unchanged."""
    queryset = section.model._default_manager.prefetch_related(*_prefetches(section))
    existing = {_identity(section, obj): obj for obj in queryset}
    saved, unchanged = {}, set()
    for row in rows:
        values = columns(section, row) | _foreign_keys(section, row, loaded)
        identity = _row_identity(section, row, values)
        obj = existing.get(identity)
        created = obj is None
        if obj is None:
            # Rows identified by several fields get every one of them from `values` below.
            named = (
                {} if section.composite else {name: row[name] for name in section.identity_names}
            )
            obj = section.model(**named)
        changed = created or any(getattr(obj, name) != value for name, value in values.items())
        if changed:
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save()
        changed = _set_relations(section, obj, row, loaded, created) or changed
        if created:
            counts.created += 1
        elif changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
            unchanged.add(identity)
        saved[identity] = obj
    return saved, unchanged


def _identity(section: Section, obj: Any) -> Any:
    """What identifies a stored row: its slug, for nested keyed rows (parent id, key), and for
    rows identified by several fields their values (referenced rows by id)."""
    if section.composite:
        return tuple(getattr(obj, column) for column in section.identity_columns)
    if section.ordered and section.parent:
        return (getattr(obj, f"{section.parent.name}_id"), getattr(obj, section.identity_names[0]))
    return getattr(obj, section.identity_names[0])


def _row_identity(section: Section, row: dict[str, Any], values: dict[str, Any]) -> Any:
    if section.composite:
        return tuple(values[column] for column in section.identity_columns)
    if section.ordered and section.parent:
        return (values[f"{section.parent.name}_id"], row[section.identity_names[0]])
    return row[section.identity_names[0]]


def _prefetches(section: Section) -> list[str]:
    names = [f.name for f in section.fields if isinstance(f, Refs)]
    return names + ["event_services"] * any(isinstance(f, Steps) for f in section.fields)


def _foreign_keys(section: Section, row: dict[str, Any], loaded: Loaded) -> dict[str, Any]:
    refs = [f for f in section.fields if isinstance(f, Ref)] + (
        [section.parent] if section.parent else []
    )
    values = {}
    for ref in refs:
        slug = row.get(ref.name)
        values[f"{ref.name}_id"] = loaded[ref.section][slug].pk if slug else None
    return values


def _set_relations(
    section: Section, obj: Any, row: dict[str, Any], loaded: Loaded, created: bool
) -> bool:
    changed = False
    for f in section.fields:
        if isinstance(f, Refs):
            wanted = {loaded[f.section][slug].pk for slug in row.get(f.name, [])}
            manager = getattr(obj, f.name)
            current = set() if created else {related.pk for related in manager.all()}
            if wanted != current:
                manager.set(wanted)
                changed = True
        elif isinstance(f, Steps):
            wanted_steps = {
                loaded[f.section][slug].pk: step_columns(step)
                for slug, step in row.get(f.name, {}).items()
            }
            changed = _set_steps(obj, wanted_steps, created) or changed
    return changed


def _set_steps(service: PublicService, wanted: dict[int, dict[str, Any]], created: bool) -> bool:
    """Make the service's steps in life events exactly `wanted` (life event id -> columns)."""
    current = {} if created else {es.life_event_id: es for es in service.event_services.all()}
    stale = [es.pk for event_id, es in current.items() if event_id not in wanted]
    EventService.objects.filter(pk__in=stale).delete()
    changed = bool(stale)
    for event_id, values in wanted.items():
        existing = current.get(event_id)
        if existing is None:
            EventService.objects.create(service=service, life_event_id=event_id, **values)
            changed = True
        elif any(getattr(existing, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save(update_fields=list(values))
            changed = True
    return changed


def _set_dependencies(rows: list[dict[str, Any]], loaded: Loaded) -> set[str]:
    """Set what each step waits for, once every step exists; returns the slugs of the services
    whose steps changed."""
    steps = {
        (es.life_event_id, es.service_id): es
        for es in EventService.objects.prefetch_related("depends_on")
    }
    events, services = loaded["life_events"], loaded["services"]
    changed = set()
    for row in rows:
        service_id = services[row["slug"]].pk
        for event, step in row.get("life_events", {}).items():
            event_id = events[event].pk
            wanted = {steps[(event_id, services[slug].pk)].pk for slug in step_dependencies(step)}
            es = steps[(event_id, service_id)]
            if wanted != {dependency.pk for dependency in es.depends_on.all()}:
                es.depends_on.set(wanted)
                changed.add(row["slug"])
    return changed


def _remove_stale(section: Section, saved: dict[Any, Any]) -> int:
    stale = section.model._default_manager.exclude(pk__in=[obj.pk for obj in saved.values()])
    count = stale.count()
    if count:
        stale.delete()
    return count


def export_catalogue(version: int | None = None) -> dict[str, Any]:
    """The catalogue in the database as the data-file structure (rows in slug order, empty
    values left out). The database does not record the file version: pass `version`, or the
    version of `settings.CATALOGUE_DATA_FILE` is used."""
    data: dict[str, Any] = {"version": version or _file_version()}
    for section in TOP_LEVEL:
        queryset = section.model._default_manager.order_by(*section.export_order)
        queryset = queryset.prefetch_related(*_export_prefetches(section))
        data[section.key] = [_export_row(section, obj) for obj in queryset]
    return data


def dump_catalogue(path: Path | str | None = None, version: int | None = None) -> str:
    """Write the exported catalogue as YAML to `path` (if given) and return the text."""
    text = catalogue_yaml(export_catalogue(version))
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


class CatalogueDumper(yaml.SafeDumper):
    """Writes the layout of the data file: indented block lists, and short lists of slugs or
    keywords on one line."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)

    def represent_catalogue_list(self, data: list[Any]) -> yaml.SequenceNode:
        flow = all(isinstance(item, str | int | float) for item in data)
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


CatalogueDumper.add_representer(list, CatalogueDumper.represent_catalogue_list)

HEADER = "# lifegate catalogue, exported from the database. Layout: lifegate/catalogue/schema.py\n"


def catalogue_yaml(data: dict[str, Any]) -> str:
    """The YAML text of catalogue data, with a short header."""
    options: dict[str, Any] = {"allow_unicode": True, "sort_keys": False, "width": 100}
    return HEADER + yaml.dump(data, Dumper=CatalogueDumper, **options)


def _file_version() -> int:
    try:
        text = Path(settings.CATALOGUE_DATA_FILE).read_text(encoding="utf-8")
    except OSError:
        return 1
    match = re.search(r"^version:\s*(\d+)\s*$", text, re.MULTILINE)
    return int(match.group(1)) if match else 1


def _export_prefetches(section: Section) -> list[str]:
    names = [f.name for f in section.fields if isinstance(f, Ref | Refs)]
    for f in section.fields:
        if isinstance(f, Steps):
            names += ["event_services__life_event", "event_services__depends_on__service"]
        elif isinstance(f, Children):
            child = BY_KEY[f.section]
            names += [f.accessor] + [f"{f.accessor}__{name}" for name in _export_prefetches(child)]
    return names


def _export_row(section: Section, obj: Any) -> dict[str, Any]:
    # Identifying fields of a composite row are fields of their own, written in field order.
    identity = () if section.composite else section.identity_names
    row: dict[str, Any] = {name: getattr(obj, name) for name in identity}
    for f in section.fields:
        value = _export_value(f, obj)
        if isinstance(f, Plain) and not f.required and value == f.default:
            continue
        if not is_empty(value) or (isinstance(f, Text | Plain) and f.required):
            row[f.name] = value
    return row


def _export_value(f: Field, obj: Any) -> Any:
    match f:
        case Text():
            texts = {lang: getattr(obj, f"{f.name}_{lang}") for lang in LANGUAGES}
            return texts if any(texts.values()) or f.required else None
        case Plain():
            return plain_value(getattr(obj, f.name))
        case Ref():
            target = getattr(obj, f.name)
            return target.slug if target else None
        case Refs():
            return sorted(related.slug for related in getattr(obj, f.name).all())
        case Duration():
            duration = {"duration": getattr(obj, f.name)} | {
                lang: getattr(obj, f"{f.name}_{lang}") for lang in LANGUAGES
            }
            return duration if any(duration.values()) else None
        case Keywords():
            words = {lang: _split(getattr(obj, f"{f.name}_{lang}")) for lang in LANGUAGES}
            return words if any(words.values()) else None
        case Choices() | Claims():
            stored = getattr(obj, f.name)
            return [claim_entry(claim) for claim in stored] if isinstance(f, Claims) else stored
        case Steps():
            placed = sorted(
                obj.event_services.all(), key=lambda es: (es.position, es.life_event.slug)
            )
            return {
                es.life_event.slug: step_entry(
                    es, [dep.service.slug for dep in es.depends_on.all()]
                )
                for es in placed
            }
        case Children():
            child = BY_KEY[f.section]
            order = (lambda i: (i.position, i.key)) if child.ordered else (lambda i: i.slug)
            items = sorted(getattr(obj, f.accessor).all(), key=order)
            return [_export_row(child, item) for item in items]
    return None


def _split(text: str) -> list[str]:
    return [word for word in text.split(KEYWORD_SEPARATOR) if word]
