from django.urls import path

from gongkai.inspections import public

urlpatterns = [
    path("", public.index, name="public-inspections"),
    path("tasks/<str:public_id>/", public.task_page, name="public-task"),
    path("tasks/<str:public_id>/frozen.json", public.task_frozen, name="public-task-frozen"),
    path("tasks/<str:public_id>/bundle.json", public.task_bundle, name="public-task-bundle"),
    path("verifier/gongkai_draw.py", public.verifier, name="public-verifier"),
    path("officers/", public.roster, name="public-roster"),
]
