"""How well a sentence answers a question, from its words, its kind and its source, before any model.

The embedding model judges whether a sentence is *about* what the question asks, and it rates a
sentence that restates the question (a heading, a document title, "Councillor X asked whether
...") above the sentence that answers it. So each candidate sentence is first scored from what
can be read off its text and source:

- **words**: the question's content words it contains, each weighted by how rare it is among the
  candidate sentences (a BM25-like inverse document frequency, so "MASH" in every sentence counts
  for little), as a share of the question's total weight;
- **answer type**: a question asking "how often" wants a frequency, "how long/how soon/by when" a
  time limit, "how many/how much" a figure, "when did" a date: a sentence that states one is
  raised, one that does not is lowered a little;
- **duty**: for a question about what someone has to do, a guidance or procedure sentence with
  "must" or "should" is raised and ranked by the authority of its source;
- **source named**: a question that names a year ("the 2020 review") or a kind of document
  ("the re-audit", "the minutes") raises sentences from documents whose title or date match;
- **no answer**: a sentence that is a question, reports a question, names a document's title, or
  says nothing the question does not already say is lowered.

The lexical score picks the few sentences worth embedding; the model's similarity is then added
to give the final score (see ``search.answers.extractive``).
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import snowballstemmer

from search.answers.obligations import obligation_of, sentence_kind
from search.answers.support import STOPWORDS
from search.models import SearchHit

# Words that frame a question rather than name what it is about.
_QUESTION_FRAME = frozenset(
    """
    often long soon quickly fast much many happen happens happened need needs needed have has had get gets
    got say says said tell told know please there anything something kind sort way ways actually still
    exactly really
    """.split()
)
_ACRONYM = re.compile(r"\b[A-Z]{2,6}s?\b")
_IRREGULAR = {"children": "child", "people": "person", "women": "woman", "men": "man", "bodies": "body"}
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][a-z]+)?")
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,6}s")
_ENGLISH = snowballstemmer.stemmer("english")

_DUTY_QUESTION = re.compile(
    r"\b(must|should|ha(ve|s) to|needs? to|required?|requirements?|duty|duties|obliged|expected|allowed"
    r"|permitted|responsibilit\w*|what (do|does|should|must) .{0,60}\bdo\b|how (quickly|soon|long|often)|can (a|an|the|we|i|our|they|staff)\b)",
    re.IGNORECASE,
)
_ANSWER_TYPES: dict[str, re.Pattern[str]] = {
    "frequency": re.compile(r"\bhow (often|frequently|regularly)\b|\bhow many times\b", re.IGNORECASE),
    "deadline": re.compile(
        r"\bhow (long|soon|quickly|fast)\b|\bby when\b|\bdeadlines?\b|\btime ?limits?\b|\btimescales?\b"
        r"|\btime ?frames?\b|\bwithin what\b|\bhow many (\w+ )?(days|hours|weeks|months)\b|\bwhen (must|should|do|does|has|have)\b",
        re.IGNORECASE,
    ),
    "quantity": re.compile(
        r"\bhow (many|much)\b|\bwhat (proportion|percentage|share|number|figure|cost|sum|amount)\b|\bhow big\b",
        re.IGNORECASE,
    ),
    "date": re.compile(r"\bwhen (did|was|were|will|is)\b|\bwhat date\b|\bwhich (year|month|date)\b", re.IGNORECASE),
    "recommendation": re.compile(r"\brecommend(ed|s)?\b", re.IGNORECASE),
    "status": re.compile(
        r"\b(been|being|was|were|is|are)\s+(fully\s+)?(implemented|delivered|accepted|completed|put right|closed|done)\b"
        r"|\bhappened to\b|\bbecame of\b|\bbecome of\b|\bstatus\b|\bprogress\b|\beventually\b",
        re.IGNORECASE,
    ),
    "reason": re.compile(r"^\s*why\b|\bwhat was the reason\b|\bwhy (had|has|was|were|did|is|are)\b", re.IGNORECASE),
}
_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|\d+(?:\.\d+)?)"
)
_UNIT = r"(?:working |school |calendar |consecutive |clear |business )?(?:days?|hours?|weeks?|months?|years?|terms?|minutes?)"
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_STATES: dict[str, re.Pattern[str]] = {
    "frequency": re.compile(
        rf"\b(?:every|each)\s+(?:{_NUMBER_WORDS}\s+)?(?:school\s+|academic\s+|calendar\s+)?(?:day|week|month|year|term|quarter)s?\b"
        r"|\bannual(?:ly)?\b|\b(?:weekly|monthly|termly|yearly|quarterly|daily|fortnightly|biannually)\b"
        r"|\bat least (?:once|twice)\b|\bregular intervals\b|\bonce (?:a|an|each|every|per)\b"
        rf"|\bper (?:year|term|month|week|annum)\b|\b{_NUMBER_WORDS} times\b|\bevery\s+{_NUMBER_WORDS}\b",
        re.IGNORECASE,
    ),
    "deadline": re.compile(
        rf"\bwithin\s+(?:{_NUMBER_WORDS}|a|an|the same)\b|\bno later than\b|\bby\s+(?:the end of|\d{{1,2}}\s+{_MONTH}|{_MONTH})"
        rf"|\bbefore the end of\b|\b(?:the )?same (?:working |school )?day\b|\bimmediately\b|\bwithout delay\b"
        rf"|\b{_NUMBER_WORDS}\s+{_UNIT}\b|\bafter\s+{_NUMBER_WORDS}\s+{_UNIT}",
        re.IGNORECASE,
    ),
    "quantity": re.compile(
        rf"\d|£|%|\bper ?cent\b|\b{_NUMBER_WORDS}\b|\b(?:half|third|quarter|most|majority)\b", re.IGNORECASE
    ),
    "date": re.compile(rf"\b{_MONTH}\b|\b(?:19|20)\d\d\b", re.IGNORECASE),
    "recommendation": re.compile(r"\brecommend|\bshould\b|\bmust\b", re.IGNORECASE),
    "status": re.compile(
        r"\b(?:implemented|accepted|rejected|partly|completed?|in progress|closed|delivered|agreed|approved|outstanding"
        r"|on track|overdue|scheduled|went live|not yet|conclusion|concluded|now)\b",
        re.IGNORECASE,
    ),
    "reason": re.compile(
        r"\b(?:because|due to|as a result|owing to|on the assumption|reasons?|since|so that|led to|caused|meant that)\b",
        re.IGNORECASE,
    ),
}
_STATES["date"] = re.compile(f"{_STATES['date'].pattern}|{_STATES['deadline'].pattern}", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# Words by which a question names a kind of document ("the 2016 audit", "the minutes").
_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "review": ("review",),
    "reviews": ("review",),
    "audit": ("review",),
    "re-audit": ("review",),
    "inspection": ("review",),
    "challenge": ("review",),
    "minutes": ("minutes",),
    "meeting": ("minutes",),
    "guidance": ("guidance",),
    "procedure": ("procedure",),
    "protocol": ("procedure",),
    "cabinet": ("committee_paper",),
    "statement": ("statement",),
    "press": ("statement",),
}
_KIND = re.compile(r"\b(" + "|".join(re.escape(word) for word in _KIND_WORDS) + r")\b", re.IGNORECASE)
# "This report sets out ...", "- how referrals were received ...": what a document is about, not what it says.
_ABOUT_ITSELF = re.compile(
    r"^(?:[\d.]+\s+)?(?:this|the)\s+(?:report|review|paper|document|audit|procedure|guidance|section|note|plan|re-audit)"
    r"\s+(?:also\s+)?(?:sets out|describes|considers|summarises|summarizes|presents|covers|looks at|explains|outlines|is about)\b"
    r"|^(?:[-•*]\s*)?(?:how|what|whether|why|which|when)\b(?!.*\b(?:must|should)\b)",
    re.IGNORECASE,
)
_REPORTED_QUESTION = re.compile(
    r"\basked\s+(?:\w+\s+){0,3}?(?:whether|why|if|how|what|when|who|about)\b", re.IGNORECASE
)
_NATIONAL = (
    "department for education",
    "ofsted",
    "hm government",
    "home office",
    "department of health",
    "child safeguarding practice review panel",
    "dfe",
    "department of",
    "secretary of state",
)
_OBLIGATION_RANK = {"must": 0, "should": 1, "may": 2}

# The weights, chosen on the sample evaluation set (corpus/evaluation/sample-questions.jsonl) by the
# rank of the first sentence holding an expected fact; the real-document set was not used to choose them.
LEXICAL_WEIGHT = 0.45
ANSWER_TYPE_BONUS = 0.08
ANSWER_TYPE_MISSING = 0.04
DUTY_BONUS = 0.07
DUTY_MISSING = 0.04
SOURCE_BONUS = 0.05
NO_ANSWER_PENALTY = 0.12
RESTATES_PENALTY = 0.08
RANK_PRIOR = 0.1
CONTEXT_SHARE = 0.5


@functools.lru_cache(maxsize=50_000)
def word_stem(word: str) -> str:
    """The English (Snowball) stem of one word as written; None-like '' for a word that carries no
    content. 'DSLs' gives 'dsl', 'children' 'child', 'refresher' 'refresh'."""
    if _PLURAL_ACRONYM.fullmatch(word):
        word = word[:-1]
    word = word.lower().replace("’", "'").removesuffix("'s")
    if word in STOPWORDS or word in _QUESTION_FRAME or len(word) < 2:
        return ""
    return str(_ENGLISH.stemWord(_IRREGULAR.get(word, word)))


def stems_of(text: str) -> list[str]:
    """The content-word stems of ``text``, in order (stopwords and question framing dropped)."""
    return [found for found in map(word_stem, _WORD.findall(text)) if found]


def is_duty_question(question: str) -> bool:
    """True when the question asks what someone has to (or should, or may) do."""
    return bool(_DUTY_QUESTION.search(question))


def authority_rank(hit: SearchHit) -> int:
    """0 statutory/national guidance, 1 national reviews and inspections, 2 local procedures and
    reviews, 3 committee papers and minutes, 4 statements and the rest."""
    national = any(name in (hit.publisher or "").lower() for name in _NATIONAL)
    if hit.doc_type == "guidance":
        return 0 if national else 2
    if hit.doc_type == "review":
        return 1 if national else 2
    if hit.doc_type == "procedure":
        return 2
    if hit.doc_type in ("committee_paper", "minutes"):
        return 3
    return 4


@dataclass(frozen=True)
class QuestionProfile:
    """What a question asks for: its content-word stems, the kind of answer, whether it is about a duty,
    and the years it names."""

    text: str
    stems: frozenset[str]
    answer_types: tuple[str, ...]
    duty: bool
    years: frozenset[str]
    kinds: frozenset[str]

    @classmethod
    def of(cls, question: str) -> QuestionProfile:
        """Read a question."""
        return cls(
            text=question,
            stems=frozenset(stems_of(question)),
            answer_types=tuple(name for name, pattern in _ANSWER_TYPES.items() if pattern.search(question)),
            duty=is_duty_question(question),
            years=frozenset(_YEAR.findall(question)),
            kinds=frozenset(kind for word in _KIND.findall(question) for kind in _KIND_WORDS[word.lower()]),
        )

    def with_acronyms(self, sentences: Sequence[str]) -> QuestionProfile:
        """The profile with the abbreviations the sentences use for the question's phrases, and the
        phrases they spell out for its abbreviations ('designated safeguarding lead' and 'DSL')."""
        words = [w.lower() for w in _WORD.findall(self.text) if word_stem(w)]
        phrases = {
            "".join(w[0] for w in words[i : i + n]): words[i : i + n]
            for n in range(2, 6)
            for i in range(len(words) - n + 1)
        }
        asked = {w.lower() for w in _ACRONYM.findall(self.text)}
        extra: set[str] = set()
        for sentence in sentences:
            for acronym in _ACRONYM.findall(sentence):
                short = acronym.lower().removesuffix("s")
                if short in phrases:
                    extra.add(word_stem(acronym))
            if asked:
                lowered = [w for w in _WORD.findall(sentence) if word_stem(w)]
                for n in range(2, 6):
                    for i in range(len(lowered) - n + 1):
                        if "".join(w[0] for w in lowered[i : i + n]).lower() in asked:
                            extra.update(word_stem(w) for w in lowered[i : i + n])
        if not extra - self.stems:
            return self
        return QuestionProfile(self.text, self.stems | extra, self.answer_types, self.duty, self.years, self.kinds)


@dataclass(frozen=True)
class SentenceFeatures:
    """The lexical evidence for one candidate sentence (see the module's description)."""

    words: float
    answer_type: float
    duty: float
    source: float
    penalty: float
    prior: float

    @property
    def total(self) -> float:
        """The score without the model: what decides which sentences are embedded."""
        return LEXICAL_WEIGHT * self.words + self.answer_type + self.duty + self.source - self.penalty + self.prior

    @property
    def topical(self) -> float:
        """``total`` without the raises for answer type and duty: they say a sentence has the form of an
        answer, not that the documents cover the question, so support for answering leaves them out."""
        return self.total - max(self.answer_type, 0.0) - max(self.duty, 0.0)


def inverse_frequencies(sentences: Sequence[Sequence[str]]) -> dict[str, float]:
    """BM25's inverse document frequency of each stem over ``sentences`` (each a list of stems)."""
    count = len(sentences)
    frequency: Counter[str] = Counter()
    for stems in sentences:
        frequency.update(set(stems))
    return {term: math.log(1 + (count - seen + 0.5) / (seen + 0.5)) for term, seen in frequency.items()}


def word_score(
    question: QuestionProfile,
    stems: set[str],
    idf: dict[str, float],
    default_idf: float,
    context: frozenset[str] = frozenset(),
) -> float:
    """Share of the question's word weight that the sentence's stems carry (0-1); a word found only in
    the ``context`` (the heading the sentence sits under) counts half."""
    if not question.stems:
        return 0.0
    weights = {term: idf.get(term, default_idf) for term in question.stems}
    total = sum(weights.values())
    found = sum(
        weight if term in stems else CONTEXT_SHARE * weight if term in context else 0.0
        for term, weight in weights.items()
    )
    return found / total if total else 0.0


def sentence_features(
    question: QuestionProfile,
    text: str,
    stems: set[str],
    hit: SearchHit,
    rank: int,
    *,
    idf: dict[str, float],
    default_idf: float,
    titles: Sequence[str],
    ordered: Sequence[str] = (),
) -> SentenceFeatures:
    """Score one candidate sentence from its text and source.

    Parameters:
        question: the question read by :meth:`QuestionProfile.of`.
        text: the sentence (whitespace tidied); ``stems`` its stems.
        hit: the passage it comes from; ``rank`` that passage's place in the retrieval (0 first).
        idf: inverse frequencies over all candidate sentences; ``default_idf`` for a stem none has.
        titles: the retrieved documents' titles as space-joined stems (a sentence naming one is a reference);
            ``ordered`` the sentence's stems in order, to look for them.
    """
    words = word_score(question, stems, idf, default_idf, frozenset(stems_of(hit.section or "")))
    answer_type = 0.0
    if question.answer_types:
        states = any(_STATES[name].search(text) for name in question.answer_types)
        answer_type = ANSWER_TYPE_BONUS if states else -ANSWER_TYPE_MISSING
    duty = 0.0
    if question.duty:
        kind = sentence_kind(hit.doc_type, text)
        strength = obligation_of(text) if kind == "requirement" else None
        if strength in ("must", "should"):
            duty = DUTY_BONUS * (1.0 - 0.1 * authority_rank(hit))
        elif kind in ("finding", "statement"):
            duty = -DUTY_MISSING  # a finding or a statement tells what happened, not what must be done
    source = 0.0
    if question.years or question.kinds:
        year_named = (
            not question.years
            or (hit.published or "")[:4] in question.years
            or any(year in (hit.title or "") for year in question.years)
        )
        kind_named = not question.kinds or hit.doc_type in question.kinds
        if year_named and kind_named:
            source += SOURCE_BONUS
    title_stems = set(stems_of(hit.title or ""))
    if question.stems and title_stems:
        source += SOURCE_BONUS * len(question.stems & title_stems) / len(question.stems)
    penalty = 0.0
    joined = f" {' '.join(ordered)} "
    if text.rstrip().endswith("?") or _REPORTED_QUESTION.search(text) or _ABOUT_ITSELF.search(text):
        penalty += NO_ANSWER_PENALTY
    if any(len(title.split()) >= 4 and f" {title} " in joined for title in titles):
        penalty += NO_ANSWER_PENALTY
    if len(stems - question.stems) < 2:
        penalty += RESTATES_PENALTY
    return SentenceFeatures(words, answer_type, duty, source, penalty, RANK_PRIOR / (1 + rank))


def duty_order(hit: SearchHit, text: str) -> int:
    """Where a sentence goes in the answer to a duty question: must 0, should 1, may 2, other duties 3,
    anything that is not a requirement 4."""
    if sentence_kind(hit.doc_type, text) != "requirement":
        return 4
    return _OBLIGATION_RANK.get(obligation_of(text) or "", 3)
