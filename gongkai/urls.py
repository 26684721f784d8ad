from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("staff/", include("gongkai.core.urls")),
    path("staff/imports/", include("gongkai.registry.import_urls")),
    path("staff/entities/", include("gongkai.registry.urls")),
    path("staff/inspectors/", include("gongkai.inspectors.urls")),
    path("staff/inspections/", include("gongkai.inspections.urls")),
    path("inspections/", include("gongkai.inspections.public_urls")),
    path("", include("gongkai.portal.urls")),
]
