"""Click in French for the `charte` command group only: help, usage line and usage errors.

Click builds its texts with gettext and ships no French catalogue; installing one would change every
command of the process (`flask run`…). Instead the group and its commands use the classes below: a
help formatter with French headings, options that state their default and requirement in French,
and usage errors rewritten in French from their kind (missing option, unknown option, bad value…).
"""
from __future__ import annotations

import re
from pathlib import Path

import click
from click.formatting import HelpFormatter

HELP = "Afficher cette aide et quitter."
_SECTIONS = {"Options": "Options", "Commands": "Commandes", "Positional arguments": "Arguments"}


def _quoted(names) -> str:
    return " ou ".join(f"«\u00a0{name}\u00a0»" for name in names)


class FrenchFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="Utilisation\u00a0: ")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}\u00a0:\n")

    def section(self, name: str):
        return super().section(_SECTIONS.get(name, name))


class FrenchContext(click.Context):
    formatter_class = FrenchFormatter


class FrenchOption(click.Option):
    """An option whose help says « par défaut » and « obligatoire »."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        if self.hidden:
            return None
        extra = self.get_help_extra(ctx)
        notes = []
        if "default" in extra:
            notes.append(f"par défaut\u00a0: {extra['default']}")
        if "required" in extra:
            notes.append("obligatoire")
        help_text = self.help or ""
        if notes:
            joined = "\u00a0; ".join(notes)
            help_text = f"{help_text}  [{joined}]" if help_text else f"[{joined}]"
        return self.get_help_spec(ctx), help_text


class FrenchChoice(click.Choice):
    def get_missing_message(self, param, ctx) -> str:
        return "Valeurs possibles\u00a0: " + ", ".join(map(str, self.choices)) + "."

    def get_invalid_choice_message(self, value, ctx) -> str:
        return f"«\u00a0{value}\u00a0» n’est pas une valeur possible ({', '.join(map(str, self.choices))})."


class ExistingFile(click.ParamType):
    """The path of an existing, readable file (as a Path)."""

    name = "fichier"

    def convert(self, value, param, ctx) -> Path:
        path = Path(value)
        if not path.exists():
            self.fail(f"le fichier «\u00a0{value}\u00a0» n’existe pas.", param, ctx)
        if path.is_dir():
            self.fail(f"«\u00a0{value}\u00a0» est un dossier, pas un fichier.", param, ctx)
        return path


_EXTRA_ARGUMENTS = re.compile(r"^Got unexpected extra arguments? \((?P<args>.*)\)$")


def french_message(error: click.UsageError) -> str:
    """The message of a usage error, in French, from its kind."""
    ctx = error.ctx
    if isinstance(error, click.MissingParameter) and error.param is not None:
        param = error.param
        if isinstance(param, click.Argument):
            message = f"argument obligatoire manquant\u00a0: {param.human_readable_name}."
        else:
            message = f"option obligatoire manquante\u00a0: {_quoted(param.opts + param.secondary_opts)}."
        extra = param.type.get_missing_message(param=param, ctx=ctx)
        return f"{message} {extra}" if extra else message
    if isinstance(error, click.BadParameter):
        if error.param is not None:
            names = [error.param.human_readable_name] if isinstance(error.param, click.Argument) \
                else error.param.opts + error.param.secondary_opts
            return f"valeur refusée pour {_quoted(names)}\u00a0: {error.message}"
        return f"valeur refusée\u00a0: {error.message}"
    if isinstance(error, click.NoSuchOption):
        message = f"option inconnue\u00a0: «\u00a0{error.option_name}\u00a0»."
        if error.possibilities:
            message += f" Vouliez-vous dire {_quoted(error.possibilities)}\u00a0?"
        return message
    if isinstance(error, click.BadOptionUsage):
        return f"l’option «\u00a0{error.option_name}\u00a0» attend une valeur."
    extra_arguments = _EXTRA_ARGUMENTS.match(error.message)
    if extra_arguments:
        return f"argument en trop\u00a0: {extra_arguments['args']}."
    return error.message


class FrenchUsageError(click.UsageError):
    """A usage error shown in French: usage line, where to find help, the error itself."""

    def show(self, file=None) -> None:
        if self.ctx is not None:
            click.echo(self.ctx.get_usage(), file=file, err=file is None)
            if self.ctx.command.get_help_option(self.ctx) is not None:
                click.echo(f"Pour obtenir de l’aide\u00a0: {self.ctx.command_path} --help", file=file,
                           err=file is None)
        click.echo(f"Erreur\u00a0: {self.format_message()}", file=file, err=file is None)


class _French:
    """What French commands and groups share: context, help option, usage errors."""

    context_class = FrenchContext

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP
        return option

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as error:
            raise FrenchUsageError(french_message(error), error.ctx or ctx) from None


class FrenchCommand(_French, click.Command):
    pass


class FrenchGroup(_French, click.Group):
    command_class = FrenchCommand

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if self.get_command(ctx, name) is None and not name.startswith("-") and not ctx.resilient_parsing:
            raise FrenchUsageError(f"commande inconnue\u00a0: «\u00a0{name}\u00a0».", ctx)
        return super().resolve_command(ctx, args)


def option(*names, **kwargs):
    """click.option with the French help record."""
    return click.option(*names, cls=FrenchOption, **kwargs)
