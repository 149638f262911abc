"""What the API holds about a user (``core.personal_data``): the app tokens (devices logged in).
They are the user's own portal data: exported without their secrets (only hashes are stored
anyway) and deleted with the account, which ends every app's login."""

from ..core.personal_data import ErasureReport, PersonalDataProvider, iso, register
from .models import AppToken


@register
class ApiPersonalData(PersonalDataProvider):
    app = "api"
    order = 50

    def export(self, user):
        return {
            "devices": [
                {
                    "name": token.name,
                    "kind": token.kind,
                    "client": token.user_agent,
                    "created_at": iso(token.created_at),
                    "last_used_at": iso(token.last_used_at),
                    "expires_at": iso(token.expires_at),
                }
                for token in AppToken.objects.filter(user=user).order_by("pk")
            ]
        }

    def erase(self, user):
        report = ErasureReport(self.app)
        report.deleted["devices"] = AppToken.objects.filter(user=user).delete()[0]
        return report

    def remaining(self, user):
        return {"devices": AppToken.objects.filter(user_id=user.pk).count()}
