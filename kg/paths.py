"""Where the project's own files are: the ontology and the default data, found with
``importlib.resources`` inside the installed package, or beside the package in a checkout.

The repository keeps ``ontology/`` and ``data/`` at its top level; the wheel carries them inside
the ``kg`` package as ``kg/ontology`` and ``kg/data`` (``[tool.setuptools.package-dir]`` in
pyproject.toml).  So an installed ``rarekg`` (``pip install``, a wheel, ``pipx install``) finds them
in ``site-packages/kg/``, and a checkout (``pip install -e``, or running from the clone) finds them
at the top of the clone.  Never relative to the working directory.
"""

from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout, when running from one


def _bundled(name: str) -> tuple[Path, bool]:
    """The folder ``name`` inside the installed package if it is there, else in the checkout;
    and whether it is the checkout's."""
    inside = files("kg").joinpath(name)
    if inside.is_dir():
        return Path(str(inside)), False
    return ROOT / name, True


ONTOLOGY_DIR, _ = _bundled("ontology")
DATA_DIR, IN_CHECKOUT = _bundled("data")
EXAMPLES_DIR = ONTOLOGY_DIR / "examples"
