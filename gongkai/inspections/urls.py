from django.urls import path

from gongkai.inspections import views

urlpatterns = [
    path("", views.overview, name="staff-inspections"),
    path("items/", views.item_list, name="staff-item-list"),
    path("items/new/", views.item_create, name="staff-item-create"),
    path("items/<str:code>/", views.item_detail, name="staff-item-detail"),
    path("plans/new/", views.plan_create, name="staff-plan-create"),
    path("plans/<int:pk>/", views.plan_detail, name="staff-plan-detail"),
    path("plans/<int:pk>/tasks/new/", views.task_create, name="staff-task-create"),
    path("tasks/<str:public_id>/", views.task_detail, name="staff-task-detail"),
    path("tasks/<str:public_id>/edit/", views.task_edit, name="staff-task-edit"),
    path("tasks/<str:public_id>/bundle.json", views.task_bundle, name="staff-task-bundle"),
    path("mine/", views.my_targets, name="staff-my-targets"),
    path("targets/<int:pk>/", views.target_detail, name="staff-target-detail"),
    path("targets/<int:pk>/sheet/", views.target_sheet, name="staff-target-sheet"),
    path("attachments/<int:pk>/", views.attachment_download, name="staff-attachment"),
    path("due/", views.due_results, name="staff-due-results"),
]
