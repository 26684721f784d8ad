"""Import and export pages of both registers; the project includes this under ``staff/imports/``.

Each register has literal paths (no converters besides ``<str:name>``) so the site-wide access
test can walk them.
"""

from django.urls import path

from gongkai.registry import import_views as views

urlpatterns = [path("", views.imports_index, name="staff-imports")]
for slug in ("entities", "inspectors"):
    kwargs = {"register": slug}
    urlpatterns += [
        path(f"{slug}/", views.register_import, kwargs, name=f"staff-imports-{slug}"),
        path(f"{slug}/runs/<str:name>/", views.import_run, kwargs, name=f"staff-imports-{slug}-run"),
        path(
            f"{slug}/runs/<str:name>/report/",
            views.import_report,
            kwargs,
            name=f"staff-imports-{slug}-report",
        ),
        path(
            f"{slug}/runs/<str:name>/rejected/",
            views.import_rejected,
            kwargs,
            name=f"staff-imports-{slug}-rejected",
        ),
        path(
            f"{slug}/export.csv",
            views.register_export,
            {**kwargs, "fmt": "csv"},
            name=f"staff-imports-{slug}-csv",
        ),
        path(
            f"{slug}/export.xlsx",
            views.register_export,
            {**kwargs, "fmt": "xlsx"},
            name=f"staff-imports-{slug}-xlsx",
        ),
    ]
