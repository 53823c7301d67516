from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer

from tremplin.accounts.models import ApiToken

# Writing last_used_at on every request would turn each read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer tn_…`: one indexed lookup by digest, the user joined in."""

    def authenticate(self, request, token):
        if not token or len(token) > 200:
            return None
        row = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(token)).first()
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        request.api_token_id = row.pk  # for the per-token rate limit (tremplin.api.throttling)
        return row.user
