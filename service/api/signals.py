"""/v1/signals: stored articles with what was read in them; push one with an API key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.auth import require_api_key
from service.api.countries import resolve_country
from service.api.errors import abort
from service.api.pagination import decode_cursor, next_link_headers, page
from service.api.schemas import (
    SignalCreatedSchema,
    SignalCreateSchema,
    SignalListSchema,
    SignalQueryArgsSchema,
)
from service.extensions import runtime
from service.ingest.records import Article
from service.rescore import rescore
from service.storage.db import db
from service.storage.signals import list_signals, store_signal
from service.storage.tables import Signal

blp = Blueprint("signals", __name__, url_prefix="/v1/signals", description="Stored signals")


def _signal_fields(signal: Signal) -> dict[str, Any]:
    # Readings that found nothing are not stored; every configured factor is shown.
    no_evidence = {
        name: {"probability": 0.0, "direction": "none"} for name in runtime().factors.names
    }
    return {
        "id": str(signal.id),
        "title": signal.title,
        "text": signal.text,
        "url": signal.url,
        "source": signal.source,
        "published_at": signal.published_at,
        "ingested_at": signal.ingested_at,
        "model_version": signal.model_version,
        "countries": [
            {
                "iso2": m.country_iso2,
                "role": m.role,
                "weight": m.weight,
                "factors": {
                    **no_evidence,
                    **{
                        f.factor: {"probability": f.probability, "direction": f.direction}
                        for f in m.factors
                    },
                },
            }
            for m in sorted(signal.mentions, key=lambda m: -m.weight)
        ],
    }


@blp.route("")
class Signals(MethodView):
    @blp.arguments(SignalQueryArgsSchema, location="query")
    @blp.response(200, SignalListSchema)
    def get(self, args: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Stored signals, newest first, filtered by country, factor and time."""
        country = resolve_country(args["country"]).iso2 if args["country"] else None
        factor = args["factor"]
        if factor is not None and factor not in runtime().factors.names:
            names = ", ".join(runtime().factors.names)
            abort(422, message="unknown factor", errors={"factor": [f"one of {names}"]})
        before = None
        if args["cursor"]:
            published, signal_id = decode_cursor(args["cursor"], length=2)
            try:
                before = (datetime.fromisoformat(str(published)), int(signal_id))
            except (TypeError, ValueError):
                abort(422, message="invalid cursor", errors={"cursor": ["not from this API"]})
        limit = args["limit"]
        rows = list_signals(
            db.session,
            country_iso2=country,
            factor=factor,
            since=args["since"],
            before=before,
            limit=limit + 1,
        )
        rows, next_cursor = page(rows, limit, lambda s: [s.published_at.isoformat(), s.id])
        body = {"items": [_signal_fields(s) for s in rows], "next_cursor": next_cursor}
        return body, 200, next_link_headers(next_cursor)

    @require_api_key
    @blp.arguments(SignalCreateSchema)
    @blp.response(201, SignalCreatedSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Store and score one article (API key); the same story twice is stored once."""
        rt = runtime()
        article = Article(
            title=payload["title"],
            text=payload["text"],
            url=payload["url"],
            published_at=payload["published_at"],
            source=payload["source"] or "push",
            raw={k: v.isoformat() if isinstance(v, datetime) else v for k, v in payload.items()},
        )
        analysis = rt.analyzer.analyze(article.title, article.text)
        session = db.session
        outcome = store_signal(session, article=article, analysis=analysis)
        if outcome.created and analysis.countries:
            rescore(
                session,
                as_of=datetime.now(UTC),
                config=rt.factors,
                model_version=rt.analyzer.model_version,
                calibration=rt.score_model,
                only={c.iso2 for c in analysis.countries},
            )
        session.commit()
        return {**_signal_fields(outcome.signal), "created": outcome.created}
