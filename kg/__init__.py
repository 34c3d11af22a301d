"""rarekg: an open knowledge graph of the rare-disease ecosystem."""

__version__ = "0.1.0"
