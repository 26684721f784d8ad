from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # First: its "<list path>feed" pattern must be tried before the apps' own catch-alls.
    path("", include("gongkai.opendata.urls")),
    path("staff/", include("gongkai.core.urls")),
    path("staff/imports/", include("gongkai.registry.import_urls")),
    path("staff/entities/", include("gongkai.registry.urls")),
    path("staff/inspectors/", include("gongkai.inspectors.urls")),
    path("staff/inspections/", include("gongkai.inspections.urls")),
    path("staff/penalties/", include("gongkai.penalties.urls")),
    path("inspections/", include("gongkai.inspections.public_urls")),
    path("penalties/", include("gongkai.penalties.public_urls")),
    path("staff/disclosure/", include("gongkai.disclosure.staff_urls")),
    path("staff/search/", include("gongkai.search.staff_urls")),
    path("search/", include("gongkai.search.urls")),
    path("staff/interaction/", include("gongkai.interaction.urls")),
    path("staff/due/", include("gongkai.stats.urls")),
    path("interaction/", include("gongkai.interaction.public_urls")),
    path("stats/", include("gongkai.stats.public_urls")),
    path("staff/policies/", include("gongkai.policies.urls")),
    path("benefits/", include("gongkai.policies.public_urls")),
    path("my/", include("gongkai.policies.account_urls")),
    path("api/v1/", include("gongkai.api.urls")),
    path("", include("gongkai.disclosure.urls")),
    path("", include("gongkai.portal.urls")),
]

# Friendly Chinese error pages (gongkai.portal).
handler404 = "gongkai.portal.views.page_not_found"
handler500 = "gongkai.portal.views.server_error"
