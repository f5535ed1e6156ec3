"""Upload social comments and chats; the summary says what was imported, skipped or refused."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from qa_app.analytics import bp
from qa_app.analytics import imports as svc
from qa_app.analytics.import_forms import ImportTextsForm
from qa_app.extensions import db
from qa_app.permissions import requires

SHOWN_ERRORS = 200


@bp.route("/import", methods=["GET", "POST"])
@requires("can_import_texts")
def import_texts() -> str | tuple[str, int]:
    form = ImportTextsForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(svc.MAX_BYTES + 1)
        try:
            report = svc.import_texts(
                upload.filename or "upload",
                data,
                current_app.config["SECRET_KEY"],
                max_items=svc.MAX_WEB_ITEMS,
            )
        except svc.ImportRefused as exc:
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            current_app.logger.info("user %s imported %d texts", current_user.id, report.imported)
    return render_template(
        "analytics/import.html",
        form=form,
        report=report,
        shown_errors=SHOWN_ERRORS,
        limits={"mb": svc.MAX_BYTES // 1024 // 1024, "count": svc.MAX_WEB_ITEMS},
        columns=(svc.REQUIRED, svc.OPTIONAL),
    )
