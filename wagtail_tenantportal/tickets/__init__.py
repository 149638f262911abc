"""Tickets (Vorgänge): damage reports with photos, requests (Anliegen), messages, status history,
routing and notifications. Business logic lives in ``services.py``; views, blocks, pages and the
admin call it."""
