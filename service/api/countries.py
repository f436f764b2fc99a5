"""/v1/countries: the current risk of every country, one country's detail and history."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from models.gazetteer import Country
from service.api.errors import abort
from service.api.pagination import decode_cursor, next_link_headers, page
from service.api.schemas import (
    AdvisoryListSchema,
    AdvisoryQueryArgsSchema,
    CountryDetailSchema,
    CountryListSchema,
    HistoryQueryArgsSchema,
    HistorySchema,
)
from service.extensions import runtime
from service.storage.advisories import advisory_history
from service.storage.country_reads import advisory_fields, country_detail, list_countries
from service.storage.db import db
from service.storage.scores import OVERALL, score_history

blp = Blueprint("countries", __name__, url_prefix="/v1/countries", description="Country risk")


def resolve_country(code: str) -> Country:
    """The country for an alpha-2, alpha-3 or English name; else a 404 with close matches."""
    gazetteer = runtime().gazetteer
    iso2 = gazetteer.resolve(code)
    country = gazetteer.country(iso2) if iso2 else None
    if country is None:
        suggestions = [{"iso2": c.iso2, "name": c.name} for c in gazetteer.suggest(code)]
        hint = ", ".join(f"{s['name']} ({s['iso2']})" for s in suggestions)
        abort(
            404,
            message=f"unknown country {code!r}" + (f"; did you mean {hint}?" if hint else ""),
            suggestions=suggestions,
        )
    return country


@blp.route("")
class Countries(MethodView):
    @blp.response(200, CountryListSchema)
    def get(self) -> dict[str, Any]:
        """List every country with its current overall and factor scores."""
        rt = runtime()
        items = list_countries(
            db.session, countries=rt.gazetteer.countries, factors=rt.factors.names
        )
        return {"items": items, "next_cursor": None}


@blp.route("/<string:code>")
class CountryDetail(MethodView):
    @blp.response(200, CountryDetailSchema)
    def get(self, code: str) -> dict[str, Any]:
        """One country's scores, the drivers behind them and the official advisories."""
        country = resolve_country(code)
        return country_detail(db.session, country=country, factors=runtime().factors.names)


@blp.route("/<string:code>/history")
class CountryHistory(MethodView):
    @blp.arguments(HistoryQueryArgsSchema, location="query")
    @blp.response(200, HistorySchema)
    def get(self, args: dict[str, Any], code: str) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Daily scores of one country, oldest first, one row per day and factor."""
        country = resolve_country(code)
        factor = args["factor"]
        allowed = (OVERALL, *runtime().factors.names)
        if factor is not None and factor not in allowed:
            abort(
                422, message="unknown factor", errors={"factor": [f"one of {', '.join(allowed)}"]}
            )
        after = None
        if args["cursor"]:
            day, after_factor = decode_cursor(args["cursor"], length=2)
            try:
                after = (date.fromisoformat(str(day)), str(after_factor))
            except ValueError:
                abort(
                    422, message="invalid cursor", errors={"cursor": ["not a cursor from this API"]}
                )
        limit = args["limit"]
        rows = score_history(
            db.session,
            country_iso2=country.iso2,
            factor=factor,
            since=args["since"],
            until=args["until"],
            after=after,
            limit=limit + 1,
        )
        rows, next_cursor = page(rows, limit, lambda row: [row.as_of.isoformat(), row.factor])
        body = {"iso2": country.iso2, "items": rows, "next_cursor": next_cursor}
        return body, 200, next_link_headers(next_cursor)


@blp.route("/<string:code>/advisories")
class CountryAdvisories(MethodView):
    @blp.arguments(AdvisoryQueryArgsSchema, location="query")
    @blp.response(200, AdvisoryListSchema)
    def get(self, args: dict[str, Any], code: str) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Every stored version of the official advisories of one country, newest first."""
        country = resolve_country(code)
        before = None
        if args["cursor"]:
            (last_id,) = decode_cursor(args["cursor"], length=1)
            if not isinstance(last_id, int):
                abort(422, message="invalid cursor", errors={"cursor": ["not from this API"]})
            before = last_id
        limit = args["limit"]
        rows = advisory_history(
            db.session,
            country_iso2=country.iso2,
            source=args["source"],
            since=args["since"],
            until=args["until"],
            before=before,
            limit=limit + 1,
        )
        rows, next_cursor = page(rows, limit, lambda advisory: [advisory.id])
        body = {
            "iso2": country.iso2,
            "items": [advisory_fields(a) for a in rows],
            "next_cursor": next_cursor,
        }
        return body, 200, next_link_headers(next_cursor)
