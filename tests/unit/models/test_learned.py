"""Behaviour of the learned analyser on the seed article, hard negatives and easing news."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.analysis import Analysis
from models.fitting import Example, fit_analyzer
from models.learned import MIN_SUBJECT_PROBABILITY, NON_SUBJECT_GATE, LearnedAnalyzer


def _raised(analysis: Analysis, threshold: float = 0.5) -> set[tuple[str, str]]:
    return {
        (c.iso2, name)
        for c in analysis.countries
        for name, r in c.factors.items()
        if r.probability >= threshold
    }


def _seed(analyzer: LearnedAnalyzer, seed_article: Path) -> Analysis:
    title, text = seed_article.read_text(encoding="utf-8").strip().split("\n", 1)
    return analyzer.analyze(title, text)


def test_seed_roles_and_actor_silence(analyzer: LearnedAnalyzer, seed_article: Path) -> None:
    analysis = _seed(analyzer, seed_article)
    mali, france = analysis.country("ML"), analysis.country("FR")
    assert mali is not None and mali.role == "subject"
    assert france is not None and france.role == "actor"
    assert all(r.probability < 0.2 for r in france.factors.values())
    for iso2 in ("BF", "NE"):
        other = analysis.country(iso2)
        assert other is not None and other.role == "mentioned"
        assert all(r.probability < 0.2 for r in other.factors.values())
    assert mali.weight > 0.9
    for name in ("security", "diplomatic_presence"):
        assert mali.factors[name].probability >= 0.8
        assert mali.factors[name].direction == "escalating"


def test_seed_fuel_reaches_target(analyzer: LearnedAnalyzer, seed_article: Path) -> None:
    mali = _seed(analyzer, seed_article).country("ML")
    assert mali is not None and mali.factors["fuel_supply"].probability >= 0.8
    assert mali.factors["fuel_supply"].direction == "escalating"


@pytest.mark.parametrize(
    ("title", "not_subject"),
    [
        ("Mali beat France 2-1 in Bamako friendly", None),
        ("Kenya cuts fuel prices by five shillings a litre from Monday", None),
        ("Somali community in Minnesota celebrates independence day", "SO"),
    ],
)
def test_hard_negatives_raise_nothing(
    analyzer: LearnedAnalyzer, title: str, not_subject: str | None
) -> None:
    analysis = analyzer.analyze(title, "")
    assert _raised(analysis) == set()
    if not_subject:
        country = analysis.country(not_subject)
        assert country is None or country.role != "subject"


@pytest.mark.parametrize(
    "title",
    [
        "Germany opens embassy in Iceland",
        "Japan opens embassy in Uruguay",
        "Norway to open new embassy in Windhoek",
    ],
)
def test_embassy_opening_in_calm_country_is_not_an_event(
    analyzer: LearnedAnalyzer, title: str
) -> None:
    assert _raised(analyzer.analyze(title, "")) == set()


@pytest.mark.parametrize(
    "title",
    [
        "Germany cuts fuel tax to ease pressure on drivers",
        "France lowers tax on petrol ahead of summer holidays",
        "Fuel duty cut announced in Irish budget",
    ],
)
def test_fuel_tax_cuts_are_not_supply_news(analyzer: LearnedAnalyzer, title: str) -> None:
    assert _raised(analyzer.analyze(title, "")) == set()


@pytest.mark.parametrize(
    ("title", "iso2", "factor"),
    [
        ("US embassy in Kabul reopens after three years", "AF", "diplomatic_presence"),
        ("Fuel supplies restored in Sri Lanka as queues vanish", "LK", "fuel_supply"),
    ],
)
def test_easing_news_is_easing(
    analyzer: LearnedAnalyzer, title: str, iso2: str, factor: str
) -> None:
    country = analyzer.analyze(title, "").country(iso2)
    assert country is not None and country.role == "subject"
    assert country.factors[factor].probability >= 0.5
    assert country.factors[factor].direction == "easing"


def test_compiled_path_matches_pipeline(analyzer: LearnedAnalyzer, seed_article: Path) -> None:
    title, text = seed_article.read_text(encoding="utf-8").strip().split("\n", 1)
    article = analyzer.parse(title, text)
    texts = analyzer.reference_texts(article)
    reference = dict(zip(texts, analyzer.factor_readings(list(texts.values())), strict=True))
    fast = analyzer.analyze(title, text)
    roles = analyzer.role_proba(article)
    slow_roles = analyzer.role_model.predict_proba([(article, c) for c in roles])
    classes = list(analyzer.role_model.classes_)
    for i, c in enumerate(roles):
        assert roles[c][0] == pytest.approx(slow_roles[i, classes.index("subject")], abs=1e-9)
        country = fast.country(c)
        assert country is not None
        gate = float(roles[c][0]) * (1.0 if country.role == "subject" else NON_SUBJECT_GATE)
        if roles[c][0] < MIN_SUBJECT_PROBABILITY:
            assert all(r.probability == 0.0 for r in country.factors.values())
            continue
        for name, (p, direction) in reference[c].items():
            gated = round(gate * p, 3)
            assert country.factors[name].probability == pytest.approx(gated, abs=2e-3)
            if gated >= 0.01:
                assert country.factors[name].direction == direction


def test_batch_equals_one_by_one(analyzer: LearnedAnalyzer, corpus: list[Example]) -> None:
    articles = [(str(e["title"]), str(e.get("text", ""))) for e in corpus[::37]]
    articles.append(("Oil prices climb on supply worries", ""))
    assert analyzer.analyze_many(articles) == [analyzer.analyze(t, b) for t, b in articles]


@pytest.mark.parametrize(
    ("title", "subject", "actor"),
    [
        ("UK tells citizens to leave Lebanon", "LB", "GB"),
        ("Japan pulls its diplomats out of Sudan", "SD", "JP"),
        ("Canberra tells Australians in Port Moresby to stay indoors", "PG", "AU"),
        ("Spain sends navy ship to bring nationals home from Libya", "LY", "ES"),
    ],
)
def test_actor_first_headlines(
    analyzer: LearnedAnalyzer, title: str, subject: str, actor: str
) -> None:
    analysis = analyzer.analyze(title, "")
    found, acting = analysis.country(subject), analysis.country(actor)
    assert found is not None and found.role == "subject"
    assert acting is not None and acting.role != "subject"
    assert all(r.probability < 0.5 for r in acting.factors.values())


@pytest.mark.parametrize(
    ("title", "iso2"),
    [
        ("Gunmen attack market in Gao, killing traders", "ML"),
        ("Explosions heard across Mogadishu as militants storm hotel", "SO"),
        ("Bangui : reprise des combats dans le quartier PK5", "CF"),
    ],
)
def test_city_only_subjects(analyzer: LearnedAnalyzer, title: str, iso2: str) -> None:
    country = analyzer.analyze(title, "").country(iso2)
    assert country is not None and country.role == "subject"
    assert country.factors["security"].probability >= 0.5
    assert country.factors["security"].direction == "escalating"


@pytest.mark.parametrize(
    "reason",
    [
        "Updated information on visa requirements for British nationals",
        "Minor editorial changes throughout; the advice has not changed",
    ],
)
def test_routine_update_reasons_raise_nothing(analyzer: LearnedAnalyzer, reason: str) -> None:
    assert _raised(analyzer.analyze("Belize: travel advice update", reason)) == set()


def test_removal_of_a_warning_is_easing(analyzer: LearnedAnalyzer) -> None:
    reason = "Removal of information about the curfew in the capital, which has been lifted"
    country = analyzer.analyze("Kenya: travel advice update", reason).country("KE")
    assert country is not None
    assert country.factors["security"].direction == "easing"


def test_no_country_no_readings(analyzer: LearnedAnalyzer) -> None:
    assert analyzer.analyze("Oil prices climb on supply worries", "").countries == []


def test_fitting_is_deterministic(corpus: list[dict[str, object]]) -> None:
    part = corpus[1::7]
    first, second = fit_analyzer(part), fit_analyzer(part)
    for example in corpus[:40]:
        a = first.analyze(str(example["title"]), str(example.get("text", "")))
        b = second.analyze(str(example["title"]), str(example.get("text", "")))
        assert a == b
    coef = first.role_model.named_steps["roles"].coef_
    assert np.array_equal(coef, second.role_model.named_steps["roles"].coef_)


def test_token_codes_survive_a_full_memory(
    analyzer: LearnedAnalyzer, corpus: list[Example], monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = [(str(e["title"]), str(e.get("text", ""))) for e in corpus[::40]]
    expected = analyzer.analyze_many(articles)
    monkeypatch.setattr("models.articles._TOKEN_MEMORY", 50)
    fresh = analyzer.with_version(analyzer.model_version)
    assert [fresh.analyze(title, text) for title, text in articles[:5]] == expected[:5]
    assert fresh.analyze_many(articles) == expected


def test_readings_are_rounded_to_three_decimals(
    analyzer: LearnedAnalyzer, corpus: list[Example]
) -> None:
    analyses = analyzer.analyze_many(
        [(str(e["title"]), str(e.get("text", ""))) for e in corpus[::11]]
    )
    readings = [r for a in analyses for c in a.countries for r in c.factors.values()]
    assert any(0.0 < r.probability < 1.0 for r in readings)
    for r in readings:
        assert r.probability == round(r.probability, 3)
        assert r.direction == "none" or r.probability > 0.0


def test_countries_come_most_weighted_first_then_by_code(
    analyzer: LearnedAnalyzer, corpus: list[Example]
) -> None:
    articles = [(str(e["title"]), str(e.get("text", ""))) for e in corpus[::11]]
    for analysis in analyzer.analyze_many(articles):
        keys = [(-c.weight, c.iso2) for c in analysis.countries]
        assert keys == sorted(keys)
        assert all(c.weight == round(c.weight, 3) for c in analysis.countries)
