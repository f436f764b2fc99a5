"""/v1/jobs: the record of scheduled job runs, so ops can see what ran, when, and how it ended."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from service.api.errors import abort
from service.api.pagination import (
    decode_cursor,
    next_link_headers,
    page,
)
from service.api.schemas import PageArgsSchema, described
from service.storage.db import db
from service.storage.jobs import STATUSES, list_job_runs
from service.storage.tables import JobRun

blp = Blueprint("jobs", __name__, url_prefix="/v1/jobs", description="Scheduled job runs")


class JobRunQueryArgsSchema(PageArgsSchema):
    job_id = fields.String(
        load_default=None,
        metadata=described("Only runs of this job: ingest:<source name> or rescore"),
    )
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(STATUSES),
        metadata=described(
            f"Only runs that ended so (or are still running): {', '.join(STATUSES)}"
        ),
    )


class JobRunSchema(ma.Schema):
    id = fields.String(dump_only=True, metadata=described("Job run id"))
    job_id = fields.String(
        metadata=described("Which job: ingest:<source name> for a source, rescore for scoring")
    )
    started_at = fields.DateTime(metadata=described("When the run started (UTC)"))
    finished_at = fields.DateTime(
        allow_none=True, metadata=described("When it ended (UTC); null while running")
    )
    status = fields.String(
        validate=validate.OneOf(STATUSES),
        metadata=described(
            "running; success; failed (see error); skipped (source disabled, backing off "
            "or no longer configured). A run left running by a stopped process stays so."
        ),
    )
    duration_seconds = fields.Float(
        allow_none=True, metadata=described("finished_at - started_at; null while running")
    )
    counts = fields.Dict(
        keys=fields.String(),
        metadata=described(
            "What the run counted: seen, new, duplicates, errors, unmapped, rescored for "
            "ingest; countries and raised (score above zero) for rescore"
        ),
    )
    error = fields.String(allow_none=True, metadata=described("Why it failed or was skipped"))


class JobRunListSchema(ma.Schema):
    items = fields.List(fields.Nested(JobRunSchema), metadata=described("Newest first"))
    next_cursor = fields.String(allow_none=True, metadata=described("Cursor of the next page"))


def _run_fields(run: JobRun) -> dict[str, Any]:
    duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
    return {
        "id": str(run.id),
        "job_id": run.job_id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "status": run.status,
        "duration_seconds": duration,
        "counts": run.counts,
        "error": run.error,
    }


@blp.route("")
class JobRuns(MethodView):
    @blp.arguments(JobRunQueryArgsSchema, location="query")
    @blp.response(200, JobRunListSchema)
    def get(self, args: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Job runs, newest first: start, end, status, counts and error of each.

        Filter by job (``ingest:<source>``, ``rescore``) and status to see, say, every
        failed fetch of one source.
        """
        before = None
        if args["cursor"]:
            started, run_id = decode_cursor(args["cursor"], length=2)
            try:
                before = (datetime.fromisoformat(str(started)), int(run_id))
            except (TypeError, ValueError):
                before = None
            if before is None or before[0].tzinfo is None:
                abort(422, message="invalid cursor", errors={"cursor": ["not from this API"]})
        limit = args["limit"]
        rows = list_job_runs(
            db.session,
            job_id=args["job_id"],
            status=args["status"],
            before=before,
            limit=limit + 1,
        )
        rows, next_cursor = page(rows, limit, lambda run: [run.started_at.isoformat(), run.id])
        body = {"items": [_run_fields(run) for run in rows], "next_cursor": next_cursor}
        return body, 200, next_link_headers(next_cursor)
