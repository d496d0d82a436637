"""The `consortium` command groups, each in its own module; cli.py registers them."""
