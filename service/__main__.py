"""``python -m service COMMAND``: the command line, built on the app factory."""

import click
from flask import Flask
from flask.cli import FlaskGroup

from service import create_app
from service.logs import configure_logging
from service.settings import SettingsError, load_settings


def create_cli_app() -> Flask:
    """The app as the command line builds it: settings, logging, then the factory.

    The analyser loads when a command first needs it, so ``train`` can replace a broken
    artifact; ``serve`` and ``scheduler`` load it before they start.
    """
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"invalid setting: {exc}") from None
    configure_logging(settings)
    return create_app(settings, lazy_runtime=True)


cli = FlaskGroup(
    name="travelrisk",
    help="travelrisk: travel risk per country from news and official advisories.",
    create_app=create_cli_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)

if __name__ == "__main__":
    cli(prog_name="python -m service")
