"""Background work of the documents (django-tasks, a Wagtail dependency).

Queued after a publication commits (``publishing.enqueue_notices``). Without a worker (the
default immediate backend) they run at once; the command ``tenantportal_document_notices``
sends what is due as well, for documents published with a future date.
"""

from django_tasks import task

from .notifications import send_due_notices


@task()
def send_document_notices():
    """Send the due "a new document is available" mails; returns the number sent."""
    return send_due_notices()
