"""Registration codes: generation, normalisation of what tenants type, hashing.

A code is 12 characters drawn with ``secrets.choice`` from a 31-character alphabet,
printed in groups of four: ``7KQ4-M9TX-2HRP``. 12 * log2(31) = 59.4 bits of entropy.

The alphabet leaves out characters that look alike in print or handwriting: 0/O, 1/I/L.
Both members of each pair are left out, so nothing needs guessing when a tenant types
one of them; such input simply does not match. 5/S, 8/B and 2/Z stay: in the monospaced
bold face of the letter they are distinct, and dropping them would cost entropy.

Only an HMAC of the normalised code is stored (``code_hash``). The HMAC key is derived from
``SECRET_KEY`` (``salted_hmac`` with a fixed salt), so a leaked database alone does not
reveal codes, and the hash is deterministic so a code can be looked up by it. A slow
password hash is not needed: 59 random bits cannot be brute-forced offline at any
realistic rate, and online guessing is limited by ``ratelimit``. A slow, salted hash would
also rule out the indexed lookup.
"""

import math
import re
import secrets
import unicodedata

from django.conf import settings
from django.utils.crypto import salted_hmac

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 12
GROUP = 4
ENTROPY_BITS = LENGTH * math.log2(len(ALPHABET))
HINT_LENGTH = 2

_KEY_SALT = "wagtail_tenantportal.accounts.registration_code"
# Separators tenants type or copy: spaces of every kind, hyphens and dashes, dots, underscores.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212._/]+")
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def generate():
    """A new random code, normalised (12 characters of ``ALPHABET``, no separators)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(code):
    """The code as printed: groups of four joined by hyphens (``7KQ4-M9TX-2HRP``)."""
    code = normalise(code)
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(raw):
    """What a tenant typed, made comparable: NFKC (full-width forms), upper case, no separators.

    The result may still be malformed (wrong length, foreign characters); ``is_well_formed``
    tells. No characters are mapped onto others: the alphabet has no look-alike pairs.
    """
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return _SEPARATORS.sub("", text).upper()


def is_well_formed(code):
    """True if ``code`` (normalised) has the length and alphabet of a registration code."""
    return bool(_VALID.match(code or ""))


def hash_code(code, secret=None):
    """Hex HMAC-SHA256 of the normalised code, keyed from ``SECRET_KEY`` (or ``secret``)."""
    return salted_hmac(_KEY_SALT, normalise(code), secret=secret, algorithm="sha256").hexdigest()


def candidate_hashes(code):
    """Hashes of ``code`` under ``SECRET_KEY`` and each of ``SECRET_KEY_FALLBACKS``.

    Codes issued before a key rotation keep working as long as the old key is a fallback.
    """
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return list(dict.fromkeys(hash_code(code, secret=s) for s in secrets_))


def hint(code):
    """The last characters of the code: not secret, shown to staff to tell letters apart."""
    return normalise(code)[-HINT_LENGTH:]
