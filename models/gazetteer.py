"""Country gazetteer: every way a source or an article names a country, mapped to ISO alpha-2.

Advisory sources each spell countries their own way ("Myanmar_Burma", "Korea, South",
"Democratic Republic of Congo (Kinshasa)") and the US State Department tags items with
FIPS-style codes ("GM" is Germany). News text names countries through capitals, cities,
regions and demonyms. Everything downstream keys on ISO 3166-1 alpha-2, so this module is
the one place where names become codes.

The data (aliases, capitals and cities, demonyms, tag tables, ambiguity cues) lives in
YAML under ``config/gazetteer/``; this module only interprets it. Kosovo is covered under
the user-assigned code ``XK``: resolvable and returned by :meth:`Gazetteer.country`, but
not part of :attr:`Gazetteer.countries`, which is exactly the ISO 3166-1 list.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any, Literal, NamedTuple

import pycountry
import yaml

__all__ = [
    "DEFAULT_CONFIG_DIR",
    "Country",
    "Gazetteer",
    "Mention",
    "MentionKind",
    "MentionTuple",
    "default_gazetteer",
    "normalise_name",
    "trie_pattern",
]

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[1] / "config" / "gazetteer"

MentionKind = Literal["name", "alias", "capital", "city", "demonym", "code"]

# When one surface is listed twice for the same country, the more specific kind wins.
_KIND_RANK: dict[str, int] = {
    "name": 0,
    "alias": 1,
    "code": 2,
    "capital": 3,
    "city": 4,
    "demonym": 5,
}

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_FORMAL_PREFIX = re.compile(
    r"^(?:co operative |federal )?(?:republic|state|kingdom|principality|sultanate)"
    r" of (?:the union of )?(?:the )?"
)
_PARENTHETICAL = re.compile(r"^(?P<outer>[^()]*)\((?P<inner>[^()]*)\)(?P<rest>[^()]*)$")


def normalise_name(s: str) -> str:
    """Fold a country name to the key used for exact lookup.

    Sources differ in case, accents, apostrophes, punctuation and a leading "the"
    ("Côte d’Ivoire", "cote d'ivoire", "Cote d Ivoire"); all of them must meet in one key.

    Parameters
    ----------
    s : str
        Any name or code.

    Returns
    -------
    str
        Casefolded, accent-free text where "&" reads "and", full stops vanish (so "U.S."
        meets "US"), every other punctuation mark is a space, whitespace is collapsed and
        a leading "the " is dropped.
    """
    s = unicodedata.normalize("NFKD", s.translate(_APOSTROPHES))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    s = s.replace("&", " and ").replace(".", "")
    s = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in s)
    s = " ".join(s.split())
    if s.startswith("the "):
        s = s[4:]
    return s


def _ascii_fold(s: str) -> str:
    """Strip accents but keep case and punctuation (a surface form writers also use)."""
    decomposed = unicodedata.normalize("NFKD", s)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


@dataclass(frozen=True)
class Country:
    """One country or territory: ISO codes and a short English display name."""

    iso2: str
    iso3: str
    name: str


class Mention(NamedTuple):
    """A country reference found in text, with its character span ``text[start:end]``.

    A named tuple rather than a dataclass: articles yield thousands of mentions a second,
    and a tuple of strings and ints is one allocation that the garbage collector stops
    tracking.
    """

    iso2: str
    start: int
    end: int
    surface: str
    kind: MentionKind


class _Entry(NamedTuple):
    """What a matched surface means before context is applied.

    ``special`` marks surfaces whose meaning depends on context (personal names, US state
    homonyms, shared names); only articles containing one pay for the context pass.
    """

    iso2: str
    kind: MentionKind
    special: bool = False


# Makes a Mention without the named tuple's Python-level __new__.
_new_tuple = tuple.__new__
# A mention as a plain tuple laid out as Mention, made in a fifth of the time (35 ns, no
# tuple.__new__ call): for mentions that are not handed out as they are.
MentionTuple = tuple[str, int, int, str, MentionKind]


@dataclass(frozen=True)
class _Ambiguity:
    """Context rules for surfaces that do not always name the same country."""

    shared: Mapping[str, tuple[str, ...]]
    shared_cues_before: Mapping[str, Mapping[str, tuple[str, ...]]]
    person_names: frozenset[str]
    not_person_before: frozenset[str]
    not_person_after: frozenset[str]
    us_state_homonyms: frozenset[str]
    us_cues_after: frozenset[str]
    us_cues_before: tuple[str, ...]
    suppress: frozenset[str]


_NEXT_WORD = re.compile(r" ([A-Z][a-z]+)\b")
_PREV_WORD = re.compile(r"(?:^|(?<=[\s(\"']))((?:Mr|Mrs|Ms|Dr)\.|[A-Z][a-z]+|[A-Z]\.) $")
_NEXT_WORDS = re.compile(r"(?:'s|\u2019s)? ([A-Za-z]+)")
_US_AFTER = re.compile(r", (?:USA|U\.S\.A?\.?|US|United States)\b")


_LOWER_WORD = re.compile(r"(?<![\w'\u2019])[a-z]{4,}")


def _is_title_case(text: str, start: int, end: int) -> bool:
    """No lowercase word of 4+ letters near the span: a headline in Title Case."""
    return _LOWER_WORD.search(text[max(0, start - 60) : end + 60]) is None


def _load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def _check_code_map(data: Any, path: Path) -> dict[str, Any]:
    """Refuse keys YAML turned into something else (a bare ``NO`` becomes ``False``)."""
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    for key in data:
        if not isinstance(key, str) or len(key) != 2 or not key.isupper():
            raise ValueError(f"{path}: key {key!r} is not an alpha-2 code (quote 'NO')")
    return data


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation shaped as a character trie.

    A flat alternation of thousands of names is tried name by name at every position;
    a trie lets the engine reject a position on its first character, which is what keeps
    matching at tens of thousands of articles a second.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        ends_here = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if len(branches) == 1 and not ends_here:
            return branches[0]
        if ends_here:
            # "(?:...|)" rather than the same "(?:...)?": an optional group is a
            # repeat, which the engine sets up more slowly than a branch.
            branches.append("")
        return "(?:" + "|".join(branches) + ")"

    return build(trie)


def _is_prose_alias(alias: str) -> bool:
    """Source spellings such as "Korea, South" or "Burma (Myanmar)" never occur in prose."""
    return not any(ch in alias for ch in ",()/_") and " - " not in alias


def _alias_kind(alias: str) -> MentionKind:
    letters = alias.replace(".", "")
    return "code" if letters.isalpha() and letters.isupper() and len(letters) <= 5 else "alias"


def _plural(demonym: str) -> str | None:
    if demonym.endswith(("ese", "ish", "ch", "ss", "s", "z", "x")):
        return None
    return demonym + "s"


class Gazetteer:
    """Names, codes, capitals, cities and demonyms -> ISO 3166-1 alpha-2.

    Build one with :meth:`load` (or share :func:`default_gazetteer`); instances are
    immutable after construction and safe to share between threads.
    """

    def __init__(
        self,
        countries: tuple[Country, ...],
        extra: Mapping[str, Country],
        names: Mapping[str, str],
        tags: Mapping[str, Mapping[str, str]],
        surfaces: Mapping[str, _Entry | None],
        ambiguity: _Ambiguity,
    ) -> None:
        self._countries = countries
        self._by_iso2: dict[str, Country] = {c.iso2: c for c in countries}
        self._by_iso2.update(extra)
        self._names = dict(names)
        self._tags = {scheme: dict(table) for scheme, table in tags.items()}
        self._surfaces = dict(surfaces)
        self._amb = ambiguity
        # Longest surfaces first inside the trie is implicit: "?" is greedy, so
        # "Guinea-Bissau" wins over "Guinea" and "Nigerien" over "Niger".
        # "US$45" and "HK$" are currencies, not countries: a name never ends in "$".
        self._pattern = re.compile(r"(?:" + trie_pattern(self._surfaces) + r")(?![\w$])")
        self._suggest_keys = sorted(self._names)

    # ------------------------------------------------------------------ construction

    @classmethod
    def load(cls, config_dir: Path | None = None) -> Gazetteer:
        """Build a gazetteer from pycountry plus the YAML files in ``config_dir``.

        Parameters
        ----------
        config_dir : Path, optional
            Folder holding aliases.yaml, destinations.yaml, cities.yaml, demonyms.yaml,
            display_names.yaml, us_state_tags.yaml and ambiguity.yaml; defaults to
            ``config/gazetteer``.

        Returns
        -------
        Gazetteer
            A ready gazetteer.

        Raises
        ------
        ValueError
            If the data contradicts itself (one name for two countries, an unknown code),
            so a bad edit fails at start-up rather than mis-filing advisories.
        """
        cdir = DEFAULT_CONFIG_DIR if config_dir is None else Path(config_dir)
        display = _load_yaml(cdir / "display_names.yaml")
        overrides = _check_code_map(display.get("names", {}), cdir / "display_names.yaml")
        extra_raw = _check_code_map(display.get("extra_countries", {}), cdir / "display_names.yaml")
        aliases = _check_code_map(_load_yaml(cdir / "aliases.yaml"), cdir / "aliases.yaml")
        cities = _check_code_map(_load_yaml(cdir / "cities.yaml"), cdir / "cities.yaml")
        demonyms = _check_code_map(_load_yaml(cdir / "demonyms.yaml"), cdir / "demonyms.yaml")
        french = _load_yaml(cdir / "french.yaml") if (cdir / "french.yaml").is_file() else {}
        for iso2, extra_names in _check_code_map(french.get("aliases", {}), cdir).items():
            aliases[iso2] = [*_as_list(aliases.get(iso2)), *_as_list(extra_names)]
        destinations = _check_code_map(
            _load_yaml(cdir / "destinations.yaml"), cdir / "destinations.yaml"
        )
        for iso2, titles in destinations.items():
            aliases[iso2] = [*_as_list(aliases.get(iso2)), *_as_list(titles)]
        for iso2, places in _check_code_map(french.get("cities", {}), cdir).items():
            spec = dict(cities.get(iso2) or {})
            spec["cities"] = [*_as_list(spec.get("cities")), *_as_list(places)]
            cities[iso2] = spec
        tag_data = _load_yaml(cdir / "us_state_tags.yaml").get("tags", {})
        amb_data = _load_yaml(cdir / "ambiguity.yaml")

        countries: list[Country] = []
        official: dict[str, list[str]] = {}
        for rec in pycountry.countries:
            iso2 = str(rec.alpha_2)
            common = getattr(rec, "common_name", None)
            name = str(overrides.get(iso2) or common or rec.name)
            countries.append(Country(iso2=iso2, iso3=str(rec.alpha_3), name=name))
            official[iso2] = [
                str(v)
                for v in (rec.name, common, getattr(rec, "official_name", None))
                if v is not None
            ]
        countries.sort(key=lambda c: c.iso2)
        extra = {
            str(code): Country(iso2=str(code), iso3=str(v["iso3"]), name=str(v["name"]))
            for code, v in extra_raw.items()
        }
        known = {c.iso2 for c in countries} | set(extra)
        for path, table in (
            ("display_names.yaml", overrides),
            ("aliases.yaml", aliases),
            ("cities.yaml", cities),
            ("demonyms.yaml", demonyms),
        ):
            unknown = sorted(set(table) - known)
            if unknown:
                raise ValueError(f"{cdir / path}: unknown country codes {unknown}")

        names = cls._build_name_index(countries, extra, official, aliases)

        tags: dict[str, dict[str, str]] = {"us-state": {}}
        for tag, iso2 in tag_data.items():
            if str(iso2) not in known:
                raise ValueError(f"us_state_tags.yaml: {tag} -> unknown code {iso2!r}")
            tags["us-state"][str(tag).upper()] = str(iso2)

        ambiguity = _Ambiguity(
            shared={str(k): tuple(_as_list(v)) for k, v in amb_data.get("shared", {}).items()},
            shared_cues_before={
                str(surface): {str(iso2): tuple(_as_list(cues)) for iso2, cues in table.items()}
                for surface, table in amb_data.get("shared_cues_before", {}).items()
            },
            person_names=frozenset(_as_list(amb_data.get("person_names"))),
            not_person_before=frozenset(_as_list(amb_data.get("not_person_before"))),
            not_person_after=frozenset(_as_list(amb_data.get("not_person_after"))),
            us_state_homonyms=frozenset(_as_list(amb_data.get("us_state_homonyms"))),
            us_cues_after=frozenset(_as_list(amb_data.get("us_cues_after"))),
            us_cues_before=tuple(_as_list(amb_data.get("us_cues_before"))),
            suppress=frozenset(_as_list(amb_data.get("suppress"))),
        )
        titles = {str(t) for names_ in destinations.values() for t in _as_list(names_)}
        surfaces = cls._build_surfaces(
            countries, extra, official, aliases, cities, demonyms, ambiguity, titles
        )
        return cls(tuple(countries), extra, names, tags, surfaces, ambiguity)

    @staticmethod
    def _build_name_index(
        countries: list[Country],
        extra: Mapping[str, Country],
        official: Mapping[str, list[str]],
        aliases: Mapping[str, Any],
    ) -> dict[str, str]:
        """Normalised name/code -> iso2; a key claimed by two countries is a data error."""
        index: dict[str, str] = {}

        def add(key: str, iso2: str, origin: str) -> None:
            norm = normalise_name(key)
            if not norm:
                return
            variants = {norm}
            words = norm.split()
            if "saint" in words or "st" in words:
                variants.add(" ".join("st" if w == "saint" else w for w in words))
                variants.add(" ".join("saint" if w == "st" else w for w in words))
            for v in variants:
                prev = index.setdefault(v, iso2)
                if prev != iso2:
                    raise ValueError(f"{origin}: {key!r} names both {prev} and {iso2}")

        for c in (*countries, *extra.values()):
            add(c.iso2, c.iso2, "ISO alpha-2")
            add(c.iso3, c.iso2, "ISO alpha-3")
            add(c.name, c.iso2, "display name")
            for name in official.get(c.iso2, []):
                add(name, c.iso2, "pycountry")
        for iso2, alist in aliases.items():
            for alias in _as_list(alist):
                add(alias, iso2, "aliases.yaml")
        return index

    @staticmethod
    def _build_surfaces(
        countries: list[Country],
        extra: Mapping[str, Country],
        official: Mapping[str, list[str]],
        aliases: Mapping[str, Any],
        cities: Mapping[str, Any],
        demonyms: Mapping[str, Any],
        amb: _Ambiguity,
        titles: AbstractSet[str],
    ) -> dict[str, _Entry | None]:
        """Exact-case surface forms for the text matcher; ``None`` marks a suppressed phrase.

        ``titles`` are advisory destination names matched whole although they hold commas
        or brackets ("Virgin Islands (U.S.)" is not the United States).
        """
        found: dict[str, _Entry] = {}
        clashes: dict[str, set[str]] = {}

        def add(surface: str, iso2: str, kind: MentionKind, upper: bool = False) -> None:
            forms = {surface, _ascii_fold(surface)}
            forms |= {f.replace("'", "\u2019") for f in forms if "'" in f}
            if upper and len(surface) >= 4:
                forms |= {f.upper() for f in forms}
            for form in forms:
                if not form or not form[0].isupper() and not form[0].isdigit():
                    continue  # lowercase words ("turkey", "chad") are never country names
                prev = found.get(form)
                if prev is None or _KIND_RANK[kind] < _KIND_RANK[prev.kind]:
                    found[form] = _Entry(iso2, kind)
                if prev is not None and prev.iso2 != iso2:
                    clashes.setdefault(form, set()).update({prev.iso2, iso2})

        for c in (*countries, *extra.values()):
            for name in {c.name, *official.get(c.iso2, [])}:
                if _is_prose_alias(name):
                    add(name, c.iso2, "name", upper=True)
        for iso2, alist in aliases.items():
            for alias in _as_list(alist):
                if _is_prose_alias(alias) or alias in titles:
                    kind = _alias_kind(alias)
                    add(alias, iso2, kind, upper=kind != "code")
        for iso2, spec in cities.items():
            spec = spec or {}
            for capital in _as_list(spec.get("capital")):
                add(capital, iso2, "capital")
            for city in _as_list(spec.get("cities")):
                add(city, iso2, "city")
        for iso2, dlist in demonyms.items():
            for dem in _as_list(dlist):
                add(dem, iso2, "demonym")
                plural = _plural(dem)
                if plural:
                    add(plural, iso2, "demonym")

        for surface, options in amb.shared.items():
            if surface not in found and options:
                shared_kind: MentionKind = (
                    "demonym" if surface.lower().endswith(("an", "ans", "ese")) else "name"
                )
                found[surface] = _Entry(options[0], shared_kind)
        undeclared = {s: cs for s, cs in clashes.items() if s not in amb.shared}
        if undeclared:
            raise ValueError(
                f"surfaces naming several countries, not in ambiguity.yaml: {undeclared}"
            )
        special = amb.person_names | amb.us_state_homonyms | set(amb.shared)
        surfaces: dict[str, _Entry | None] = {
            form: _Entry(e.iso2, e.kind, form in special) for form, e in found.items()
        }
        for phrase in amb.suppress:
            surfaces[phrase] = None
        return surfaces

    # ------------------------------------------------------------------ lookup

    @property
    def countries(self) -> tuple[Country, ...]:
        """All 249 ISO 3166-1 countries and territories, sorted by alpha-2 (no ``XK``)."""
        return self._countries

    def country(self, iso2: str) -> Country | None:
        """The country with this alpha-2 code (``XK`` included), else ``None``.

        Parameters
        ----------
        iso2 : str
            Alpha-2 code, any case.

        Returns
        -------
        Country or None
        """
        if not isinstance(iso2, str):
            return None
        return self._by_iso2.get(iso2.strip().upper())

    def resolve(self, name_or_code: str) -> str | None:
        """Exact lookup of a name, alias or ISO code; ``None`` when it names no country.

        Case, accents, apostrophes and punctuation are ignored. Source spellings such as
        "Korea, South", "Burma (Myanmar)" and "Myanmar_Burma" are handled by trying the
        parts when the whole is unknown, but only when every part that resolves agrees.
        Never raises: unknown or non-country input ("Worldwide Caution") gives ``None``.

        Parameters
        ----------
        name_or_code : str
            A country name in any common spelling, or an alpha-2/alpha-3 code.

        Returns
        -------
        str or None
            The ISO 3166-1 alpha-2 code (``XK`` for Kosovo).
        """
        if not isinstance(name_or_code, str):
            return None
        raw = name_or_code.strip()
        hit = self._names.get(normalise_name(raw))
        if hit is not None or not raw:
            return hit
        key = normalise_name(raw)
        stripped = _FORMAL_PREFIX.sub("", key)
        if stripped != key and stripped in self._names:
            return self._names[stripped]  # "the Republic of Rwanda", "State of Libya"
        paren = _PARENTHETICAL.match(raw)
        if paren:
            outer = paren["outer"] + paren["rest"]
            hit = self.resolve(outer)
            if hit is not None:
                return hit  # "Burma (Myanmar)"; never the sovereign in "Aruba (Netherlands)"
            # "Korea, Democratic Republic of (North Korea)": the gloss names the country,
            # but only trust it when it repeats a word of the name it explains.
            if set(normalise_name(outer).split()) & set(normalise_name(paren["inner"]).split()):
                return self.resolve(paren["inner"])
            return None
        candidates: list[str] = []
        if raw.count(",") == 1:
            head, tail = raw.split(",")
            candidates.append(f"{tail} {head}")  # "Korea, South"
        for sep in ("_", "/"):
            if sep in raw:
                candidates += raw.split(sep)  # "Myanmar_Burma", "Bonaire/St Eustatius/Saba"
        found = {self._names.get(normalise_name(c)) for c in candidates} - {None}
        if len(found) == 1:
            return found.pop()
        return None

    def resolve_tag(self, scheme: str, tag: str) -> str | None:
        """Map a source's own country code to ISO alpha-2.

        Parameters
        ----------
        scheme : str
            ``"us-state"``: the US State Department RSS ``Country-Tag`` (FIPS-like:
            ``GM`` Germany, ``UK`` United Kingdom, ``SF`` South Africa).
        tag : str
            The code as the source wrote it (surrounding whitespace and case ignored).

        Returns
        -------
        str or None
            ISO alpha-2, or ``None`` for an unknown scheme or tag (e.g. ``caution``).
        """
        table = self._tags.get(scheme)
        if table is None or not isinstance(tag, str):
            return None
        return table.get(tag.strip().upper())

    def suggest(self, query: str, limit: int = 5) -> list[Country]:
        """Countries whose names, aliases or codes are closest to ``query``, best first.

        For "did you mean" hints in 404 answers; never an input to scoring.

        Parameters
        ----------
        query : str
            What the caller typed.
        limit : int
            At most this many countries.

        Returns
        -------
        list of Country
            Distinct countries, possibly empty.
        """
        key = normalise_name(query)
        if not key or limit <= 0:
            return []
        exact = self._names.get(key)
        matches = difflib.get_close_matches(key, self._suggest_keys, n=limit * 4, cutoff=0.6)
        if len(key) >= 3:
            matches += [k for k in self._suggest_keys if k.startswith(key) and k not in matches]
        out: list[Country] = []
        seen: set[str] = set()
        for iso2 in [exact, *(self._names[m] for m in matches)]:
            if iso2 is None or iso2 in seen:
                continue
            seen.add(iso2)
            country = self._by_iso2.get(iso2)
            if country is not None:
                out.append(country)
            if len(out) >= limit:
                break
        return out

    # ------------------------------------------------------------------ free text

    def find_mentions(self, text: str) -> list[Mention]:
        """Every country reference in ``text``, in order of appearance.

        Matches names, aliases, uppercase codes ("US", "UAE", "DRC"), capitals, major
        cities and regions, and demonyms, longest first ("Guinea-Bissau" is not "Guinea",
        "Nigerien" is Niger and "Nigerian" Nigeria). Context then settles surfaces that
        are not always a country: "Michael Jordan" and "Chad Smith" are people, "Atlanta,
        Georgia" is the US state, a bare "Congo" or "Korea" follows the other mentions in
        the article, and phrases like "Gulf of Guinea" name no country. Whether a mention
        is what the text is *about* is the attribution model's job, not this one's.

        Parameters
        ----------
        text : str
            Article title and/or body.

        Returns
        -------
        list of Mention
            Non-overlapping mentions sorted by ``start``.
        """
        return list(map(_new_tuple, repeat(Mention), self.mention_tuples(text)))

    def mention_tuples(self, text: str) -> list[MentionTuple]:
        """:meth:`find_mentions` as plain tuples, for a caller that makes Mentions of its
        own (with offsets in a sentence): each mention is then made once.

        Parameters
        ----------
        text : str
            Article title and/or body.

        Returns
        -------
        list of tuple
            ``(iso2, start, end, surface, kind)`` of each mention, sorted by ``start``.
        """
        surfaces = self._surfaces
        mentions: list[MentionTuple] = []
        append = mentions.append
        special: list[int] = []
        # The hot loop: ~20 matches an article at >= 20,000 articles/s leaves ~2 us each,
        # hence no per-match calls.
        for match in self._pattern.finditer(text):
            start = match.start()  # start() and end() make no tuple, as span() does
            if start:
                before = text[start - 1]  # most often a space: settled by one comparison
                if before != " " and (before.isalnum() or before == "_"):
                    continue  # inside a longer word ("iPhone"-style internal capitals)
            surface = match[0]
            entry = surfaces[surface]
            if entry is None:
                continue  # a suppressed phrase such as "Gulf of Guinea"
            iso2, kind, is_special = entry
            if is_special:
                special.append(len(mentions))
            append((iso2, start, match.end(), surface, kind))
        if special:
            return self._apply_context(text, mentions, special)
        return mentions

    def _apply_context(
        self, text: str, mentions: list[MentionTuple], special: list[int]
    ) -> list[MentionTuple]:
        """Drop personal names, then settle shared surfaces and US state homonyms."""
        amb = self._amb
        dropped: set[int] = set()
        deferred: list[int] = []
        for i in special:
            _, start, end, surface, _ = mentions[i]
            if surface in amb.person_names and self._looks_like_person(text, start, end):
                dropped.add(i)
            elif surface in amb.shared or surface in amb.us_state_homonyms:
                deferred.append(i)
        if deferred:
            self._settle(text, mentions, deferred, dropped)
        if dropped:
            return [m for i, m in enumerate(mentions) if i not in dropped]
        return mentions

    def _looks_like_person(self, text: str, start: int, end: int) -> bool:
        """ "Jordan Peterson", "Michael Jordan": a capitalised name word right beside it.

        Not applied to Title Case text ("Israel Says It Has Paused..."), where every word
        is capitalised and the rule would drop real countries from headlines.
        """
        if _is_title_case(text, start, end):
            return False
        amb = self._amb
        after = _NEXT_WORD.match(text, end)
        if after and after[1] not in amb.not_person_after and after[1] not in self._surfaces:
            return True
        before = _PREV_WORD.search(text, max(0, start - 24), start)
        return bool(
            before
            and before[1] not in amb.not_person_before
            and before[1].rstrip(".") not in self._surfaces
        )

    def _settle(
        self, text: str, mentions: list[MentionTuple], deferred: list[int], dropped: set[int]
    ) -> None:
        """Give context-dependent surfaces (in place) their country from the rest of the text."""
        amb = self._amb
        unsure = set(deferred) | dropped
        firm = [m for i, m in enumerate(mentions) if i not in unsure]
        votes = Counter(iso2 for iso2, *_ in firm)
        us_places = any(iso2 == "US" and kind in ("city", "capital") for iso2, *_, kind in firm)
        for i in deferred:
            iso2, start, end, surface, kind = mentions[i]
            if surface in amb.us_state_homonyms:
                earlier = next(
                    (mentions[j] for j in range(i - 1, -1, -1) if j not in dropped), None
                )
                if self._us_state_cue(text, start, end, earlier) or (us_places and not votes[iso2]):
                    mentions[i] = ("US", start, end, surface, "city")
                continue
            head = text[max(0, start - 24) : start]
            cued = [
                country
                for country, cues in amb.shared_cues_before.get(surface, {}).items()
                if head.endswith(cues)
            ]
            if cued:  # "eastern Congo" is the DRC whatever else the article says
                mentions[i] = (cued[0], start, end, surface, kind)
                continue
            options = amb.shared.get(surface, ())
            # Most corroborated candidate wins; a tie goes to the first (the default).
            best = max(
                options, key=lambda option: (votes[option], option == options[0]), default=iso2
            )
            mentions[i] = (best, start, end, surface, kind)

    def _us_state_cue(self, text: str, start: int, end: int, previous: MentionTuple | None) -> bool:
        """Local evidence that a state name ("Georgia", ``text[start:end]``) means the US
        state; ``previous`` is the mention before it."""
        amb = self._amb
        nxt = _NEXT_WORDS.match(text, end)
        if nxt and nxt[1] in amb.us_cues_after:
            return True
        if _US_AFTER.match(text, end):
            return True
        head = text[max(0, start - 40) : start]
        if head.endswith(amb.us_cues_before):
            return True
        # "Atlanta, Georgia": a US place immediately before, separated by a comma.
        return bool(
            previous is not None
            and previous[0] == "US"
            and text[previous[2] : start] in (", ", ",")
        )


@functools.lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The gazetteer built from the bundled config, loaded once per process.

    Returns
    -------
    Gazetteer
        Shared instance (immutable, thread-safe to read).
    """
    return Gazetteer.load()
