"""The build: the catalogue of sources, derive-tables, loading, linking, validation, the VoID
description, the search index and publishing to a remote engine."""
