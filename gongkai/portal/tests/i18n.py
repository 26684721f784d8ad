"""Helpers for the English-site tests of every app (ADR 0060): a client that chose English, a check
that a page has no Chinese outside the parts marked as Chinese content, and the catalogues."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.urls import reverse

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SHOWN_ATTRIBUTES = {"alt", "aria-label", "content", "placeholder", "title", "value"}


def choose(client, language: str, next_url: str = "/"):
    return client.post(reverse("portal-preferences"), {"language": language, "next": next_url})


class ChineseOutsideChineseParts(HTMLParser):
    """Collects Chinese text (and shown attributes) that is not inside an element marked ``lang="zh-…"``."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.found: list[str] = []

    def _lang(self) -> str:
        return next((lang for _, lang in reversed(self.stack) if lang), "")

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = attributes.get("lang") or ""
        in_chinese = (lang or self._lang()).startswith("zh")
        if not in_chinese and not (tag == "input" and attributes.get("type") == "hidden"):
            self.found += [
                f"{tag}[{k}]={v}" for k, v in attrs if k in SHOWN_ATTRIBUTES and v and CJK.search(v)
            ]
        if tag not in VOID:
            self.stack.append((tag, lang))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if CJK.search(data) and not self._lang().startswith("zh") and self.stack[-1:] != [("style", "")]:
            self.found.append(data.strip())


def chinese_outside_chinese_parts(html: str) -> list[str]:
    parser = ChineseOutsideChineseParts()
    parser.feed(html)
    return parser.found


def untranslated(html: str, content: Iterable[str] = (), *, skip: tuple[str, ...] = ()) -> list[str]:
    """The Chinese outside the parts marked Chinese, once the given ``content`` (texts that stand
    where no part can be marked: the <title>, the description) is taken out, longest first;
    findings starting with one of ``skip`` (e.g. ``"link[title]="``) are left out."""
    found = []
    for text in chinese_outside_chinese_parts(html):
        if skip and text.startswith(skip):
            continue
        for part in sorted(content, key=len, reverse=True):
            text = text.replace(part, "")
        if CJK.search(text):
            found.append(text)
    return found


def catalogues() -> list[Path]:
    """Every English catalogue: the site's (``gongkai/locale``) and each app's own ``locale``."""
    root = Path(settings.LOCALE_PATHS[0])
    return [root / "en" / "LC_MESSAGES", *sorted(root.parent.glob("*/locale/en/LC_MESSAGES"))]


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (or msgstr[n]) and flags."""
    entries: list[dict] = []
    entry: dict = {"flags": set()}
    field = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, _, value = line.partition(" ")
            if field in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in entry):
                entries.append(entry)
                entry = {"flags": set()}
            entry[field] = ast.literal_eval(value)
    entries.append(entry)
    return entries


def po_catalog(entries: list[dict]) -> dict:
    """What msgfmt puts in the .mo, keyed as gettext.GNUTranslations keys its catalogue."""
    catalog: dict = {}
    for entry in entries:
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            for key, value in entry.items():
                if key.startswith("msgstr["):
                    catalog[(msgid, int(key[7:-1]))] = value
        else:
            catalog[msgid] = entry["msgstr"]
    return catalog
