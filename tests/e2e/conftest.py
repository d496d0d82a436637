"""One demo run for the whole e2e package, indexed into its own database; the devnet is gone when the
tests read it, so everything they check comes from the database alone."""

import pytest
from click.testing import CliRunner

from orchestrator.cli import main


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """(the demo's output, an environment that points at its database)."""
    db = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'index.db'}"
    env = {"CONSORTIUM_RPC": None, "CONSORTIUM_DEPLOYMENT": None, "CONSORTIUM_DB": db}
    result = CliRunner().invoke(main, ["demo"], env=env)
    assert result.exit_code == 0, result.output
    return result.output, env


def run(env, *args) -> str:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output
