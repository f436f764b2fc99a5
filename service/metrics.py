"""Prometheus metrics, one registry per app so several apps (tests) never collide."""

from __future__ import annotations

import time

from flask import Flask, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram
from werkzeug.wrappers import Response


def init_app(app: Flask) -> None:
    reg = CollectorRegistry()
    requests_total = Counter(
        "travelrisk_http_requests_total",
        "HTTP requests by endpoint, method and status",
        ["endpoint", "method", "status"],
        registry=reg,
    )
    latency = Histogram(
        "travelrisk_http_request_seconds",
        "HTTP request latency by endpoint",
        ["endpoint"],
        registry=reg,
    )
    app.extensions["travelrisk.metrics"] = reg

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def record(response: Response) -> Response:
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        requests_total.labels(endpoint, request.method, str(response.status_code)).inc()
        started = g.get("request_started")
        if started is not None:
            latency.labels(endpoint).observe(time.perf_counter() - started)
        return response


def registry(app: Flask) -> CollectorRegistry:
    reg: CollectorRegistry = app.extensions["travelrisk.metrics"]
    return reg
