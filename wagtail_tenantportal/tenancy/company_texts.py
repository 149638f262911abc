"""What a company says to its tenants in the portal beyond its master data: whose name a reply
carries (``reply_names``) and where the texts tenants consent to are (privacy notice, terms of
use, e-delivery terms). A mixin of ``Company`` (kept here so ``models.py`` stays readable)."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .validators import validate_text_link

#: The consent kinds (``accounts.Consent.Kind`` values) and the field holding each one's text.
CONSENT_TEXT_FIELDS = {
    "privacy": "privacy_url",
    "terms": "terms_url",
    "e_delivery": "e_delivery_url",
}


class CompanyTexts(models.Model):
    class ReplyNames(models.TextChoices):
        TEAM = "team", _("The team: “Your team at <company>”")
        CLERK = "clerk", _("The clerk's name")

    reply_names = models.CharField(
        _("replies to tenants are signed by"),
        max_length=10,
        choices=ReplyNames.choices,
        default=ReplyNames.TEAM,
        help_text=_(
            "Whether tenants see the name of the clerk who answered their message, or only "
            "“Your team at” and the company's name."
        ),
    )
    privacy_url = models.CharField(
        _("privacy notice"),
        max_length=300,
        blank=True,
        validators=[validate_text_link],
        help_text=_(
            "Address of the privacy notice tenants confirm, e.g. 'https://www.example.de/datenschutz/' "
            "or '/datenschutz/'. Empty: the portal's general address (setting CONSENT_URLS)."
        ),
    )
    terms_url = models.CharField(
        _("terms of use"),
        max_length=300,
        blank=True,
        validators=[validate_text_link],
        help_text=_("Address of the terms of use of the portal. Empty: the portal's general address."),
    )
    e_delivery_url = models.CharField(
        _("terms of electronic delivery"),
        max_length=300,
        blank=True,
        validators=[validate_text_link],
        help_text=_(
            "Address of the terms of receiving documents in the portal instead of by post. Empty: the "
            "portal's general address."
        ),
    )

    class Meta:
        abstract = True

    def reply_author(self, author):
        """What tenants read as the sender of a staff reply: the clerk's full name where the
        company allows it and the author has one, else "Your team at <company>"."""
        if self.reply_names == self.ReplyNames.CLERK and author is not None:
            name = (author.get_full_name() or "").strip()
            if name:
                return name
        return gettext("Your team at %(company)s") % {"company": self.display_name}

    def consent_url(self, kind):
        """The address of the text of consent ``kind`` ("privacy", "terms", "e_delivery") this
        company gives, or "" (then the portal's general ``CONSENT_URLS`` apply)."""
        field = CONSENT_TEXT_FIELDS.get(str(kind))
        return getattr(self, field) if field else ""
