"""Marshmallow schemas of the REST API, named for what they carry."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from service.api.pagination import DEFAULT_LIMIT, MAX_LIMIT

LEVEL = validate.Range(min=1, max=4)
ROLE = validate.OneOf(["subject", "actor", "mentioned"])
DIRECTION = validate.OneOf(["escalating", "easing", "none"])
TREND = validate.OneOf(["rising", "steady", "easing"])


def described(text: str) -> dict[str, str]:
    return {"description": text}


class PageArgsSchema(ma.Schema):
    """The paging arguments every list endpoint takes."""

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata=described(f"Items per page, 1-{MAX_LIMIT}"),
    )
    cursor = fields.String(load_default=None, metadata=described("next_cursor of the last page"))


class DriverSchema(ma.Schema):
    signal_id = fields.String(metadata=described("Id of the signal (see /v1/signals)"))
    title = fields.String(metadata=described("Title of the article"))
    url = fields.String(allow_none=True, metadata=described("Link to the article"))
    published_at = fields.DateTime(metadata=described("When the article was published (UTC)"))
    contribution = fields.Float(
        metadata=described("Share of this factor's absolute decayed evidence, 0-1")
    )


class ScoreSummarySchema(ma.Schema):
    score = fields.Float(metadata=described("Risk score 0-100; 0 means no evidence of risk"))
    level = fields.Integer(
        validate=LEVEL, metadata=described("1 normal precautions ... 4 do not travel")
    )
    confidence = fields.Float(metadata=described("0-1: how much and how fresh the evidence is"))
    trend = fields.String(validate=TREND, metadata=described("Change over the last 7 days"))


class FactorScoreSchema(ScoreSummarySchema):
    drivers = fields.List(
        fields.Nested(DriverSchema), metadata=described("The signals that moved it most")
    )


class CountrySchema(ma.Schema):
    iso2 = fields.String(metadata=described("ISO 3166-1 alpha-2 code"))
    name = fields.String(metadata=described("Common English name"))
    as_of = fields.DateTime(allow_none=True, metadata=described("When the scores were computed"))
    ahead_of_official = fields.Boolean(
        metadata=described(
            "Early warning: the news-driven level is at least one above every official level"
        )
    )
    overall = fields.Nested(ScoreSummarySchema, metadata=described("The country as a whole"))
    factors = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(ScoreSummarySchema),
        metadata=described("Per factor (security, fuel_supply, diplomatic_presence, ...)"),
    )


class CountryListSchema(ma.Schema):
    items = fields.List(fields.Nested(CountrySchema), metadata=described("Every country"))
    next_cursor = fields.String(
        allow_none=True, metadata=described("Always null: every country fits one page")
    )


class RegionSchema(ma.Schema):
    area = fields.String(metadata=described("The part of the country the warning covers"))
    level = fields.Integer(validate=LEVEL, metadata=described("Regional level 1-4"))
    native = fields.String(metadata=described("The source's own wording"))


class AdvisorySchema(ma.Schema):
    source = fields.String(metadata=described("Official source id: us-state, uk-fcdo, ca, ..."))
    level = fields.Integer(validate=LEVEL, metadata=described("Normalised national level 1-4"))
    native = fields.String(metadata=described("The source's own wording or value"))
    published_at = fields.DateTime(allow_none=True, metadata=described("Publication time"))
    url = fields.String(allow_none=True, metadata=described("The advisory page"))
    indicators = fields.List(
        fields.String(), metadata=described("Risk flags (US letters) and factors named in the text")
    )
    regions = fields.List(fields.Nested(RegionSchema), metadata=described("Regional warnings"))
    text = fields.String(metadata=described("The advisory's summary text"))


class AdvisorySummarySchema(AdvisorySchema):
    regional_max = fields.Integer(
        allow_none=True, metadata=described("Highest regional level, null when none was read")
    )
    has_regional_escalation = fields.Boolean(
        allow_none=True,
        metadata=described(
            "A region is above the national level; null when the source has regional "
            "advisories that could not be read"
        ),
    )


class OfficialComparisonSchema(ma.Schema):
    levels = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata=described("Level per source")
    )
    spread = fields.Integer(
        allow_none=True, metadata=described("Highest minus lowest level; null with one source")
    )
    material_disagreement = fields.Boolean(metadata=described("Spread of 2 or more"))
    highest_level = fields.Integer(allow_none=True, metadata=described("The highest level"))
    highest_sources = fields.List(
        fields.String(), metadata=described("Sources at the highest level")
    )
    regional_max = fields.Integer(
        allow_none=True, metadata=described("Highest regional level across sources")
    )


class AdvisoryQueryArgsSchema(PageArgsSchema):
    source = fields.String(load_default=None, metadata=described("Only this official source"))
    since = fields.AwareDateTime(load_default=None, metadata=described("Published at or after"))
    until = fields.AwareDateTime(load_default=None, metadata=described("Published at or before"))


class AdvisoryListSchema(ma.Schema):
    iso2 = fields.String(metadata=described("ISO 3166-1 alpha-2 code"))
    items = fields.List(fields.Nested(AdvisorySchema), metadata=described("Newest first"))
    next_cursor = fields.String(allow_none=True, metadata=described("Cursor of the next page"))


class CountryDetailSchema(CountrySchema):
    model_version = fields.String(
        allow_none=True, metadata=described("Version of the model that scored it")
    )
    overall = fields.Nested(FactorScoreSchema, metadata=described("The country as a whole"))
    factors = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(FactorScoreSchema),
        metadata=described("Per factor, with the drivers behind each score"),
    )
    advisories = fields.List(
        fields.Nested(AdvisorySummarySchema),
        metadata=described("The latest advisory of each official source, highest first"),
    )
    official = fields.Nested(
        OfficialComparisonSchema, metadata=described("How the official sources compare")
    )


class HistoryQueryArgsSchema(PageArgsSchema):
    factor = fields.String(
        load_default=None, metadata=described("One factor, or 'overall'; every factor if omitted")
    )
    since = fields.Date(load_default=None, metadata=described("First day (inclusive)"))
    until = fields.Date(load_default=None, metadata=described("Last day (inclusive)"))

    @ma.validates_schema
    def check_range(self, data: dict[str, object], **_: object) -> None:
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None and since > until:  # type: ignore[operator]
            raise ma.ValidationError("since must not be after until", field_name="since")


class HistoryRowSchema(ma.Schema):
    as_of = fields.Date(metadata=described("The day scored"))
    factor = fields.String(metadata=described("A factor, or 'overall'"))
    score = fields.Float(metadata=described("Risk score 0-100"))
    level = fields.Integer(validate=LEVEL, metadata=described("Level 1-4"))
    confidence = fields.Float(metadata=described("Confidence 0-1"))
    model_version = fields.String(metadata=described("Model version that produced the row"))


class HistorySchema(ma.Schema):
    iso2 = fields.String(metadata=described("ISO 3166-1 alpha-2 code"))
    items = fields.List(fields.Nested(HistoryRowSchema), metadata=described("Oldest first"))
    next_cursor = fields.String(allow_none=True, metadata=described("Cursor of the next page"))


class AnalyzeRequestSchema(ma.Schema):
    title = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata=described("Article title"),
    )
    text = fields.String(
        load_default="",
        validate=validate.Length(max=200_000),
        metadata=described("Article body"),
    )
    published_at = fields.AwareDateTime(
        load_default=None, metadata=described("Publication time, ISO 8601 with offset")
    )


class FactorReadingSchema(ma.Schema):
    probability = fields.Float(metadata=described("Probability the text speaks to the factor"))
    direction = fields.String(validate=DIRECTION, metadata=described("escalating/easing/none"))


class CountryAnalysisSchema(ma.Schema):
    iso2 = fields.String(metadata=described("ISO 3166-1 alpha-2 code"))
    role = fields.String(validate=ROLE, metadata=described("subject, actor or mentioned"))
    weight = fields.Float(metadata=described("The country's share of the story, 0-1"))
    factors = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(FactorReadingSchema),
        metadata=described("Per factor reading for this country"),
    )


class AnalysisSchema(ma.Schema):
    model_version = fields.String(metadata=described("Version of the analyser"))
    countries = fields.List(
        fields.Nested(CountryAnalysisSchema), metadata=described("Countries in the article")
    )


class SignalQueryArgsSchema(PageArgsSchema):
    country = fields.String(
        load_default=None, metadata=described("Only signals naming this country (code or name)")
    )
    factor = fields.String(
        load_default=None, metadata=described("Only signals with evidence for this factor")
    )
    since = fields.AwareDateTime(
        load_default=None, metadata=described("Only signals published at or after (ISO 8601)")
    )


class SignalSchema(ma.Schema):
    id = fields.String(dump_only=True, metadata=described("Signal id"))
    title = fields.String(metadata=described("Article title"))
    text = fields.String(metadata=described("Article text"))
    url = fields.String(allow_none=True, metadata=described("Article link"))
    source = fields.String(allow_none=True, metadata=described("Where it came from"))
    published_at = fields.DateTime(metadata=described("Publication time (UTC)"))
    ingested_at = fields.DateTime(dump_only=True, metadata=described("When we stored it"))
    model_version = fields.String(dump_only=True, metadata=described("Analyser that read it"))
    countries = fields.List(
        fields.Nested(CountryAnalysisSchema), metadata=described("Countries, roles and factors")
    )


class SignalListSchema(ma.Schema):
    items = fields.List(fields.Nested(SignalSchema), metadata=described("Newest first"))
    next_cursor = fields.String(allow_none=True, metadata=described("Cursor of the next page"))


class SignalCreateSchema(AnalyzeRequestSchema):
    url = fields.Url(
        load_default=None,
        schemes={"http", "https"},
        validate=validate.Length(max=2000),
        metadata=described("Article link (used to recognise the same story twice)"),
    )
    source = fields.String(
        load_default=None, validate=validate.Length(max=200), metadata=described("Publisher")
    )


class SignalCreatedSchema(SignalSchema):
    created = fields.Boolean(
        metadata=described("False when the same story was already stored (nothing changed)")
    )


class SourceRunSchema(ma.Schema):
    started_at = fields.DateTime(metadata=described("Start of the run"))
    finished_at = fields.DateTime(allow_none=True, metadata=described("End of the run"))
    status = fields.String(metadata=described("running, success or failed"))
    items_seen = fields.Integer(metadata=described("Items in the fetched document"))
    items_new = fields.Integer(metadata=described("Items stored for the first time"))
    duplicates = fields.Integer(metadata=described("Items already stored"))
    errors = fields.Integer(metadata=described("Entries that could not be used"))
    error_text = fields.String(allow_none=True, metadata=described("First or fatal error"))


class SourceSchema(ma.Schema):
    name = fields.String(metadata=described("Source name in config/sources.yaml"))
    kind = fields.String(metadata=described("news or advisory"))
    format = fields.String(metadata=described("Parser used"))
    url = fields.String(allow_none=True, metadata=described("Where it is fetched from"))
    enabled = fields.Boolean(metadata=described("Fetched on schedule"))
    interval_minutes = fields.Integer(
        allow_none=True, metadata=described("Configured fetch interval")
    )
    last_attempt_at = fields.DateTime(allow_none=True, metadata=described("Last fetch attempt"))
    last_success_at = fields.DateTime(allow_none=True, metadata=described("Last good run"))
    last_error_at = fields.DateTime(allow_none=True, metadata=described("Last failure"))
    last_error = fields.String(allow_none=True, metadata=described("Text of the last failure"))
    consecutive_failures = fields.Integer(metadata=described("Failures since the last success"))
    backoff_until = fields.DateTime(
        allow_none=True, metadata=described("Circuit open: no fetch before this time")
    )
    circuit_open = fields.Boolean(metadata=described("True while the source is backing off"))
    items_seen_total = fields.Integer(metadata=described("Items seen over all runs"))
    items_new_total = fields.Integer(metadata=described("Items stored over all runs"))
    last_run = fields.Nested(
        SourceRunSchema, allow_none=True, metadata=described("The most recent run")
    )


class SourceListSchema(ma.Schema):
    items = fields.List(fields.Nested(SourceSchema), metadata=described("Every source, by name"))
    next_cursor = fields.String(allow_none=True, metadata=described("Always null"))
