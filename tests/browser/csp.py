"""What Chromium reports about the portal's Content-Security-Policy and Permissions-Policy
(plain helpers, no fixtures).

``watch(page)`` records every console message of a tab that says a policy refused something
(an inline script or style, a resource from another origin, a frame) or could not be read;
the ``page`` fixture of the browser tests fails a test whose tab recorded any, so every page
state of every browser test is checked. ``PAGES`` counts the documents the tabs loaded and
``summary_line`` ends the session's report: ``csp_pages=N csp_violations=M``.
"""

import re

#: Console messages of a refused or unreadable policy (Chromium's wording).
POLICY_MESSAGE = re.compile(
    r"Content Security Policy|Content-Security-Policy|Permissions[- ]Policy|Refused to",
    re.IGNORECASE,
)

PAGES = []
VIOLATIONS = []


class Recorder:
    """The policy messages and loaded documents of one tab."""

    def __init__(self):
        self.messages = []
        self.documents = []

    def console(self, message):
        text = message.text
        if POLICY_MESSAGE.search(text):
            self.messages.append(f"{message.type}: {text} (at {message.location.get('url', '')})")

    def loaded(self, frame):
        if frame.parent_frame is None and frame.url.startswith("http"):
            self.documents.append(frame.url)


def watch(page):
    """Record the tab's policy messages and documents; returns the recorder."""
    recorder = Recorder()
    page.on("console", recorder.console)
    page.on("framenavigated", recorder.loaded)
    return recorder


def finish(recorder):
    """Add the tab's findings to the session's; returns its policy messages."""
    PAGES.extend(recorder.documents)
    VIOLATIONS.extend(recorder.messages)
    return recorder.messages


def summary_line():
    return f"csp_pages={len(PAGES)} csp_violations={len(VIOLATIONS)}"
