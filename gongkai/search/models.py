"""The search index: one row per public document, plus the vocabulary and the synonym list.

The full-text structures live beside :class:`SearchDocument` and are created by the migration for
the database in use: an FTS5 table ``search_fts`` and a ``title_tokens`` column on SQLite, and
``tsv``/``title_tsv`` tsvector columns with GIN indexes on PostgreSQL (see
:mod:`gongkai.search.backends`; the title columns serve relevance, ADR 12).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """The public text of one document as the search shows it (never anything private).

    Rows are written only by :mod:`gongkai.search.services`, inside the transaction that changes
    the content, from an :class:`~gongkai.search.registry.IndexDocument` the owning module built
    from its public fields.
    """

    doc_type = models.CharField(_("类型"), max_length=32)
    doc_id = models.CharField(_("标识"), max_length=64)
    title = models.CharField(_("标题"), max_length=500)
    body = models.TextField(_("正文"), blank=True)
    date = models.DateField(_("日期"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    department = models.CharField(_("部门"), max_length=100, blank=True)
    district = models.CharField(_("区县"), max_length=50, blank=True)
    url = models.CharField(_("链接"), max_length=300)
    indexed_at = models.DateTimeField(_("索引时间"), auto_now=True)

    class Meta:
        verbose_name = _("检索文档")
        verbose_name_plural = _("检索文档")
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "doc_id"], name="searchdoc_type_id_unique")
        ]
        indexes = [
            models.Index(fields=["date", "id"], name="searchdoc_date_idx"),
            models.Index(fields=["doc_type", "date"], name="searchdoc_type_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.doc_id} {self.title[:40]}"


class VocabularyTerm(models.Model):
    """A word seen in public documents, keyed for pinyin look-up and "did you mean" suggestions."""

    term = models.CharField(_("词"), max_length=16, primary_key=True)
    pinyin = models.CharField(_("拼音"), max_length=96, db_index=True)
    initials = models.CharField(_("首字母"), max_length=16, db_index=True)
    length = models.PositiveSmallIntegerField(_("字数"))
    df = models.PositiveIntegerField(_("出现文档数"), default=0)

    class Meta:
        verbose_name = _("检索词表")
        verbose_name_plural = _("检索词表")
        indexes = [models.Index(fields=["length", "initials"], name="vocab_length_initials_idx")]

    def __str__(self) -> str:
        return self.term


class SynonymGroup(models.Model):
    """Words the search treats as the same (消费者权益保护 = 消保 = 维权), edited by staff."""

    terms = models.TextField(
        _("同义词"), help_text=_("用顿号、逗号或空格分隔，例如：消费者权益保护、消保、维权")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("同义词组")
        verbose_name_plural = _("同义词组")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.terms

    def term_list(self) -> list[str]:
        import re

        from gongkai.search.text import normalise

        parts = re.split(r"[、,，;；\s]+", self.terms)
        return [p for p in dict.fromkeys(normalise(p.strip()) for p in parts) if p]


class StaleDocument(models.Model):
    """A document whose content changed in a bulk write and must be re-read into the index.

    Bulk writers (the register import: up to millions of rows) cannot afford to segment and index
    every changed document inside their transaction; they add a row here instead, in the same
    transaction, and ``gongkai reindex --stale`` (run after imports, or on a schedule) refreshes
    the marked documents through their type's ``documents_for``. A document may be marked twice.
    """

    id = models.BigAutoField(primary_key=True)
    doc_type = models.CharField(_("类型"), max_length=32)
    doc_id = models.CharField(_("标识"), max_length=64)

    class Meta:
        verbose_name = _("待更新检索文档")
        verbose_name_plural = _("待更新检索文档")

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.doc_id}"
