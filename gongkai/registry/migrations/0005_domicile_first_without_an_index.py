"""One 住所 per licence through a check instead of an index of its own.

The 住所 is always an entity's address at position 0 (``EntityRecord.address_list``), and
``address_entity_position_unique`` already allows one row per (entity, position). A check that the
住所 is at position 0, and only it, therefore allows one 住所 per entity, as the partial unique
index on ``entity`` did, and costs nothing to keep: the index cost a sort of every address after a
first load (about 1.1 s a million entities) and an entry per address. Adding the check reads every
address once (PostgreSQL); a stored address that breaks it stops the migration with the
database's message and changes nothing.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_entity_district_code_index")]

    operations = [
        migrations.AddConstraint(
            model_name="address",
            constraint=models.CheckConstraint(
                condition=models.Q(kind="domicile", position=0)
                | (models.Q(position__gt=0) & ~models.Q(kind="domicile")),
                name="address_domicile_first",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="address",
            name="address_one_domicile_per_entity",
        ),
    ]
