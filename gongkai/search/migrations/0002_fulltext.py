"""The full-text structures for the database in use (see gongkai.search.backends)."""

from django.db import migrations

SQLITE_FORWARD = [
    # Pre-tokenised bigram text (gongkai.search.text.index_text); unicode61 only splits on spaces here.
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_fts"]
PG_FORWARD = [
    "ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector, ADD COLUMN title_tsv tsvector",
    "CREATE INDEX search_doc_tsv_gin ON search_searchdocument USING gin (tsv)",
    "CREATE INDEX search_doc_title_tsv_gin ON search_searchdocument USING gin (title_tsv)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_title_tsv_gin",
    "DROP INDEX IF EXISTS search_doc_tsv_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv, DROP COLUMN IF EXISTS title_tsv",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        )
    ]
