"""Loaders: one module per source; each reads files and yields quads into its own named graph."""
