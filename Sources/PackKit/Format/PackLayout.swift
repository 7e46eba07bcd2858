/// File names inside a pack, shared by reader and writer.
public enum PackLayout {
    public static let manifest = "manifest.json"
    public static let database = "pack.sqlite"
    public static let vectorsDirectory = "vectors"
    public static let sectionEmbeddings = "vectors/section_embeddings.npy"
    public static let chunkEmbeddings = "vectors/chunk_embeddings.npy"
    public static let bm25Docs = "vectors/bm25_docs.json"
}
