"""The layer rules ([tool.importlinter] in pyproject.toml, run by `make test`) refuse a wrong-way
import: each case adds one to a copy of the package and the contract it breaks must say so."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.functions import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layers")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "layers/common/questline", root / "layers/questline", ignore=ignore)
    shutil.copytree(ROOT / "infra/local/questline_local", root / "local/questline_local", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", root)
    return root


@pytest.fixture(scope="module")
def as_it_is(copy: Path) -> str:
    """What the contracts say of the package as it is (every one must be kept)."""
    return lint(copy).stdout


def contract_name(contract: str) -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    return next(c["name"] for c in config["contracts"] if c["id"] == contract)


def lint(copy: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, so it is the package the contracts analyse.
    path = os.pathsep.join([str(copy / "layers"), str(copy / "local")])
    args = [str(LINT_IMPORTS), "--no-cache", "--no-logo", *(f"--contract={c}" for c in contracts)]
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.run(args, cwd=copy, env=env, capture_output=True, text=True, timeout=60)


WRONG_WAY = [
    ("layers", "questline/domain/clock.py", "from questline.storage import keys"),
    ("layers", "questline/storage/keys.py", "from questline.services import catalog"),
    ("layers", "questline/services/catalog.py", "from questline.http import errors"),
    ("pure-domain", "questline/models/criteria.py", "import questline.services.runtime"),
    ("storage-clients", "questline/services/catalog.py", "import redis"),
    ("storage-clients", "questline/http/errors.py", "from botocore.exceptions import ClientError"),
    ("storage-clients", "questline/domain/clock.py", "import boto3"),
    ("no-local-system", "questline/services/catalog.py", "import questline_local"),
    # A cycle inside one layer, which the layers contract cannot see.
    ("acyclic", "questline/models/criteria.py", "from questline.models import catalog"),
]


@pytest.mark.parametrize(("contract", "module", "statement"), WRONG_WAY)
def test_a_wrong_way_import_breaks_its_contract(copy, as_it_is, contract, module, statement):
    assert f"{contract_name(contract)} KEPT" in as_it_is, as_it_is
    path = copy / "layers" / module
    original = path.read_text("utf-8")
    # Inside a function, as lazy imports are: the rules count them too.
    path.write_text(original + f"\n\ndef _wrong_way() -> None:\n    {statement}  # noqa\n", "utf-8")
    try:
        broken = lint(copy, contract)
    finally:
        path.write_text(original, "utf-8")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert f"{contract_name(contract)} BROKEN" in broken.stdout, broken.stdout
