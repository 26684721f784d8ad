from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _protect_team_officers(sender, instance, **kwargs) -> None:
    """Refuse to delete an officer who is on a drawn team, as ``on_delete=PROTECT`` would.

    Teams hold officers' codes (``Target.team``, ADR 14), which no foreign key protects in the
    ORM; the database refuses such a delete too (migration ``inspections/0006``). Unlike PROTECT,
    which refuses while collecting, this runs inside the delete's transaction: the caller's atomic
    block is rolled back.
    """
    from django.db.models import ProtectedError

    from gongkai.inspections.models import Target

    targets = Target.objects.filter(team__includes=instance.pk)
    if targets.exists():
        raise ProtectedError(f"检查人员 {instance.pk} 在已摇号任务的检查组中，不能删除", set(targets[:10]))


class InspectionsConfig(AppConfig):
    name = "gongkai.inspections"
    label = "inspections"
    verbose_name = _("双随机、一公开")

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from gongkai.inspectors.models import Officer

        pre_delete.connect(_protect_team_officers, sender=Officer, dispatch_uid="inspections-team-officers")
