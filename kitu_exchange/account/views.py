from flask import Blueprint, render_template

bp = Blueprint("account", __name__, url_prefix="/konto")


@bp.route("/")
def settings():
    """The overview of a person's own settings; each section links to its page."""
    return render_template("account/settings.html")


from . import privacy  # noqa: E402,F401  (registers its routes on bp)
