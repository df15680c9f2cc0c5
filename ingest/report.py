"""What an ingestion job did: documents added, updated, unchanged, removed and failed (with reasons)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FailedSource:
    """A source that could not be ingested, and the plain reason why."""

    source: str
    reason: str


@dataclass
class RegisterReport:
    """What bringing the recommendations register up to date did (see ``ingest.recommendations.sync``)."""

    documents_read: int = 0
    documents_removed: int = 0
    recommendations: int = 0
    recurring: int = 0
    status_links: int = 0
    failed: list[FailedSource] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return {
            "documents_read": self.documents_read,
            "documents_removed": self.documents_removed,
            "recommendations": self.recommendations,
            "recurring_groups": self.recurring,
            "status_links": self.status_links,
            "failed": [{"source": f.source, "reason": f.reason} for f in self.failed],
        }


@dataclass
class IngestReport:
    """The outcome of one ingestion job; each list holds sources (paths or URLs)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[FailedSource] = field(default_factory=list)
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    register: RegisterReport = field(default_factory=RegisterReport)

    @property
    def ok(self) -> bool:
        """True when no source failed."""
        return not self.failed

    def merge(self, other: IngestReport) -> None:
        """Add another job's outcomes to this report."""
        for name in ("added", "updated", "unchanged", "removed", "failed"):
            getattr(self, name).extend(getattr(other, name))
        self.pages += other.pages
        self.chunks += other.chunks
        self.seconds += other.seconds
        self.register = other.register  # the later sync describes the register as it now is

    def as_dict(self) -> dict[str, object]:
        """The report as the JSON of ``lessons ingest --json``."""
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": [{"source": f.source, "reason": f.reason} for f in self.failed],
            "pages": self.pages,
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
            "register": self.register.as_dict(),
        }

    def summary(self) -> str:
        """One line: the counts of each outcome."""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.failed)} failed "
            f"({self.pages} pages, {self.chunks} passages, {self.seconds:.1f} s); "
            f"recommendations register: {self.register.recommendations} recommendations, "
            f"{self.register.recurring} recurring"
        )
