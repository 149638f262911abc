"""Serving private files. Callers check ownership first (``visible_to``); this module only
decides how the bytes leave, by ``WAGTAIL_TENANTPORTAL["PRIVATE_SERVE_MODE"]``:

- ``"stream"`` (default): Django streams the file in chunks (memory stays flat);
- ``"x-accel-redirect"``: nginx serves it from an internal location
  (``PRIVATE_SERVE_PREFIX`` + file name), Django sends only headers;
- ``"x-sendfile"``: Apache/lighttpd serve ``storage.path(name)``;
- ``"redirect"``: a redirect to ``storage.url(name)``, for S3 with presigned URLs valid for
  ``PRIVATE_URL_EXPIRY`` seconds (django-storages' ``querystring_auth``; never a custom public domain).

Every response carries ``Content-Disposition`` (RFC 6266, safe file name) and
``SECURITY_HEADERS``: ``X-Content-Type-Options: nosniff``, ``Cache-Control: private, no-store``
and ``Referrer-Policy: no-referrer``. The x-accel/x-sendfile answers carry the file's content
type (the web server keeps it), never Django's default ``text/html``.
"""

import mimetypes
import re

from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from .conf import portal_settings
from .storage import get_private_storage

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


def safe_filename(name, default="download"):
    """A file name safe for Content-Disposition and every OS: no path, no control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[:150] or default


#: Headers of every answer that delivers a private file (a presigned URL asks S3 for the same
#: caching rule): never cached by a proxy, never sniffed into another type, no Referer onwards.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
}


def _secure(response, filename, as_attachment):
    response["Content-Disposition"] = content_disposition_header(as_attachment, safe_filename(filename))
    for name, value in SECURITY_HEADERS.items():
        response[name] = value
    return response


def _presigned_url(storage, name, filename, content_type, as_attachment):
    """A short-lived URL of the file; S3 is asked to answer with the portal's headers."""
    expiry = portal_settings.PRIVATE_URL_EXPIRY
    # S3 sends these back as response headers, so the file arrives with the same
    # Content-Disposition, type and caching rules as a streamed download.
    parameters = {
        "ResponseContentDisposition": content_disposition_header(as_attachment, safe_filename(filename)),
        "ResponseContentType": content_type,
        "ResponseCacheControl": SECURITY_HEADERS["Cache-Control"],
    }
    try:
        return storage.url(name, parameters=parameters, expire=expiry)
    except TypeError:  # a storage whose url() takes no response parameters
        pass
    try:
        return storage.url(name, expire=expiry)
    except TypeError:  # nor an expiry
        return storage.url(name)


def private_file_response(name, *, filename, content_type=None, as_attachment=True, storage=None):
    """Response delivering the private file ``name`` (a storage name, e.g. ``field_file.name``).

    The caller must have checked that the current user may see the file.
    """
    storage = storage or get_private_storage()
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    mode = portal_settings.PRIVATE_SERVE_MODE
    if mode == "redirect":
        response = HttpResponseRedirect(_presigned_url(storage, name, filename, content_type, as_attachment))
    elif mode == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = (
            portal_settings.PRIVATE_SERVE_PREFIX.rstrip("/") + "/" + name.lstrip("/")
        )
    elif mode == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = storage.path(name)
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    return _secure(response, filename, as_attachment)
