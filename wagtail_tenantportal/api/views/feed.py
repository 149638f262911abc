"""The change feed: "what changed since cursor X", for badges and notifications of an app
that polls.

``GET feed`` without a cursor gives the counts and a cursor; with ``?cursor=`` it also lists
what happened since: status changes and staff replies on the tenant's requests, new documents,
new notices (oldest first, at most ``limit`` of each kind). Keep the new ``cursor`` for the
next call. Items may repeat across two calls close together (the cursor overlaps by a few
seconds so that nothing committed late is missed): use ``kind`` and ``id`` to recognise them.
"""

import datetime

from django.apps import apps
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.response import Response

from ..base import PortalAPIView, extend_schema
from ..errors import FlowFailed

_SALT = "wagtail_tenantportal.api.feed"
#: Overlap of two cursors (seconds): a change committed this late after its timestamp is still seen.
OVERLAP = 5
LIMIT = 50


def installed(app):
    return apps.is_installed(f"wagtail_tenantportal.{app}")


class FeedQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=200)


class FeedItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["request_status", "request_reply", "document", "notice"])
    id = serializers.CharField(help_text=_("Stable per kind: recognise repeated items by kind and id."))
    at = serializers.DateTimeField()
    title = serializers.CharField()
    reference = serializers.CharField(
        required=False, help_text=_("Request reference, document or notice id.")
    )
    status = serializers.CharField(required=False)


class FeedCountsSerializer(serializers.Serializer):
    requests_open = serializers.IntegerField()
    requests_awaiting_you = serializers.IntegerField()
    requests_unread = serializers.IntegerField()
    documents_new = serializers.IntegerField()
    notices_new = serializers.IntegerField()


class FeedSerializer(serializers.Serializer):
    cursor = serializers.CharField()
    has_more = serializers.BooleanField(
        help_text=_("More items than one answer holds: call again with the cursor.")
    )
    counts = FeedCountsSerializer()
    items = FeedItemSerializer(many=True)


def _read_cursor(value):
    try:
        stamp = signing.loads(value, salt=_SALT)
        return datetime.datetime.fromtimestamp(float(stamp), tz=datetime.UTC)
    except (signing.BadSignature, TypeError, ValueError, OverflowError, OSError):
        raise FlowFailed(
            _("This cursor is not valid."), fields={"cursor": [_("This cursor is not valid.")]}
        ) from None


def _cursor(moment):
    return signing.dumps(moment.timestamp(), salt=_SALT)


def _counts(user):
    counts = {
        "requests_open": 0,
        "requests_awaiting_you": 0,
        "requests_unread": 0,
        "documents_new": 0,
        "notices_new": 0,
    }
    if installed("tickets"):
        from ...tickets import services as tickets

        numbers = tickets.request_counts(user)
        counts.update(
            requests_open=numbers["open"],
            requests_awaiting_you=numbers["awaiting"],
            requests_unread=numbers["unread"],
        )
    if installed("documents"):
        from ...documents import services as documents

        counts["documents_new"] = documents.new_count(user)
    if installed("notices"):
        from ...notices import services as notices

        counts["notices_new"] = notices.new_count(user)
    return counts


def _items(user, since, until):
    """``(items, truncated_at)``: what happened in (since, until]; ``truncated_at`` is the time up
    to which the answer is complete when a kind had more than ``LIMIT`` items, else None."""
    items, complete_until = [], []
    if installed("tickets"):
        from ...tickets import services as tickets

        changes, replies = tickets.changes_since(user, since, until, LIMIT)
        items += [
            {
                "kind": "request_status",
                "id": str(change.pk),
                "at": change.changed_at,
                "title": change.ticket.subject,
                "reference": change.ticket.reference,
                "status": change.to_status.code,
            }
            for change in changes
        ]
        items += [
            {
                "kind": "request_reply",
                "id": str(reply.pk),
                "at": reply.created_at,
                "title": reply.ticket.subject,
                "reference": reply.ticket.reference,
            }
            for reply in replies
        ]
        complete_until += [rows[-1].changed_at for rows in (changes,) if len(rows) == LIMIT]
        complete_until += [rows[-1].created_at for rows in (replies,) if len(rows) == LIMIT]
    if installed("documents"):
        from ...documents import services as documents

        new_documents = documents.published_between(user, since, until, LIMIT)
        items += [
            {
                "kind": "document",
                "id": str(d.uuid),
                "at": d.published_from,
                "title": d.title,
                "reference": str(d.uuid),
            }
            for d in new_documents
        ]
        if len(new_documents) == LIMIT:
            complete_until.append(new_documents[-1].published_from)
    if installed("notices"):
        from ...notices import services as notices

        new_notices = notices.published_between(user, since, until, LIMIT)
        items += [
            {
                "kind": "notice",
                "id": str(n.pk),
                "at": n.visible_from,
                "title": n.title,
                "reference": str(n.pk),
            }
            for n in new_notices
        ]
        if len(new_notices) == LIMIT:
            complete_until.append(new_notices[-1].visible_from)
    truncated_at = min(complete_until) if complete_until else None
    if truncated_at is not None:
        items = [item for item in items if item["at"] <= truncated_at]
    items.sort(key=lambda item: (item["at"], item["kind"], item["id"]))
    return items, truncated_at


class FeedView(PortalAPIView):
    @extend_schema(operation_id="feed", parameters=[FeedQuerySerializer], responses={200: FeedSerializer})
    def get(self, request):
        params = self.validated(FeedQuerySerializer, data=request.query_params)
        now = timezone.now()
        until = now
        items, truncated_at = [], None
        if params.get("cursor"):
            since = _read_cursor(params["cursor"])
            items, truncated_at = _items(request.user, since, until)
        next_from = truncated_at or (until - datetime.timedelta(seconds=OVERLAP))
        body = {
            "cursor": _cursor(next_from),
            "has_more": truncated_at is not None,
            "counts": _counts(request.user),
            "items": items,
        }
        return Response(FeedSerializer(body).data)
