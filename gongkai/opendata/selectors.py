"""Reads of the open-data module: the files the daily job has completed (from the manifests only,
so a half-written file is never listed) and the datasets' dictionaries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from gongkai.opendata import datasets as ds
from gongkai.opendata import exporting

FORMAT_ORDER = ("csv", "xlsx", "jsonl")


@dataclass(frozen=True)
class PublishedFile:
    name: str
    label: str
    size: int
    sha256: str
    url: str


@dataclass(frozen=True)
class PublishedDataset:
    slug: str
    title: str
    description: str
    rows: int
    generated_at: dt.datetime | None
    files: list[PublishedFile]
    dictionary: list[PublishedFile]
    fields: tuple[ds.Field, ...]


def root() -> Path:
    return Path(settings.GONGKAI_OPENDATA_DIR)


def published_days() -> list[dt.date]:
    return exporting.days(root())


def _file(day: dt.date, name: str, info: dict, label: str) -> PublishedFile:
    return PublishedFile(
        name,
        label,
        int(info.get("size", 0)),
        str(info.get("sha256", "")),
        reverse("opendata-file", args=[day.isoformat(), name]),
    )


def _moment(text: object) -> dt.datetime | None:
    """A manifest's ISO time (with its offset), or None when it is missing or unreadable."""
    try:
        return dt.datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def published(day: dt.date) -> list[PublishedDataset]:
    """The datasets completed for ``day``, in the catalogue's order."""
    manifest = exporting.read_manifest(exporting.day_dir(root(), day)) or {}
    entries = manifest.get("datasets", {})
    out = []
    for slug in [s for s in ds.DATASETS if s in entries] + sorted(set(entries) - set(ds.DATASETS)):
        entry = entries[slug]
        files = entry.get("files", {})
        data = [
            _file(day, f"{slug}.{fmt}", files[f"{slug}.{fmt}"], exporting.FORMAT_LABELS[fmt])
            for fmt in FORMAT_ORDER
            if f"{slug}.{fmt}" in files
        ]
        dictionary = [
            _file(
                day,
                f"{slug}.dictionary.{ext}",
                files[f"{slug}.dictionary.{ext}"],
                gettext("数据字典（%(format)s）") % {"format": ext.upper()},
            )
            for ext in ("csv", "json")
            if f"{slug}.dictionary.{ext}" in files
        ]
        dataset = ds.DATASETS.get(slug)
        out.append(
            PublishedDataset(
                slug,
                str(entry.get("title", slug)),
                str(entry.get("description", "")),
                int(entry.get("rows", 0)),
                _moment(entry.get("generated_at")),
                data,
                dictionary,
                dataset.fields if dataset else (),
            )
        )
    return out


def published_file(day_text: str, name: str) -> Path | None:
    """The path of a listed file of the export directory, or None (unknown, unlisted, or outside)."""
    found = exporting.resolve_file(root(), day_text, name)
    return found[0] if found else None
