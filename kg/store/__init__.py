"""Everything that talks to a SPARQL engine: the embedded Oxigraph store, a remote engine, the
query executors, the writer and the search index beside a build."""
