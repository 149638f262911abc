"""The example ERP's pages: the webhook it receives events on, and its case list with the
buttons that call the portal back (status, reply, PDF)."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import portal
from .models import Case

STATUSES = [
    ("in_progress", "In Bearbeitung"),
    ("awaiting_tenant", "Rückfrage"),
    ("done", "Erledigt"),
    ("rejected", "Abgelehnt"),
]


@csrf_exempt
@require_POST
def webhook(request, company):
    link = portal.link_for(company)
    if link is None:
        return JsonResponse({"error": "unknown company"}, status=404)
    status, answer = portal.receive(link, request.body, dict(request.headers.items()))
    return JsonResponse(answer, status=status)


@staff_member_required(login_url="/admin/login/")
def cases(request):
    rows = Case.objects.select_related("link").prefetch_related("events")
    return render(request, "example_erp/cases.html", {"cases": rows, "statuses": STATUSES})


@staff_member_required(login_url="/admin/login/")
@require_POST
def act(request, pk):
    case = get_object_or_404(Case, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "status":
            portal.set_status(case, request.POST.get("status", ""), request.POST.get("comment", ""))
            messages.success(request, f"{case.number}: Status an das Portal gemeldet.")
        elif action == "reply":
            portal.reply(case, request.POST.get("text", ""))
            messages.success(request, f"{case.number}: Antwort an das Portal geschickt.")
        elif action == "pdf":
            portal.attach_pdf(case, request.POST.get("title") or "Auftragsbestätigung")
            messages.success(request, f"{case.number}: PDF in die Dokumente des Mieters gestellt.")
    except portal.CallFailed as exc:
        messages.error(request, f"{case.number}: Das Portal hat abgelehnt: {exc}")
    return HttpResponseRedirect(reverse("example_erp:cases"))
