"""Shared questions in the Django admin: read-only for catalogue editors, to see what people
look for and what the catalogue did not answer. Nothing here can be added or changed."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lifegate.assistant.models import SharedQuestion


@admin.register(SharedQuestion)
class SharedQuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "language", "matched", "top_suggestion", "shared_on")
    list_filter = ("matched", "language", "shared_on")
    search_fields = ("text", "top_suggestion")
    readonly_fields = ("text", "language", "matched", "top_suggestion", "shared_on")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
