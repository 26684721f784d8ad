"""SQLite: the title's index text on the document row, for relevance without reading FTS5 content.

PostgreSQL keeps the same thing as ``title_tsv`` (0002). Reading ``search_fts.title`` instead loads
each match's whole FTS5 content row, body included (ADR 12). Existing rows are filled from the FTS
table, whose rowid ends in the document's id (gongkai.search.backends.fts_rowid).
"""

from django.db import migrations

ROWID_SCALE = 10**10


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("ALTER TABLE search_searchdocument ADD COLUMN title_tokens text")
    with schema_editor.connection.cursor() as cur:
        fill_title_tokens(cur)


def fill_title_tokens(cur) -> None:
    """Copy each indexed title's token text from ``search_fts`` to its document row."""
    cur.execute("SELECT rowid, title FROM search_fts")
    rows = [(title, rowid % ROWID_SCALE) for rowid, title in cur.fetchall()]
    cur.executemany("UPDATE search_searchdocument SET title_tokens = %s WHERE id = %s", rows)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ALTER TABLE search_searchdocument DROP COLUMN title_tokens")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_stale_documents")]

    operations = [migrations.RunPython(forward, backward)]
