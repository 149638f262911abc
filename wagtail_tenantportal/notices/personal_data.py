"""What the notice board holds about a user (``core.personal_data``): which notices the user
has read, which important notices were mailed to them, and their mail setting. All of it is
the user's own portal data and is deleted with the account. (Notices themselves are the
company's, addressed to buildings, not to persons.)"""

from ..core.personal_data import ErasureReport, PersonalDataProvider, iso, register
from .models import NoticeMail, NoticeMailPreference, NoticeRead


@register
class NoticesPersonalData(PersonalDataProvider):
    app = "notices"
    order = 100

    def export(self, user):
        return {
            "read": [
                {"notice": read.notice.title, "read_at": iso(read.read_at)}
                for read in NoticeRead.objects.filter(account__user=user)
                .select_related("notice")
                .order_by("pk")
            ],
            "mailed": [
                {"notice": mail.notice.title, "mailed_at": iso(mail.created_at)}
                for mail in NoticeMail.objects.filter(account__user=user)
                .select_related("notice")
                .order_by("pk")
            ],
            "mail_settings": [
                {"important_notices": preference.important_notices}
                for preference in NoticeMailPreference.objects.filter(account__user=user)
            ],
        }

    def erase(self, user):
        report = ErasureReport(self.app)
        report.deleted["read"] = NoticeRead.objects.filter(account__user=user).delete()[0]
        report.deleted["mailed"] = NoticeMail.objects.filter(account__user=user).delete()[0]
        report.deleted["mail_settings"] = NoticeMailPreference.objects.filter(account__user=user).delete()[0]
        return report

    def remaining(self, user):
        return {
            "read": NoticeRead.objects.filter(account__user_id=user.pk).count(),
            "mailed": NoticeMail.objects.filter(account__user_id=user.pk).count(),
            "mail_settings": NoticeMailPreference.objects.filter(account__user_id=user.pk).count(),
        }
