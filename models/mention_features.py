"""Hand-made features of each country in a parsed article, for the role classifier.

Each mention is read once (the words just before and after it, its kind, its sentence)
and the readings are summed per country, so the cost grows with the number of mentions,
not with mentions times countries. A few features relate a country to the others in the
headline ("Japan raises its warning for Burkina Faso": Burkina Faso follows an actor).

:func:`article_features` works on a whole batch of articles at once, column by column:
each pattern of :mod:`models.mention_patterns` runs once per mention (and only at the
mentions its gates let through), and numpy sums the readings per country. Training and
the service share it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from itertools import chain, count, pairwise, repeat
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from models.articles import ParsedArticle
from models.gazetteer import Mention
from models.mention_patterns import (
    ACTOR,
    ACTOR_AFTER,
    ACTOR_NOUN_AFTER,
    AID,
    BEFORE_SUBJECT,
    BENEFICIARY_BEFORE,
    BORDER,
    BORDER_AFTER,
    BORDER_BEFORE,
    COORDINATION,
    DATELINE,
    DIASPORA,
    DIASPORA_AFTER,
    DIPLOMATIC,
    DIPLOMATIC_IN,
    ENDING_BITS,
    FIRST_WORD_AFTER,
    FIRST_WORD_KINDS,
    GIVER_AFTER,
    GIVING,
    GIVING_AFTER,
    HEAD_COLON,
    HEAD_GAP,
    HOST,
    HOST_AFTER,
    LAST_WORD_KINDS,
    MISSION,
    MISSION_ACT,
    MISSION_ACTION,
    MISSION_OBJECT,
    MISSION_OF,
    NEAR_BEFORE,
    NEIGHBOUR,
    NEIGHBOUR_BEFORE,
    NOUN,
    NOUN_WORD,
    PREPOSITION,
    RISK,
    SOURCE_BEFORE,
    SPORT,
    TAIL_CHARS,
    VENUE,
    VENUE_BEFORE,
    VENUE_WORD,
    WORD_KINDS,
    sentence_kinds,
)

__all__ = ["FEATURE_NAMES", "article_features", "country_features"]

# Mention kinds as the features group them: a country's name, a city of it, its people.
_NAME, _CITY, _DEMONYM = 1, 2, 3
_KIND_GROUP = {"name": _NAME, "alias": _NAME, "capital": _CITY, "city": _CITY, "demonym": _DEMONYM}

FEATURE_NAMES: tuple[str, ...] = (
    "in_title",
    "first_in_title",
    "title_only_country",
    "title_prep_before",
    "title_actor_after",
    "title_colon_after",
    "title_host_after",
    "title_city",
    "title_demonym_only",
    "title_after_actor",
    "title_other_actor",
    "first_overall",
    "first_position",
    "log_count",
    "count_share",
    "sentence_share",
    "log_n_countries",
    "prep_before",
    "diplomatic_in_before",
    "capital_city",
    "demonym_share",
    "actor_after",
    "host_after",
    "actor_noun_after",
    "demonym_actor_noun",
    "neighbour_before",
    "diaspora_after",
    "venue_after",
    "capital_actor",
    "sole_risk_sentences",
    "shared_risk_sentences",
    "sport_sentences",
    "title_sport",
    "is_top_count",
    "other_country_acts",
    "actor_cue",
    "first_in_title_actor_cue",
    "border_after",
    "demonym_beneficiary",
    "giving_after",
    "lone_giver",
    "lone_venue",
    "title_before_beneficiary",
)
_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}
# Counts that are log1p-compressed (a long article should not drown a headline).
_LOGGED = [
    _INDEX[n]
    for n in (
        "prep_before",
        "diplomatic_in_before",
        "capital_city",
        "actor_after",
        "host_after",
        "actor_noun_after",
        "demonym_actor_noun",
        "neighbour_before",
        "diaspora_after",
        "venue_after",
        "capital_actor",
        "sole_risk_sentences",
        "shared_risk_sentences",
        "sport_sentences",
        "border_after",
        "demonym_beneficiary",
        "giving_after",
    )
]


def article_features(
    articles: Sequence[ParsedArticle], kinds: NDArray[np.int64] | None = None
) -> tuple[list[tuple[str, ...]], NDArray[np.float64]]:
    """Countries of each article in order of appearance, and their feature rows stacked.

    Parameters
    ----------
    articles : sequence of ParsedArticle
        Parsed articles.
    kinds : ndarray of int, optional
        The :func:`sentence_kinds` of every sentence of ``articles``, one article after
        another, for a caller that has its tokens' kinds already; found here if omitted.

    Returns
    -------
    countries : list of tuple of str
        ISO alpha-2 codes of each article, in order of first appearance.
    features : ndarray of shape (total countries, len(FEATURE_NAMES))
        One row per country, articles one after the other in ``countries`` order.
    """
    if kinds is None:
        sentences = [tokens for article in articles for tokens in article.tokens]
        lengths = np.fromiter(map(len, sentences), dtype=np.intp, count=len(sentences))
        kinds = sentence_kinds(WORD_KINDS.of(sentences, int(lengths.sum())), lengths)
    read = _Readings(articles)
    return read.countries, read.features(kinds)


class _Readings:
    """The mentions of a batch of articles, flattened, and the features summed from them.

    Rows are countries (an article's rows are consecutive, in order of first appearance);
    readings per mention and per (sentence, country) pair are kept column-wise so that
    each pattern runs in one comprehension and numpy does the summing. Which row each
    mention counts for is worked out by numpy for the whole batch too.
    """

    def __init__(self, articles: Sequence[ParsedArticle]) -> None:
        by_sentence = list(chain.from_iterable(article.mentions for article in articles))
        mentions: list[Mention] = list(chain.from_iterable(by_sentence))
        n_mentions = len(mentions)
        # Per article: its number of sentences, and its title's index in the batch.
        self.n_sentences = np.fromiter(
            map(len, map(attrgetter("mentions"), articles)), dtype=np.intp, count=len(articles)
        )
        self.titles = self.n_sentences.cumsum() - self.n_sentences
        # Per sentence of the batch, then per sentence naming a country.
        counts = np.fromiter(map(len, by_sentence), dtype=np.intp, count=len(by_sentence))
        article_of = np.arange(len(articles)).repeat(self.n_sentences)
        self.named = counts.nonzero()[0]
        self.per_named = counts[self.named]
        self.index_named = self.named - self.titles[article_of[self.named]]  # in the article
        # Per mention: its lower-cased sentence, its article, its place in it.
        in_batch = np.arange(len(by_sentence)).repeat(counts)
        lowered = list(chain.from_iterable(article.lowered for article in articles))
        self.sentences = list(map(lowered.__getitem__, in_batch.tolist()))
        self.article = article_of[in_batch]
        self.in_title = in_batch == self.titles[self.article]
        self.starts: Sequence[int] = ()
        self.ends: Sequence[int] = ()
        self.kind_names: Sequence[str] = ()
        iso2s: Sequence[str] = ()
        if n_mentions:
            iso2s, self.starts, self.ends, _, self.kind_names = zip(*mentions, strict=True)
        # Rows: (article, country) pairs, numbered in order of first mention.
        numbers: defaultdict[str, int] = defaultdict(count().__next__)
        country = np.fromiter(map(numbers.__getitem__, iso2s), dtype=np.intp, count=n_mentions)
        _, firsts, group = np.unique(
            self.article * len(numbers) + country, return_index=True, return_inverse=True
        )
        by_first = np.argsort(firsts)
        row_of_group = np.empty_like(by_first)
        row_of_group[by_first] = np.arange(len(by_first))
        self.rows: NDArray[np.intp] = row_of_group[group]
        first_mentions = firsts[by_first]
        self.n_rows = len(first_mentions)
        self.first_sentence = (in_batch - self.titles[self.article])[first_mentions]
        self.sizes = np.bincount(self.article[first_mentions], minlength=len(articles))
        self.first_rows = self.sizes.cumsum() - self.sizes
        names = [iso2s[i] for i in first_mentions.tolist()]
        bounds = [*self.first_rows.tolist(), len(names)]
        self.countries = [tuple(names[lo:hi]) for lo, hi in pairwise(bounds)]
        # The mentions of each title.
        title_starts = (counts.cumsum() - counts)[self.titles]
        title_ends = title_starts + counts[self.titles]
        self.title_spans = list(zip(title_starts.tolist(), title_ends.tolist(), strict=True))
        self.first_title_row = np.full(len(articles), -1)
        titled = title_ends > title_starts
        self.first_title_row[titled] = self.rows[title_starts[titled]]

    def features(self, kinds: NDArray[np.int64]) -> NDArray[np.float64]:
        """The feature rows, given the cue kinds of every sentence of the batch."""
        n_rows = self.n_rows
        out = np.zeros((n_rows, len(FEATURE_NAMES)))
        if not n_rows:
            return out
        ix = _INDEX
        per_mention = self.per_named
        named_kinds = kinds[self.named]
        sentence_index = self.index_named
        mention_kinds = named_kinds.repeat(per_mention)
        in_title = self.in_title
        kind_group = np.fromiter(
            map(_KIND_GROUP.get, self.kind_names, repeat(0)),
            dtype=np.intp,
            count=len(self.kind_names),
        )
        city, named, demonym = kind_group == _CITY, kind_group == _NAME, kind_group == _DEMONYM
        (
            before,
            diplomatic_in,
            neighbour,
            beneficiary,
            actor,
            host,
            noun,
            diaspora,
            venue,
            colon,
            border,
            giving,
        ) = self._mention_readings(
            self.sentences,
            self.starts,
            self.ends,
            in_title,
            mention_kinds,
            city,
            demonym,
            named,
        )
        by_mention = {
            "prep_before": before,
            "diplomatic_in_before": diplomatic_in,
            "capital_city": city,
            "actor_after": actor,
            "host_after": host,
            "actor_noun_after": noun & ~demonym,
            "demonym_actor_noun": noun & demonym,
            "neighbour_before": neighbour,
            "diaspora_after": diaspora,
            "venue_after": venue,
            "border_after": border,
            "demonym_beneficiary": beneficiary,
            "giving_after": giving,
            "capital_actor": city & (actor | host),
            "title_prep_before": before & in_title,
            "title_actor_after": actor & in_title,
            "title_host_after": host & in_title,
            "title_city": city & in_title,
            "title_colon_after": colon,
        }
        summed = _per_row(
            self.rows,
            n_rows,
            [*by_mention.values(), in_title, in_title & ~demonym, demonym, np.ones_like(city)],
        )
        out[:, [ix[name] for name in by_mention]] = summed[:, : len(by_mention)]
        named_in_title = summed[:, -4] > 0
        named_in_title_by_name = summed[:, -3] > 0
        demonyms, counts = summed[:, -2], summed[:, -1]
        actor_counts = out[:, ix["actor_after"]].copy()  # before the log below
        title_actor = out[:, ix["title_actor_after"]]
        # Per (sentence, country named in it), sentence after sentence.
        named_of = np.arange(len(per_mention)).repeat(per_mention)
        # Sorted, then deduplicated: np.unique of plain integers hashes them, ten times
        # slower at this size.
        keys = np.sort(named_of * n_rows + self.rows)
        pairs = keys[np.concatenate(((True,), keys[1:] != keys[:-1]))]
        per_sentence = np.bincount(pairs // n_rows, minlength=len(per_mention))
        pair_kinds = named_kinds.repeat(per_sentence)
        risky = pair_kinds & RISK > 0
        # A sentence naming one country that acts in it ("Tokyo told its nationals to leave
        # after attacks") reports risk elsewhere, not in that country.
        acting = np.add.reduceat(actor, per_mention.cumsum() - per_mention) > 0
        sole = ((per_sentence == 1) & ~acting).repeat(per_sentence)
        sporty = (pair_kinds & SPORT > 0) & (sentence_index > 0).repeat(per_sentence)
        pair_sums = _per_row(
            pairs % n_rows, n_rows, [risky & sole, risky & ~sole, sporty, np.ones_like(sole)]
        )
        out[:, ix["sole_risk_sentences"]] = pair_sums[:, 0]
        out[:, ix["shared_risk_sentences"]] = pair_sums[:, 1]
        out[:, ix["sport_sentences"]] = pair_sums[:, 2]
        sentence_counts = pair_sums[:, 3]

        # Relations between the countries of one article.
        first_rows, sizes = self.first_rows, self.sizes
        article_of = np.arange(len(first_rows)).repeat(sizes)
        group_starts = first_rows[sizes > 0]

        def per_article(values: NDArray[Any], reduce: np.ufunc = np.add) -> NDArray[np.float64]:
            """``values`` reduced over each article's rows, repeated on every row."""
            reduced: NDArray[np.float64] = reduce.reduceat(values, group_starts)
            return reduced.repeat(sizes[sizes > 0])

        title_actors = title_actor > 0
        n_sentences = self.n_sentences[article_of].astype(np.float64)
        first_sentence = self.first_sentence.astype(np.float64)
        first_title = self.first_title_row[article_of]
        actor_cue = (
            out[:, ix["actor_after"]]
            + out[:, ix["actor_noun_after"]]
            + out[:, ix["demonym_actor_noun"]]
            > 0
        )
        is_first_in_title = np.arange(n_rows) == first_title
        out[:, ix["in_title"]] = named_in_title
        out[:, ix["first_in_title"]] = is_first_in_title
        out[:, ix["title_only_country"]] = named_in_title & (per_article(named_in_title) == 1)
        out[:, ix["title_demonym_only"]] = named_in_title & ~named_in_title_by_name
        lone = out[:, ix["title_only_country"]] > 0
        out[:, ix["lone_giver"]] = lone & (out[:, ix["giving_after"]] > 0)
        out[:, ix["lone_venue"]] = lone & (out[:, ix["venue_after"]] > 0)
        out[:, ix["title_other_actor"]] = per_article(title_actors) - title_actors > 0
        title_sport = kinds[self.titles] & SPORT > 0
        out[:, ix["title_sport"]] = title_sport[article_of]
        out[:, ix["first_overall"]] = np.arange(n_rows) == first_rows[article_of]
        out[:, ix["first_position"]] = np.where(
            n_sentences > 1, 1.0 - first_sentence / np.maximum(n_sentences - 1, 1), 1.0
        )
        out[:, ix["log_count"]] = np.log1p(counts)
        out[:, ix["count_share"]] = counts / per_article(counts)
        out[:, ix["sentence_share"]] = sentence_counts / n_sentences
        # Beyond four countries (lists of a region's countries) more add nothing.
        out[:, ix["log_n_countries"]] = np.log(np.minimum(sizes.repeat(sizes), 4))
        out[:, ix["is_top_count"]] = counts == per_article(counts, np.maximum)
        out[:, ix["demonym_share"]] = demonyms / np.maximum(counts, 1)
        # Whether another country acts, not how often: one actor's second verb ("France urges
        # ...; Paris closes embassy") says nothing more about the others.
        out[:, ix["other_country_acts"]] = per_article(actor_counts) - actor_counts > 0
        # Acting needs a cue of its own: a verb, an official noun or a capital acting.
        out[:, ix["actor_cue"]] = actor_cue
        out[:, ix["first_in_title_actor_cue"]] = is_first_in_title & actor_cue
        self._title_after_actor(out[:, ix["title_after_actor"]], actor & in_title, title_actors)
        self._title_before_beneficiary(
            out[:, ix["title_before_beneficiary"]], beneficiary & in_title
        )
        out[:, _LOGGED] = np.log1p(out[:, _LOGGED])
        return out

    def _mention_readings(
        self,
        sentences: list[str],
        starts: Sequence[int],
        ends: Sequence[int],
        in_title: NDArray[np.bool_],
        kinds: NDArray[np.intp],
        city: NDArray[np.bool_],
        demonym: NDArray[np.bool_],
        named: NDArray[np.bool_],
    ) -> tuple[NDArray[np.bool_], ...]:
        """Per mention, whether each pattern matches before or after it.

        In order: preposition, diplomatic noun, neighbour word and word of giving
        (demonyms only) before; actor verb or owned mission ("the Embassy of Canada"),
        host verb, actor noun, diaspora word, venue word (cities only), colon (titles
        only) and border after or before. Tails are matched in place, at most 64
        characters from the mention. Arguments hold one entry per mention: its
        lower-cased sentence, its start and end there, whether it is in the title, the
        cue words of its sentence and its kind. A pattern runs only at the mentions that
        meet a cheap necessary condition of it (a cue word in the sentence, see
        :func:`models.mention_patterns.cued`, or the last word before the mention or the
        first after it): most mentions meet few.
        """
        n = len(sentences)

        def where(mask: NDArray[np.bool_]) -> list[int]:
            at: list[int] = mask.nonzero()[0].tolist()
            return at

        def having(kind: int) -> list[int]:
            """Mentions in sentences with a cue of ``kind``."""
            return where(kinds & kind > 0)

        # The words of each head (the last four of the 48 characters before the mention:
        # rsplit leaves any earlier ones in its first item), and the last one; just ""
        # where no space precedes the mention, as every "before" pattern needs a word and
        # a space after it. Words repeat, so the gates of a last word are looked up.
        words_before = [
            (s[i - 48 if i > 48 else 0 : i].rsplit(None, 4) or [""])
            if i and s[i - 1].isspace()
            else [""]
            for s, i in zip(sentences, starts, strict=True)
        ]
        last_words = list(map(itemgetter(-1), words_before))
        last_kinds = LAST_WORD_KINDS.of([last_words], n)

        def ending(pattern: re.Pattern[str], among: NDArray[np.bool_] | bool = True) -> list[int]:
            """The mentions (of ``among``) after whose last word ``pattern`` may match."""
            return where((last_kinds & ENDING_BITS[pattern] > 0) & among)

        prepositions = last_kinds & PREPOSITION > 0
        # The "before" patterns, each with the mentions it runs at.
        befores = {
            BEFORE_SUBJECT: ending(BEFORE_SUBJECT, ~prepositions),
            DIPLOMATIC_IN: ending(DIPLOMATIC_IN, kinds & DIPLOMATIC > 0),
            NEIGHBOUR_BEFORE: having(NEIGHBOUR),
            BENEFICIARY_BEFORE: where(demonym),
            SOURCE_BEFORE: self._title_tails(sentences),
            MISSION_OF: ending(MISSION_OF, kinds & MISSION > 0),
            VENUE_BEFORE: ending(VENUE_BEFORE),
            BORDER_BEFORE: ending(BORDER_BEFORE, kinds & BORDER > 0),
            NEAR_BEFORE: ending(NEAR_BEFORE, named),
        }
        read = np.zeros(n, dtype=bool)
        for at in befores.values():
            read[at] = True
        heads = {i: " ".join(words_before[i][-4:]) + " " for i in where(read)}

        def before(pattern: re.Pattern[str]) -> NDArray[np.bool_]:
            found = np.zeros(n, dtype=bool)
            at = befores[pattern]
            if at:
                search = pattern.search
                found[at] = [search(heads[i]) is not None for i in at]
            return found

        def after(pattern: re.Pattern[str], at: list[int]) -> NDArray[np.bool_]:
            found = np.zeros(n, dtype=bool)
            if at:
                match = pattern.match
                found[at] = [
                    match(sentences[i], ends[i], ends[i] + TAIL_CHARS) is not None for i in at
                ]
            return found

        # A verb pattern runs where its verb is a cue word of the sentence and the first
        # word after the mention is one (or a word of the lead before a verb); the actor
        # noun pattern where its cue and its first word agree too, VENUE only after
        # cities, where that word starts with one of its words.
        mission = MISSION_ACT | MISSION_OBJECT
        read_at = where((kinds & (ACTOR | GIVING | NOUN) > 0) | (kinds & mission == mission) | city)
        first_word = FIRST_WORD_AFTER.match
        words = [
            match[1] if (match := first_word(sentences[i], ends[i], ends[i] + TAIL_CHARS)) else ""
            for i in read_at
        ]
        word_kinds = np.zeros(n, dtype=np.int64)
        word_kinds[read_at] = FIRST_WORD_KINDS.of([words], len(words))
        verb_kinds = word_kinds & kinds
        giver = after(GIVER_AFTER, having(AID))
        acting = (
            after(ACTOR_AFTER, where(verb_kinds & ACTOR > 0))
            | after(
                MISSION_ACTION,
                where((verb_kinds & MISSION_ACT > 0) & (kinds & MISSION_OBJECT > 0)),
            )
            | giver
            | before(SOURCE_BEFORE)
            | before(MISSION_OF)
        )
        heading = after(HEAD_COLON, self._title_heads(sentences))
        giving = after(GIVING_AFTER, where(verb_kinds & GIVING > 0)) | giver
        _share_along_lists(sentences, starts, ends, [acting, heading, giving])
        subject = before(BEFORE_SUBJECT)
        subject |= prepositions
        return (
            subject,
            before(DIPLOMATIC_IN),
            before(NEIGHBOUR_BEFORE),
            before(BENEFICIARY_BEFORE),
            acting,
            after(HOST_AFTER, having(HOST)),
            after(ACTOR_NOUN_AFTER, where((kinds & NOUN > 0) & (word_kinds & NOUN_WORD > 0))),
            after(DIASPORA_AFTER, having(DIASPORA)),
            after(VENUE, where(city & (word_kinds & VENUE_WORD > 0)))
            | after(DATELINE, where(city & in_title))
            | before(VENUE_BEFORE),
            heading,
            after(BORDER_AFTER, having(BORDER)) | before(BORDER_BEFORE) | before(NEAR_BEFORE),
            giving,
        )

    def _title_tails(self, sentences: list[str]) -> list[int]:
        """The title mentions followed by at most two words before the title ends."""
        ends = self.ends
        return [
            j
            for lo, hi in self.title_spans
            for j in range(lo, hi)
            if len(sentences[j][ends[j] :].split()) <= 2
        ]

    def _title_heads(self, sentences: list[str]) -> list[int]:
        """The title mentions that head their title: only separators, "the" or other
        heading countries before them ("Chad: ...", "Iraq/Jordan: ..."), so a colon or
        dash after them labels the story, unlike one after a country that ends a title
        ("Situation report: Jordan, Iraq - 5 May")."""
        heads = []
        gap = HEAD_GAP.fullmatch
        for lo, hi in self.title_spans:
            position = 0
            for j in range(lo, hi):
                if gap(sentences[j], position, self.starts[j]) is None:
                    break
                heads.append(j)
                position = self.ends[j]
        return heads

    def _first_in_titles(self, flags: NDArray[np.bool_]) -> list[int]:
        """The first mention of each title that has one of ``flags`` (title mentions)."""
        at = flags.nonzero()[0]
        first = np.ones(len(at), dtype=bool)
        first[1:] = self.article[at[1:]] != self.article[at[:-1]]
        found: list[int] = at[first].tolist()
        return found

    def _title_before_beneficiary(
        self, column: NDArray[np.float64], beneficiary: NDArray[np.bool_]
    ) -> None:
        """Mark countries named in a title before the people it helps ("US ships wheat for
        Syrians", "Further UK support for Syrians"): the giver, even without a verb."""
        rows = self.rows
        for first in self._first_in_titles(beneficiary):
            lo, hi = self.title_spans[self.article[first]]
            for j in range(lo, hi):
                if self.ends[j] <= self.starts[first] and rows[j] != rows[first]:
                    column[rows[j]] = 1.0

    def _title_after_actor(
        self, column: NDArray[np.float64], actor: NDArray[np.bool_], title_actors: NDArray[np.bool_]
    ) -> None:
        """Mark countries named in a title after its first actor ("... for Burkina Faso")."""
        rows = self.rows
        for first in self._first_in_titles(actor):
            lo, hi = self.title_spans[self.article[first]]
            for j in range(lo, hi):
                if self.starts[j] >= self.ends[first] and not title_actors[rows[j]]:
                    column[rows[j]] = 1.0


def _share_along_lists(
    sentences: list[str],
    starts: Sequence[int],
    ends: Sequence[int],
    readings: list[NDArray[np.bool_]],
) -> None:
    """Give each of ``readings`` (one flag per mention) also to each mention listed just
    before one that has it ("Belgium and France close ...": Belgium closes too).

    From each mention followed by one with some reading, back along the list as far as
    mentions stand coordinated; later mentions first, so a reading travels along a
    whole list whichever of its members has it.
    """
    if len(starts) < 2:
        return
    followed = np.logical_or.reduce(readings)[1:].nonzero()[0]
    coordinated = COORDINATION.fullmatch
    for last in followed[::-1].tolist():
        i = last
        while (
            i >= 0
            and sentences[i] is sentences[i + 1]
            and ends[i] <= starts[i + 1]
            and coordinated(sentences[i], ends[i], starts[i + 1])
        ):
            for reading in readings:
                reading[i] |= reading[i + 1]
            i -= 1


def _per_row(
    rows: NDArray[np.intp], n_rows: int, flags: Sequence[NDArray[np.bool_]]
) -> NDArray[np.float64]:
    """How many entries of each row have each flag: shape (n_rows, len(flags)).

    One bincount for all the flags (a batch of one article would otherwise pay numpy's
    per-call cost once a column), of the (flag, row) of each flag set: most are not.
    """
    k = len(flags)
    flag, entry = np.array(flags).nonzero()
    counts = np.bincount(flag * n_rows + rows[entry], minlength=k * n_rows)
    return counts.reshape(k, n_rows).T.astype(np.float64)


def country_features(
    article: ParsedArticle, countries: Sequence[str], names: Sequence[str] = FEATURE_NAMES
) -> NDArray[np.float64]:
    """Mention features of several countries of one article (the columns ``names``).

    Parameters
    ----------
    article : ParsedArticle
        The parsed article.
    countries : sequence of str
        ISO alpha-2 codes found in it.
    names : sequence of str, default=FEATURE_NAMES
        The feature columns to return.

    Returns
    -------
    ndarray of shape (len(countries), len(names))
        The features.
    """
    (order,), rows = article_features([article])
    where = {c: i for i, c in enumerate(order)}
    picked = rows[[where[c] for c in countries]] if countries else rows[:0]
    if tuple(names) == FEATURE_NAMES:
        return picked
    return picked[:, [_INDEX[n] for n in names]]
