"""The Django admin manages accounts only. Domain objects are changed through the staff pages,
whose services write the audit log; the admin would bypass it, so none is registered here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from gongkai.core.models import StaffProfile


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    filter_horizontal = ["districts"]


class GongkaiUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]


admin.site.unregister(User)
admin.site.register(User, GongkaiUserAdmin)
admin.site.site_header = "Gongkai 账号管理"
admin.site.site_title = "Gongkai 账号管理"
