"""One canonical form of an email address (or a username typed at a login).

Attempt limits and account lookups must agree on which inputs name the same account. Python's
``lower()`` and a database's case-insensitive match do not: PostgreSQL's ``UPPER()`` turns a
dotless ``ı`` into ``I`` and a long ``ſ`` into ``S``, so ``mıeter@example.org`` found the
account of ``mieter@example.org`` while the limiter counted it under a fresh key.

:func:`canonical_email` is the one form. Every limiter key of an address, every lookup of an
account by address and every address the portal stores goes through it, so two inputs either
have the same canonical form (one key, one account) or name different accounts.

What the caller may rely on:

- compatibility forms are folded (NFKC: fullwidth letters, ligatures, the Kelvin sign ``K``,
  composed and decomposed accents);
- case is folded so that every pair of inputs that a database's case-insensitive comparison
  (PostgreSQL ``UPPER``, Python ``casefold``) treats as equal gets the same form: ``ı`` → ``i``,
  ``ſ`` → ``s``, ``ß`` → ``ss``, ``K`` (Kelvin) → ``k``;
- punycode labels of the domain are read as the Unicode labels they stand for
  (``xn--mnchen-3ya.de`` → ``münchen.de``);
- surrounding white space is removed; the result of the form is its own form (idempotent).

The form is for comparing and storing; it may differ from what a tenant typed only in case and
in such look-alike characters, which mail servers do not tell apart either.
"""

import unicodedata


def _fold(text):
    """NFKC, then case folded through upper case (so ``ı`` and ``ſ`` meet ``i`` and ``s``)."""
    text = unicodedata.normalize("NFKC", text)
    text = text.upper().lower().casefold()
    return unicodedata.normalize("NFKC", text)


def _domain(domain):
    labels = []
    for label in domain.split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError:
                pass  # not valid punycode: compared as written
        labels.append(label)
    return ".".join(labels)


def canonical_email(value):
    """The canonical form of an email address or login name (``""`` for None or blank)."""
    text = _fold(str(value or "").strip())
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    return f"{local}@{_fold(_domain(domain))}"
