"""Where the project's own files are, relative to this package (never to the working directory)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
DATA_DIR = ROOT / "data"
EXAMPLES_DIR = ONTOLOGY_DIR / "examples"
