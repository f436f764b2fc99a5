"""/v1/analyze: what the analyser reads in one article; stores nothing."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.schemas import AnalysisSchema, AnalyzeRequestSchema
from service.extensions import runtime

blp = Blueprint("analyze", __name__, url_prefix="/v1/analyze", description="Article analysis")


@blp.route("")
class Analyze(MethodView):
    @blp.arguments(AnalyzeRequestSchema)
    @blp.response(200, AnalysisSchema)
    def post(self, article: dict[str, Any]) -> dict[str, Any]:
        """Countries in an article, their roles, and each factor's probability and direction."""
        return asdict(runtime().analyzer.analyze(article["title"], article["text"]))
