"""Every command has help text and appears in the README's CLI reference."""

import subprocess
import sys
from pathlib import Path

import click

from orchestrator.cli import COMMANDS, main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def commands(group: click.Group, path: list[str]):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the top level loads its commands lazily
        command = group.get_command(ctx, name)
        if command.hidden:  # e.g. `relay files`, documented as `relay FILE...`
            continue
        if isinstance(command, click.Group):
            assert command.help, f"{' '.join(path + [name])} has no help text"
            yield from commands(command, path + [name])
        else:
            yield " ".join(path + [name]), command


def test_every_command_is_documented_and_has_help():
    found = list(commands(main, ["consortium"]))
    assert len(found) >= 25
    for path, command in found:
        assert command.help and command.help.strip(), f"{path} has no help text"
        assert f"`{path}" in README, f"{path} is missing from the README's CLI reference"


def test_every_global_option_is_documented():
    for option in main.params:
        if isinstance(option, click.Option) and option.name not in ("help", "version"):
            assert f"`{option.opts[0]}" in README, f"{option.opts[0]} is missing from the README"


def test_the_top_level_listing_names_every_command_without_importing_it():
    """`consortium --help` is read from cli.COMMANDS; every entry loads a command that answers --help."""
    code = ("import sys; from click.testing import CliRunner; from orchestrator.cli import main; "
            "out = CliRunner().invoke(main, ['--help']).output; "
            "print(sorted(m for m in ('web3', 'eth_account', 'sqlalchemy', 'fastapi') if m in sys.modules)); "
            "print(out)")
    lines = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded, listing = lines.split("\n", 1)
    assert loaded == "[]"
    for name, (_, _, summary) in COMMANDS.items():
        assert f"  {name}" in listing and summary in listing
        ctx = click.Context(main)
        assert main.get_command(ctx, name).get_short_help_str(limit=200) == summary
    assert main.get_command(click.Context(main), "nonsense") is None
