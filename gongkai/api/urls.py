from django.urls import path, re_path

from gongkai.api import views
from gongkai.api.api import api

urlpatterns = [
    path("", api.urls),
    # Anything else under /api/v1/ answers in JSON too, not with the site's HTML 404 page.
    re_path(r"^.*$", views.unknown, name="api-unknown"),
]
