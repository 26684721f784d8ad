"""Template context every page needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext


def bureau(request: HttpRequest) -> dict[str, str]:
    """``bureau_name``: the deployment's bureau (``GONGKAI_BUREAU_NAME``) for the site's header and
    titles — in English when the catalogue knows the name (the default one), else as configured."""
    return {"bureau_name": gettext(settings.GONGKAI_BUREAU_NAME)}
