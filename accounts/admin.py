"""Django's own user and group admins, with what every admin of the project shares."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from config.admin import SelectedRowsChecked


class ProjectUserAdmin(SelectedRowsChecked, UserAdmin):
    pass


class ProjectGroupAdmin(SelectedRowsChecked, GroupAdmin):
    pass


for model, model_admin in ((User, ProjectUserAdmin), (Group, ProjectGroupAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
