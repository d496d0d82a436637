"""Every command has help text and appears in the README's CLI reference."""

from pathlib import Path

import click

from orchestrator.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def commands(group: click.Group, path: list[str]):
    for name, command in sorted(group.commands.items()):
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
