"""Staff decide one pending object: approve or reject a bank-details change, confirm or reject an
exemption order request, fulfil or reject a document request.

:class:`DecisionView` loads the object through the app's scoped lookup (``load``: None for
another company's object, answered 404 like a missing one), refuses staff without
``permission``, sends a decided object back to its inspect page, shows ``message`` with the
form (``form_class``: a reason, a file) and calls the app's service in ``decide``. Bad input
comes back as ``ValidationError``: errors of the form's own fields are shown on the form,
anything else as a message on the inspect page; nothing is half-saved, the services decide in
one transaction.
"""

from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button


def decision_buttons(user, obj, *, viewset_name, permission, is_open, actions, priority=10):
    """The buttons of the decisions on ``obj`` (``actions``: ``[(view name, label, icon)]`` of
    the viewset ``viewset_name``), for an open object and a user with ``permission``; for a
    viewset's ``get_object_actions``. The views check both again (:class:`DecisionView`)."""
    if not is_open or not user.has_perm(permission):
        return []
    return [
        Button(
            label,
            url=reverse(f"{viewset_name}:{view}", args=[quote(obj.pk)]),
            icon_name=icon,
            priority=priority + n,
        )
        for n, (view, label, icon) in enumerate(actions)
    ]


#: The template of a staff action with a short form: message, form, submit and cancel.
FORM_TEMPLATE = "wagtail_tenantportal/admin/accounts/form.html"


class ReasonForm(forms.Form):
    """The reason of a rejection, shown to the tenant."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The tenant sees it with the request."),
    )


class DecisionView(WagtailAdminTemplateMixin, TemplateView):
    template_name = FORM_TEMPLATE
    header_icon = "doc-full"
    form_class = forms.Form
    #: The permission a user needs to decide (``app_label.codename``).
    permission = None
    #: The viewset's name: the decision returns to ``<name>:inspect``.
    viewset_name = None
    submit_label = ""
    done_message = ""
    decided_message = _("This request has been dealt with already.")

    def load(self, user, pk):
        """The object ``pk`` if ``user`` may see it (the app's scoped lookup), else None."""
        raise NotImplementedError

    def is_open(self, obj):
        """False once the object is decided: the view then only sends staff back."""
        return True

    def message(self):
        return ""

    def decide(self, form):
        """Call the app's service with the valid ``form``; raise ``ValidationError``."""
        raise NotImplementedError

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = self.load(request.user, kwargs["pk"])
        if self.object is None:
            raise Http404

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        if not self.is_open(self.object):
            messages.warning(request, self.decided_message)
            return redirect(self.inspect_url())
        return super().dispatch(request, *args, **kwargs)

    def inspect_url(self):
        return reverse(f"{self.viewset_name}:inspect", args=[quote(self.object.pk)])

    def get_page_subtitle(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form_class())
        context.update(
            message=self.message(),
            submit_label=self.submit_label,
            cancel_url=self.inspect_url(),
            multipart=self.form_class().is_multipart(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, request.FILES or None)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            self.decide(form)
        except ValidationError as error:
            fields = getattr(error, "error_dict", {})
            if fields and set(fields) <= set(form.fields):
                for name, errors in error.message_dict.items():
                    form.add_error(name, errors)
                return self.render_to_response(self.get_context_data(form=form))
            for message in error.messages:
                messages.error(request, message)
            return redirect(self.inspect_url())
        messages.success(request, self.done_message)
        return redirect(self.inspect_url())
