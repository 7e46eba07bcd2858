#!/usr/bin/env python3
"""Reads a pack the way the reference yt-channel-expert 0.1.0 PackReader and Retriever do (zipfile.extractall,
sqlite3, numpy.load, json) and checks the contract they rely on. Prints one line per problem; exit 1 if any.
Used by the Swift tests to prove that packs ytce writes open in the reference tool."""
import json, sqlite3, sys, tempfile, zipfile
from pathlib import Path

try:
    import numpy as np
except ImportError:
    print("SKIP numpy not installed")
    sys.exit(3)

REFERENCE_COLUMNS = {
    "channel": ["channel_id", "title", "description", "source", "created_at", "last_sync_at"],
    "video": ["video_id", "channel_id", "title", "description", "published_at", "duration_sec", "url"],
    "transcript_segment": ["segment_id", "video_id", "start_ms", "end_ms", "text", "speaker"],
    "section": ["section_id", "video_id", "start_ms", "end_ms", "title", "summary"],
    "micro_chunk": ["chunk_id", "video_id", "section_id", "start_ms", "end_ms", "text"],
    "summary": ["summary_id", "video_id", "kind", "text"],
}
MANIFEST_KEYS = ["pack_version", "schema_version", "created_at", "channel_id", "channel_title",
                 "embedding_dim", "embedding_model_id", "video_count"]

def main(pack_path):
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with zipfile.ZipFile(pack_path, "r") as z:
            bad = z.testzip()
            if bad:
                problems.append(f"zip entry {bad} fails its CRC")
            z.extractall(root)
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        for key in MANIFEST_KEYS:
            if key not in manifest:
                problems.append(f"manifest lacks {key}")
        conn = sqlite3.connect(str(root / "pack.sqlite"))
        for table, columns in REFERENCE_COLUMNS.items():
            have = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            if have[:len(columns)] != columns:
                problems.append(f"table {table} columns {have} != {columns}")
        # The reference's own queries (retriever.py / answerer.py).
        chunks = conn.execute("SELECT chunk_id, video_id, section_id, start_ms, end_ms, text FROM micro_chunk ORDER BY chunk_id").fetchall()
        sections = conn.execute("SELECT section_id, video_id, start_ms, end_ms, title, summary FROM section ORDER BY section_id").fetchall()
        conn.execute("SELECT v.title, v.url FROM video v LIMIT 1").fetchall()
        videos = conn.execute("SELECT count(*) FROM video").fetchone()[0]
        if manifest.get("video_count") != videos:
            problems.append(f"video_count {manifest.get('video_count')} != {videos} rows")
        for name, rows in (("chunk_embeddings", chunks), ("section_embeddings", sections)):
            m = np.load(root / "vectors" / f"{name}.npy")
            if m.dtype != np.float32 or m.ndim != 2:
                problems.append(f"{name}: dtype {m.dtype} ndim {m.ndim}")
            if m.shape[0] != len(rows):
                problems.append(f"{name}: {m.shape[0]} rows for {len(rows)} table rows")
            if m.shape[1] != manifest["embedding_dim"]:
                problems.append(f"{name}: dim {m.shape[1]} != embedding_dim {manifest['embedding_dim']}")
            norms = np.linalg.norm(m, axis=1)
            if len(rows) and not np.all((np.abs(norms - 1) < 1e-3) | (norms == 0)):
                problems.append(f"{name}: rows are not unit length")
        docs = json.loads((root / "vectors" / "bm25_docs.json").read_text(encoding="utf-8"))
        if docs != [c[5] for c in chunks]:
            problems.append("bm25_docs.json is not the chunk texts in id order")
        section_ids = {s[0] for s in sections}
        if any(c[2] is not None and c[2] not in section_ids for c in chunks):
            problems.append("a chunk points at a missing section")
    for p in problems:
        print(p)
    print(f"OK {len(chunks)} chunks, {len(sections)} sections" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
