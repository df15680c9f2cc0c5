"""What the app's pages show, computed by the service: more like this, the library, facet filters."""

from __future__ import annotations

import datetime as dt

import pytest

from search.errors import DocumentNotFoundError
from search.library import library_overview
from search.models import SearchFilters
from search.service import SearchService, facet_filters

REVIEW_2020 = "marshfield-mash-peer-on-peer-review-2020"


def _chunk_saying(service: SearchService, doc_id: str, words: str) -> str:
    return next(c.chunk_id for c in service.store.chunks_of(doc_id) if words in c.text)


def test_more_like_this_finds_the_same_lesson_in_other_documents(sample_settings):
    service = SearchService(sample_settings)
    # The 2020 review says the 2016 audit's Recommendation 3 (record why decisions were made) was not delivered.
    chunk_id = _chunk_saying(service, REVIEW_2020, "Recommendation 3 of the 2016 LSCB audit")
    similar = service.more_like_this(chunk_id, top_k=5)
    assert len(similar.hits) == 5
    assert all(hit.doc_id != REVIEW_2020 for hit in similar.hits)
    best = similar.hits[0]
    # The scrutiny committee's report on the review picks up exactly that weakness.
    assert best.doc_id == "marshfield-scrutiny-report-peer-on-peer-2020" and best.page == 2
    assert "weakness in recording decisions had been identified" in " ".join(best.text.split())
    assert [hit.score for hit in similar.hits] == sorted((hit.score for hit in similar.hits), reverse=True)
    assert sum(similar.facets["doc_type"].values()) == 5


def test_more_like_this_can_be_narrowed_and_can_include_its_own_document(sample_settings):
    service = SearchService(sample_settings)
    chunk_id = _chunk_saying(service, REVIEW_2020, "Recommendation 3 of the 2016 LSCB audit")
    reviews = service.more_like_this(chunk_id, top_k=5, filters=SearchFilters(doc_types=("review",)))
    assert reviews.hits and {hit.doc_type for hit in reviews.hits} == {"review"}
    assert "marshfield-lscb-mash-audit-2016" in {hit.doc_id for hit in reviews.hits}
    own = service.more_like_this(chunk_id, top_k=5, same_document=True)
    assert chunk_id not in {hit.chunk_id for hit in own.hits}
    assert REVIEW_2020 in {hit.doc_id for hit in own.hits}


def test_more_like_this_names_a_passage_that_is_not_indexed(sample_settings):
    service = SearchService(sample_settings)
    with pytest.raises(DocumentNotFoundError, match="no passage 'marshfield-mash-peer-on-peer-review-2020#9999'"):
        service.more_like_this(f"{REVIEW_2020}#9999")
    with pytest.raises(DocumentNotFoundError, match="no passage 'nothing'"):
        service.more_like_this("nothing")


def test_the_library_groups_editions_and_counts_by_type_and_year(sample_settings):
    overview = SearchService(sample_settings).library()
    assert len(overview.documents) == 16
    assert [group.title for group in overview.editions] == ["Marshfield Schools Safeguarding Guidance 2024"]
    group = overview.editions[0]
    assert [d.doc_id for d in group.editions] == [
        "marshfield-schools-safeguarding-guidance-2024",
        "marshfield-schools-safeguarding-guidance-2023",
    ]
    assert group.in_force == "marshfield-schools-safeguarding-guidance-2024"
    assert overview.superseded == {"marshfield-schools-safeguarding-guidance-2023"}
    assert overview.edition_of("marshfield-schools-safeguarding-guidance-2023") is group
    assert overview.edition_of(REVIEW_2020) is None
    assert sum(overview.by_type.values()) == 16 and overview.by_type["review"] >= 3
    assert sum(overview.by_year.values()) == 16 and overview.by_year["2016"] == 1
    assert list(overview.by_year) == sorted(overview.by_year)


def test_undated_documents_are_counted_last():
    from search.models import DocumentRecord

    documents = [
        DocumentRecord(doc_id="a", title="A", doc_type="review", source="/a", content_hash="1", published="2020-01-01"),
        DocumentRecord(doc_id="b", title="B", doc_type="other", source="/b", content_hash="2"),
        DocumentRecord(doc_id="c", title="C", doc_type="review", source="/c", content_hash="3", published="2019-05-01"),
    ]
    overview = library_overview(documents)
    assert overview.by_year == {"2019": 1, "2020": 1, "undated": 1}
    assert overview.by_type == {"other": 1, "review": 2}
    assert overview.editions == ()


def test_facets_become_filters():
    base = SearchFilters(access=("public",))
    filters = facet_filters({"doc_type": ["review", "minutes"], "year": ["2021", "2016"], "publisher": []}, base)
    assert filters.doc_types == ("review", "minutes")
    assert filters.date_from == dt.date(2016, 1, 1) and filters.date_to == dt.date(2021, 12, 31)
    assert filters.publishers == () and filters.access == ("public",)
    assert facet_filters({}) == SearchFilters()


def test_a_facet_narrows_the_search(sample_settings):
    service = SearchService(sample_settings)
    everything = service.search("MASH recording of decisions", top_k=10)
    assert len(everything.facets["doc_type"]) > 1
    narrowed = service.search("MASH recording of decisions", top_k=10, filters=facet_filters({"doc_type": ["minutes"]}))
    assert narrowed.hits and {hit.doc_type for hit in narrowed.hits} == {"minutes"}
    assert set(narrowed.facets["doc_type"]) == {"minutes"}


def test_the_theme_facet_counts_and_narrows_by_keyword_cues(sample_settings):
    from search.errors import QueryError
    from search.recommendations.themes import load_taxonomy

    service = SearchService(sample_settings)
    everything = service.search("children missing from school", top_k=10)
    themes = everything.facets["theme"]
    assert themes.get("children missing from home, care and education", 0) >= 3
    narrowed = service.search("children missing from school", top_k=10, themes=("training and workforce",))
    assert narrowed.hits and set(narrowed.facets["theme"]) >= {"training and workforce"}
    assert narrowed.facets["theme"]["training and workforce"] == sum(narrowed.facets["doc_type"].values())
    taxonomy = load_taxonomy()
    assert all("training and workforce" in taxonomy.cued(hit.text) for hit in narrowed.hits)
    with pytest.raises(QueryError, match="unknown theme 'astrology': use one of information sharing"):
        service.search("missing", themes=("astrology",))
