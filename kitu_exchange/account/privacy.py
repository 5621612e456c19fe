"""Account settings for personal data: download it, delete the account."""
import json

from flask import Response
from flask_login import current_user

from ..models import utcnow
from . import personal_data
from .views import bp


@bp.route("/daten.json")
def export_data():
    """The person's own data as a JSON download. A GET is safe here: it changes nothing
    and another site cannot read the answer; no-store keeps it out of caches."""
    data = personal_data.export_personal_data(current_user)
    filename = f"kitu-daten-{utcnow().date().isoformat()}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                 "Cache-Control": "no-store"})
