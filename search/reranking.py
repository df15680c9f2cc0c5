"""Optional reranking: a cross-encoder re-scores the head of the fused ranking.

No cross-encoder ships in a PyPI package, so this is off unless the setting ``reranker`` names
a local cross-encoder folder (for example a copy of ms-marco-MiniLM-L-6-v2).
"""

from __future__ import annotations

from haystack import Document, component

from search.errors import ModelError


@component
class HeadReranker:
    """Re-scores the first ``depth`` passages with a cross-encoder; the rest keep their order behind them.

    Parameters:
        model: folder of a sentence-transformers cross-encoder.
        depth: how many of the best fused passages are re-scored.
    """

    def __init__(self, *, model: str, depth: int = 30) -> None:
        self.model = model
        self.depth = depth
        # Imported here: sentence-transformers takes seconds to import, and most installations rank without it.
        from haystack_integrations.components.rankers.sentence_transformers import (
            SentenceTransformersSimilarityRanker,
        )

        self._ranker = SentenceTransformersSimilarityRanker(model=model, top_k=depth, scale_score=True)
        self._warm = False

    def warm_up(self) -> None:
        """Load the cross-encoder."""
        if self._warm:
            return
        try:
            self._ranker.warm_up()
        except Exception as exc:  # the model libraries raise many kinds of error
            raise ModelError(
                f"cannot load the reranker from {self.model} ({type(exc).__name__}: {exc}): "
                "set LESSONS_RERANKER to a cross-encoder model folder, or unset it"
            ) from None
        self._warm = True

    @component.output_types(documents=list[Document])
    def run(self, query: str, documents: list[Document]) -> dict[str, list[Document]]:
        """Returns ``documents``: the re-scored head, best first, then the untouched tail."""
        if not documents:
            return {"documents": []}
        self.warm_up()
        head = self._ranker.run(query=query, documents=documents[: self.depth], top_k=self.depth)["documents"]
        return {"documents": list(head) + documents[self.depth :]}
