"""Confirmation pages: every destructive action asks on a page of its own.

GET shows what will be affected and what follows, with one button; the POST to the
same address does it. No JavaScript is needed, and a keyboard reaches the button and
the "Abbrechen" link in order.
"""
from flask import render_template

from .forms import ConfirmForm


def confirm_page(heading: str, action_label: str, cancel_url: str, *, target_kind: str = "",
                 target_label: str = "", target_meta: str = "", preview_html: str = "",
                 consequences: list[str] | None = None, form=None, fields=(),
                 status: int = 200):
    """Render the confirmation page (status 400 when the form came back with errors)."""
    return render_template(
        "confirm.html", heading=heading, action_label=action_label, cancel_url=cancel_url,
        target_kind=target_kind, target_label=target_label, target_meta=target_meta,
        preview_html=preview_html, consequences=consequences or [],
        form=form or ConfirmForm(), fields=fields), status
