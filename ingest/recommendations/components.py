"""The register's write path as Haystack components: extract from a stored document, then embed.

``build_register_pipeline`` wires them for one document at a time; the sync
(``ingest.recommendations.sync``) runs it for every document whose content changed.
"""

from __future__ import annotations

from haystack import Pipeline, component

from ingest.recommendations.extraction import extract_recommendations
from search.embedding import Embedder
from search.models import DocumentRecord
from search.recommendations.models import ExtractedRecommendation, RecommendationMention
from search.recommendations.verbatim import searchable


@component
class RecommendationExtractor:
    """Finds the recommendations a document makes and the passages citing recommendations by number."""

    @component.output_types(recommendations=list[ExtractedRecommendation], mentions=list[RecommendationMention])
    def run(self, document: DocumentRecord, pages: list[str]) -> dict[str, object]:
        """Returns ``recommendations`` (verbatim, checked against ``pages``) and ``mentions``."""
        recommendations, mentions = extract_recommendations(document, pages)
        return {"recommendations": recommendations, "mentions": mentions}


@component
class RecommendationEmbedder:
    """Embeds recommendations, and what each citation says the cited recommendation was about.

    Parameters:
        embedder: the loaded model wrapper (shared with the indexing pipeline).
    """

    def __init__(self, *, embedder: Embedder) -> None:
        self.embedder = embedder

    def warm_up(self) -> None:
        """Load the model."""
        self.embedder.warm_up()

    @component.output_types(vectors=list[list[float]], mention_vectors=list[list[float]])
    def run(
        self, recommendations: list[ExtractedRecommendation], mentions: list[RecommendationMention]
    ) -> dict[str, list[list[float]]]:
        """Returns ``vectors`` (one per recommendation) and ``mention_vectors`` (one per citation)."""
        texts = [searchable(record.text) for record in recommendations]
        about = [searchable(mention.description or mention.evidence) for mention in mentions]
        vectors = self.embedder.embed_passages(texts + about) if texts or about else []
        return {"vectors": vectors[: len(texts)], "mention_vectors": vectors[len(texts) :]}


def build_register_pipeline(embedder: Embedder) -> Pipeline:
    """A pipeline reading one stored document into register rows.

    Inputs: ``extractor.document``, ``extractor.pages``. Outputs: ``extractor.recommendations``,
    ``extractor.mentions`` (run with ``include_outputs_from={"extractor"}``), ``embedder.vectors``,
    ``embedder.mention_vectors``.
    """
    pipeline = Pipeline()
    pipeline.add_component("extractor", RecommendationExtractor())
    pipeline.add_component("embedder", RecommendationEmbedder(embedder=embedder))
    pipeline.connect("extractor.recommendations", "embedder.recommendations")
    pipeline.connect("extractor.mentions", "embedder.mentions")
    return pipeline
