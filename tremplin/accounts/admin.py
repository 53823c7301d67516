from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import transaction
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from tremplin.accounts.forms import AdminLoginForm
from tremplin.accounts.models import ApiToken, IdentityProviderLink, User
from tremplin.core import audit
from tremplin.core.notifications import notify


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "role",
        "email_verified",
        "organisation",
        "provider",
        "is_active",
    ]
    list_filter = ["role", "email_verified", "is_active", "is_staff", "organisation"]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["organisation", "provider"]
    autocomplete_fields = ["organisation", "provider"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name"]}),
        ("Rôle", {"fields": ["role", "organisation", "heads_organisation", "provider", "email_verified"]}),
        ("Droits", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "first_name",
                    "last_name",
                    "role",
                    "organisation",
                    "provider",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    search_fields = ["name", "prefix", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def get_fields(self, request, obj=None):
        return ["user", "name"] if obj is None else ["user", "name", "prefix", "created_at", "last_used_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "prefix", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        with transaction.atomic():
            token, raw = ApiToken.issue(obj.user, obj.name)
            audit.record(token, actor=request.user, action="issue_api_token", user=obj.user_id)
        # The admin goes on with `obj` (log entry, redirect): make it the saved token.
        obj.pk, obj.prefix, obj.digest, obj.created_at = (
            token.pk,
            token.prefix,
            token.digest,
            token.created_at,
        )
        messages.warning(
            request,
            f"Copiez ce jeton maintenant, il ne sera plus jamais affiché : {raw}",
        )


@admin.register(IdentityProviderLink)
class IdentityProviderLinkAdmin(admin.ModelAdmin):
    """Made by the first ProConnect sign-in only; deleting one (audited) lets the agent link again."""

    list_display = ["user", "provider", "linked_at", "last_used_at"]
    search_fields = ["user__email", "subject"]
    list_select_related = ["user"]
    readonly_fields = ["user", "provider", "subject", "linked_at", "last_used_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(obj.user, actor=request.user, action="proconnect_unlinked", provider=obj.provider)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for link in queryset.select_related("user"):
                self.delete_model(request, link)


class AuditedDeviceAdmin:
    """django-otp's device admin, each change or deletion of someone's second factor audited, and a
    deletion told to the person (as when they reset it themselves)."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                obj.user,
                actor=request.user,
                action="second_factor_changed_by_admin",
                device=obj.persistent_id,
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(
                obj.user,
                actor=request.user,
                action="second_factor_removed_by_admin",
                device=obj.persistent_id,
            )
            notify(
                obj.user,
                "Tremplin Numérique : votre double authentification a été réinitialisée",
                "accounts/emails/second_factor_reset.txt",
                legal=True,
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for device in queryset.select_related("user"):
                self.delete_model(request, device)


for model, base in ((TOTPDevice, TOTPDeviceAdmin), (StaticDevice, StaticDeviceAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (AuditedDeviceAdmin, base), {}))


# The admin's sign-in page meets the account's login delay too (tremplin.accounts.throttle).
admin.site.login_form = AdminLoginForm
