"""Recurrence: recommendations in different documents that say the same thing, chained in date order.

Two recommendations are linked when all three checks agree:

- their embeddings are close (cosine similarity at least the setting ``recurrence_threshold``);
- each is the other's closest recommendation in the other's document (a reciprocal best match,
  so one broad recommendation cannot swallow a whole list);
- they share a theme of the taxonomy that names a kind of change (recording, training, funding...),
  not only an area of practice (schools, harmful sexual behaviour): two recommendations about
  schools, one on training and one on funding, are different recommendations.

The documents' own word comes first: a recommendation whose text cites an earlier one ("This
recommendation repeats ... Recommendation 3 of the 2016 LSCB audit"), recommendations of two
documents cited in one sentence, or one cited under the heading of another (see
``followup``), are linked whatever the scores, and such a pair is each one's best match in the
other's document. Linked recommendations form groups; a group spanning two or more documents
is "recurring".
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

import numpy as np

from search.recommendations.register import StoredRecommendation

LABEL_WORDS = 12


class _Groups:
    def __init__(self, ids: Iterable[str]) -> None:
        self.parent = {rec_id: rec_id for rec_id in ids}

    def find(self, rec_id: str) -> str:
        while self.parent[rec_id] != rec_id:
            self.parent[rec_id] = self.parent[self.parent[rec_id]]
            rec_id = self.parent[rec_id]
        return rec_id

    def join(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def _share_a_change(a: StoredRecommendation, b: StoredRecommendation, topics: frozenset[str]) -> bool:
    changes_a = set(a.themes) - topics
    changes_b = set(b.themes) - topics
    if changes_a and changes_b:
        return bool(changes_a & changes_b)
    return bool(set(a.themes) & set(b.themes))


def similar_pairs(
    records: list[StoredRecommendation],
    threshold: float,
    linked: Iterable[tuple[str, str]] = (),
    topics: frozenset[str] = frozenset(),
) -> list[tuple[str, str, float]]:
    """Pairs (a, b, similarity) from different documents passing the three checks, a before b in ``records``.

    ``linked`` pairs (from the documents' own citations) decide each one's best match in the other's document.
    """
    usable = [record for record in records if record.vector is not None]
    if len(usable) < 2:
        return []
    vectors = np.vstack([record.vector for record in usable if record.vector is not None])
    similarity = vectors @ vectors.T
    docs = np.array([record.doc_id for record in usable])
    index = {record.id: position for position, record in enumerate(usable)}
    best: dict[tuple[int, str], int] = {}
    for i in range(len(usable)):
        for doc_id in set(docs.tolist()) - {docs[i]}:
            columns = np.nonzero(docs == doc_id)[0]
            best[(i, doc_id)] = int(columns[np.argmax(similarity[i, columns])])
    for a, b in linked:
        if a in index and b in index:
            best[(index[a], str(docs[index[b]]))] = index[b]
            best[(index[b], str(docs[index[a]]))] = index[a]
    pairs = []
    for i in range(len(usable)):
        for j in range(i + 1, len(usable)):
            if docs[i] == docs[j] or similarity[i, j] < threshold:
                continue
            if best[(i, docs[j])] != j or best[(j, docs[i])] != i:
                continue
            if not _share_a_change(usable[i], usable[j], topics):
                continue
            pairs.append((usable[i].id, usable[j].id, float(similarity[i, j])))
    return pairs


def group_recommendations(
    records: list[StoredRecommendation],
    threshold: float,
    links: Iterable[tuple[str, str]] = (),
    topics: frozenset[str] = frozenset(),
) -> tuple[dict[str, str], dict[str, str]]:
    """Recurrence groups: (group id of each grouped recommendation, label of each group).

    Parameters:
        records: every recommendation, in date order.
        threshold: least cosine similarity for a link by meaning.
        links: pairs the documents themselves link (see ``followup``), grouped regardless of scores.
        topics: theme names that name an area of practice (see ``Taxonomy.topics``).
    """
    known = {record.id: record for record in records}
    groups = _Groups(known)
    links = list(links)
    for a, b, _ in similar_pairs(records, threshold, links, topics):
        groups.join(a, b)
    for a, b in links:
        if a in known and b in known:
            groups.join(a, b)
    members: dict[str, list[StoredRecommendation]] = {}
    for record in records:
        members.setdefault(groups.find(record.id), []).append(record)
    assignment: dict[str, str] = {}
    labels: dict[str, str] = {}
    for chain in members.values():
        if len(chain) < 2:
            continue
        first = chain[0]
        group_id = "G-" + hashlib.sha1(first.id.encode()).hexdigest()[:8]
        for record in chain:
            assignment[record.id] = group_id
        labels[group_id] = chain_label(chain)
    return assignment, labels


def chain_label(chain: list[StoredRecommendation]) -> str:
    """A chain's label: its commonest theme and the opening words of its first record."""
    themes = Counter(theme for record in chain for theme in record.themes[:2])
    words = chain[0].text.split()
    quote = " ".join(words[:LABEL_WORDS]) + ("..." if len(words) > LABEL_WORDS else "")
    if themes:
        return f"{themes.most_common(1)[0][0]}: {quote}"
    return quote
