from django.urls import path

from gongkai.disclosure import staff_views as v

urlpatterns = [
    path("", v.overview, name="staff-disclosure"),
    path("documents/new/", v.document_new, name="staff-disclosure-document-new"),
    path("documents/<int:pk>/", v.document_detail, name="staff-disclosure-document"),
    path("documents/<int:pk>/edit/", v.document_edit, name="staff-disclosure-document-edit"),
    path("documents/<int:pk>/validity/", v.document_validity, name="staff-disclosure-document-validity"),
    path(
        "documents/<int:pk>/interpretations/new/",
        v.interpretation_new,
        name="staff-disclosure-interpretation-new",
    ),
    path("interpretations/<int:pk>/", v.interpretation_detail, name="staff-disclosure-interpretation"),
    path(
        "interpretations/<int:pk>/edit/", v.interpretation_edit, name="staff-disclosure-interpretation-edit"
    ),
    path("guides/new/", v.guide_new, name="staff-disclosure-guide-new"),
    path("guides/<int:pk>/", v.guide_detail, name="staff-disclosure-guide"),
    path("guides/<int:pk>/edit/", v.guide_edit, name="staff-disclosure-guide-edit"),
]
for (kind, action), view in v.ACTIONS.items():
    urlpatterns.append(path(f"{kind}s/<int:pk>/{action}/", view, name=f"staff-disclosure-{kind}-{action}"))
for kind, view in v.ATTACH.items():
    urlpatterns.append(path(f"{kind}s/<int:pk>/attach/", view, name=f"staff-disclosure-{kind}-attach"))
