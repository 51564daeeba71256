"""The ``ccsim`` command: a Hydra app over ``configs/`` (``experiment=NAME`` selects a study).

Bad input of any kind (config key, value, override, file) ends with one line on stderr
naming the key and what is allowed, and exit code 2 — never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from pathlib import Path
from typing import cast

import hydra
from omegaconf import DictConfig

from sim.paths import CONFIG_DIR

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # the shell's code for a run stopped by Ctrl-C (SIGINT)


CONFIG_NAME = "config"
OVERRIDE_FORMS = "KEY=VALUE, +KEY=VALUE, ++KEY=VALUE, ~KEY or GROUP=OPTION"


def _fail(message: str) -> None:
    message = " ".join(message.split())  # exactly one line, whatever the source said
    print(f"ccsim: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def _first_line(text: object) -> str:
    lines = [ln.strip() for ln in str(text).strip().splitlines() if ln.strip()]
    return lines[0].rstrip(".") if lines else ""


def _one_line(exc: BaseException) -> str:
    """Hydra/OmegaConf errors span lines; keep each level's text, joined on one line."""
    parts: list[str] = []
    level: BaseException | None = exc
    while level is not None and len(parts) < 2:
        first = " ".join(str(level).split()).rstrip(".")
        if first and first not in parts:
            parts.append(first)
        level = level.__cause__
    return ": ".join(parts) or "invalid configuration"


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name=CONFIG_NAME)
def _app(cfg: DictConfig) -> dict | None:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    out_dir = Path(hc.runtime.output_dir)
    # Unresolved: an override's value may itself be a (possibly bad) interpolation.
    overrides = cast(list[str], OmegaConf.to_container(hc.overrides.task, resolve=False))
    # Bad input found inside the job exits here, through SystemExit: Hydra catches only
    # Exception, so it adds no "Error executing job" line of its own. In a sweep, a bad
    # point is recorded and the others go on.
    try:
        plain = cast(dict, OmegaConf.to_container(cfg, resolve=True))
        _check_empty_overrides(overrides, cfg)
    except OmegaConfBaseException as exc:
        return _bad_point(omegaconf_message(exc), multirun, out_dir, overrides)
    except ValueError as exc:  # a ConfigError
        return _bad_point(str(exc), multirun, out_dir, overrides)
    written = _without_env(OmegaConf.to_container(cfg, resolve=False), plain)
    if multirun:
        return _sweep_point(plain, written, out_dir, overrides)
    from sim.errors import ConfigError
    from sim.runner import simulate
    from sim.summary_table import format_summary

    try:
        result = simulate(plain, out_dir, written)
    except ConfigError as exc:
        _fail(str(exc))
    print(format_summary(result.summary))
    from sim.exact import compare, format_rows

    rows = compare(result.summary, plain)
    if rows:
        print(format_rows(rows, result.summary["confidence"]))
    print(f"outputs: {out_dir}")
    if result.run is not None and result.run.write_report:
        from sim.report import write_run_report

        print("writing report.html ...", flush=True)
        print(f"report: {write_run_report(out_dir)}")
    return result.summary


def _check_empty_overrides(overrides: list[str], cfg: DictConfig) -> None:
    """``KEY={}`` merges an empty mapping into KEY's: it removes nothing. Said, not
    silently run with the full mapping (``scenario.classes={}``)."""
    from sim.errors import ConfigError

    for text in overrides:
        key, sep, value = text.lstrip("+~").partition("=")
        node = _node_at(cfg, key.strip())
        if sep and value.strip() in ("{}", "{ }") and isinstance(node, DictConfig) and len(node):
            raise ConfigError(key.strip(), "an empty mapping merges into the existing one and "
                                           "removes nothing; allowed: delete an entry with "
                                           f"{key.strip()}.NAME=null or ~{key.strip()}.NAME")


def _without_env(raw, resolved):
    """The resolved config with every ``${oc.env:...}`` value replaced by a placeholder:
    environment values (tokens, paths) are not copied into outputs and reports."""
    if isinstance(raw, dict) and isinstance(resolved, dict):
        return {k: _without_env(raw.get(k), v) for k, v in resolved.items()}
    if isinstance(raw, list) and isinstance(resolved, list) and len(raw) == len(resolved):
        return [_without_env(a, b) for a, b in zip(raw, resolved, strict=True)]
    if isinstance(raw, str) and "oc.env" in raw:
        return "<from the environment>"
    return resolved


def _bad_point(message: str, multirun: bool, out_dir: Path, overrides: list[str]):
    if not multirun:
        _fail(message)
    from sim.sweep_tasks import record_failed_task

    print(f"ccsim: error: {' '.join(message.split())}", file=sys.stderr)
    record_failed_task(out_dir, overrides, message, _job_num())
    return None


def _job_num() -> int:
    from hydra.core.hydra_config import HydraConfig

    return int(HydraConfig.get().job.get("num", 0) or 0)  # type: ignore[attr-defined]


def _sweep_point(plain: dict, written: dict, out_dir: Path, overrides: list[str]):
    """One task of a multirun (some replications of one point, sim.sweep_tasks): the
    replications already done are skipped, a failure is recorded, never fatal to the
    other tasks."""
    from sim.errors import ConfigError
    from sim.sweep import progress_tag
    from sim.sweep_tasks import run_task

    tag = progress_tag(_job_num())
    try:
        record = run_task(plain, written, out_dir, overrides, _job_num())
    except ConfigError as exc:
        return _bad_point(str(exc), True, out_dir, overrides)
    except Exception as exc:  # a crash in one task must not lose the others
        return _bad_point(f"{type(exc).__name__}: {exc}", True, out_dir, overrides)
    first, stop = record["reps"]
    what = (f"replications {first}-{stop - 1}" if stop - first > 1 else f"replication {first}"
            if stop > first else "no replication")
    done = "done before, skipped" if not record["ran"] and stop > first else (
        f"{record['status']} ({record['seconds']:.1f} s)")
    print(f"{tag}{out_dir.name}: {what}: {done}", flush=True)
    return None


def omegaconf_message(exc: BaseException) -> str:
    key = getattr(exc, "full_key", None)
    msg = _first_line(getattr(exc, "msg", None) or str(exc))
    return f"{key}: {msg}" if key else msg


def _parse_args(argv: list[str]):
    """Hydra's own command-line parser, but failing in one line (exit 2)."""
    from hydra._internal.utils import get_args_parser

    parser = get_args_parser()
    parser.error = lambda message: _fail(f"{message}; see ccsim --help")  # type: ignore
    return parser.parse_args(argv)


def _check_override_syntax(overrides: list[str]) -> None:
    """Parse each override alone, so a malformed one is reported with its key."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    parser = OverridesParser.create()
    for text in overrides:
        key = re.split(r"[=@]", text, maxsplit=1)[0].lstrip("+~").strip()
        try:
            (ov,) = parser.parse_overrides([text])
        except OverrideParseException as exc:
            lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
            why = next((ln for ln in lines if not ln.startswith(("Error parsing", "See "))),
                       "syntax error")
            _fail(f"{key or '(no key)'}: malformed override {text!r} ({why}); "
                  f"allowed forms: {OVERRIDE_FORMS}")
        if not ov.key_or_group:
            _fail(f"(no key): malformed override {text!r} (empty key); "
                  f"allowed forms: {OVERRIDE_FORMS}")
        if ov.key_or_group.startswith("hydra.sweeper.params"):
            # Hydra cannot merge a command-line value into the sweeper's params (an
            # OmegaConf AttributeError for a dict, a vague refusal for a sweep)
            _fail(f"hydra.sweeper.params: not settable on the command line ({text!r}); "
                  f"allowed: sweep a key directly (-m KEY=a,b) or give hydra.sweeper.params "
                  f"in an experiment file (configs/experiment/)")
        group = Path(CONFIG_DIR) / ov.key_or_group
        if ov.value() is None and not ov.is_delete() and group.is_dir():
            options = sorted(p.stem for p in group.glob("*.yaml"))
            _fail(f"{ov.key_or_group}: a config group needs an option, not null; allowed: "
                  f"{', '.join(options)}")


_ABSENT = object()


def _node_at(cfg, dotted: str):
    node = cfg
    for part in dotted.split(".") if dotted else []:
        if not (isinstance(node, DictConfig) and part in node):
            return _ABSENT
        node = node[part]
    return node


def _compose_without(bad: list[str], args, hydra: bool = False):
    """The config composed from the command line less the ``bad`` overrides; None when
    it cannot be (the other overrides may be bad too: this is only an error's hint)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    others = [o for o in args.overrides if o not in bad]
    if args.config_dir:  # -cd adds a directory to the search path, as Hydra does
        others.append(f"hydra.searchpath=[file://{os.path.abspath(args.config_dir)}]")
    try:
        GlobalHydra.instance().clear()
        with initialize_config_dir(config_dir=os.path.abspath(args.config_path or CONFIG_DIR),
                                   version_base="1.3"):
            return compose(args.config_name or CONFIG_NAME, overrides=others,
                           return_hydra_config=hydra)
    except Exception:
        return None
    finally:
        GlobalHydra.instance().clear()


def _allowed_keys(missing: str, bad_override: str, args) -> str:
    """What may stand at ``missing``'s place: the keys of its parent in the config composed
    without the bad override (only computed on this error path)."""

    parent, _, _ = missing.rpartition(".")
    where = parent or "the top level"
    cfg = _compose_without([bad_override], args, hydra=parent.split(".")[0] == "hydra")
    node = _ABSENT if cfg is None else _node_at(cfg, parent)
    if node is _ABSENT:
        return "allowed: keys that exist in the composed config (see ccsim --cfg job)"
    if not isinstance(node, DictConfig):
        return f"{where} is a single value, not a mapping: set it with {parent}=VALUE"
    keys = [str(k) for k in node]
    if not keys:
        return f"allowed at {where}: none ({where} is empty)"
    return f"allowed at {where}: {', '.join(keys)}"


def hydra_message(exc: BaseException, args) -> str:
    """One line for an error Hydra raises while composing, before any schema sees the
    config: read from the exception's own fields (the missing option file, the failing
    key) and the overrides as Hydra's parser reads them, never from its message text."""
    from hydra.errors import ConfigCompositionException, MissingConfigException

    if isinstance(exc, MissingConfigException) and exc.options is not None:
        group, _, option = str(exc.missing_cfg_file).rpartition("/")
        return (f"{group or option}: unknown option {option!r}; allowed: "
                f"{', '.join(exc.options) or '(none)'}")
    if isinstance(exc, ConfigCompositionException):
        line = _composition_error(exc, _parsed_overrides(args.overrides), args)
        if line:
            return line
    return _one_line(exc)


def _parsed_overrides(overrides: list[str]) -> list:
    """The command line's overrides as Hydra's own parser reads them ([] if it cannot)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        return OverridesParser.create().parse_overrides(overrides)
    except Exception:  # Hydra reports a parse error itself
        return []


def _composition_error(exc: BaseException, overrides: list, args) -> str | None:
    """The override a composition error comes from, and what is allowed in its place."""
    from omegaconf.errors import ConfigAttributeError, ConfigKeyError

    cause = exc.__cause__
    missing = getattr(cause, "full_key", None)
    if missing:  # an override set a key: the key does not exist, or its value is refused
        bad = next((o for o in overrides if o.key_or_group == missing
                    or o.key_or_group.startswith(f"{missing}.")), None)
        if bad is None:
            return None
        if isinstance(cause, ConfigAttributeError | ConfigKeyError):
            return (f"{bad.key_or_group}: no such key {missing!r}; "
                    f"{_allowed_keys(missing, bad.input_line, args)}")
        return f"{bad.key_or_group}: {_first_line(getattr(cause, 'msg', None) or cause)}"
    if cause is not None:
        return None
    # Hydra checks sweep syntax before applying overrides: outside a multirun a sweep is
    # the error; otherwise the one failure left without a cause is a deletion
    sweep = next((o for o in overrides if o.is_sweep_override()), None)
    if sweep is not None:
        return (f"{sweep.key_or_group}: ambiguous value in {sweep.input_line!r}; allowed: "
                f"KEY=[a,b] (a list), KEY='a,b' (a string) or --multirun (a sweep)")
    deleted = _absent_deletion([o for o in overrides if o.is_delete()], args)
    if deleted is not None:
        return (f"{deleted.key_or_group}: cannot delete, no such key; "
                f"{_allowed_keys(deleted.key_or_group, deleted.input_line, args)}")
    return None


def _absent_deletion(deletes: list, args):
    """The first ``~KEY`` override whose key the config composed without them lacks."""
    if len(deletes) <= 1:
        return deletes[0] if deletes else None
    from omegaconf import OmegaConf

    cfg = _compose_without([d.input_line for d in deletes], args)
    if cfg is None:  # best effort: name the first deletion
        return deletes[0]
    absent = (d for d in deletes
              if OmegaConf.select(cfg, d.key_or_group, default=_ABSENT) is _ABSENT)
    return next(absent, deletes[0])


# ``ccsim NAME ...`` subcommands: module and function taking argv, returning an exit code.
# ``ccsim --help`` lists them with the first line of the function's docstring, written
# "``ccsim NAME ARGS``: what it does".
SUBCOMMANDS = {
    "report": ("sim.report", "main"),
    "check": ("sim.check", "main"),
    "calibrate": ("sim.calibrate", "main"),
    "validate": ("sim.calibrate", "validate_main"),
    "forecast": ("sim.forecast", "main"),
    "staff": ("sim.staff", "main"),
    "keys": ("sim.schema.keys", "main"),
    "serve": ("sim.serve", "main"),
}


def _subcommand(argv: list[str]) -> None:
    """Run ``ccsim NAME ...`` for a subcommand NAME, if that is what was asked."""
    import importlib

    module, func = SUBCOMMANDS[argv[0]]
    try:
        entry = getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError):
        _fail(f"{argv[0]}: this subcommand is not available in this version")
    raise SystemExit(entry(argv[1:]))


HELP_FLAGS = ("--help", "-h")
COMMON_KEYS = ("seed=N", "n_reps=N", "n_jobs=N", "confidence=0.95", "scenario.load=1.2",
               "output.calls=false", "hydra.run.dir=DIR")


def _subcommand_line(name: str, module: str, func: str) -> tuple[str, str]:
    """(usage, what it does) from the entry function's docstring, imported lazily."""
    import importlib

    try:
        doc = getattr(importlib.import_module(module), func).__doc__ or ""
    except (ImportError, AttributeError):
        return f"ccsim {name}", "(not available in this version)"
    first = " ".join(doc.strip().split("\n\n")[0].split())
    found = re.match(r"``(ccsim [^`]+)``:\s*(.*)", first)
    if not (found and found.group(1).split()[1] == name):
        return f"ccsim {name}", first.rstrip(".")
    usage, what = found.group(1), found.group(2)
    return usage, what.rstrip(".")


def _group_options(group: str) -> str:
    names = sorted(p.stem for p in (Path(CONFIG_DIR) / group).glob("*.yaml"))
    return ", ".join(names) or "(none)"


def short_help() -> str:
    """``ccsim --help``: one screen. The full composed config is ``ccsim --cfg job``."""
    import textwrap

    commands = [_subcommand_line(n, *target) for n, target in SUBCOMMANDS.items()]
    width = max(len(u) for u, _ in commands)
    lines = [
        "ccsim — discrete-event simulator of a telecom customer-service hotline.",
        "",
        "usage: ccsim [GROUP=OPTION] [KEY=VALUE ...]   run a scenario: headline KPIs on the "
        "terminal,",
        "                                              outputs and report.html in "
        "outputs/SCENARIO/DATE_TIME",
        "       ccsim -m KEY=A,B [KEY=C,D ...]         sweep a grid (comparison table and "
        "report.html)",
        "       ccsim COMMAND [--help]                 one of the commands below",
        "",
        "config groups (GROUP=OPTION):",
        *(textwrap.fill(_group_options(g), 96, initial_indent=f"  {g:<11}",
                        subsequent_indent=" " * 13) for g in ("scenario", "policy", "experiment")),
        textwrap.fill("common keys: " + "  ".join(COMMON_KEYS), 96, subsequent_indent="  "),
        "",
        "commands:",
        *(textwrap.fill(what, 96, initial_indent=f"  {u:<{width}}  ",
                        subsequent_indent=" " * (width + 4)) for u, what in commands),
        "",
        "more: ccsim --cfg job (the composed config, every key) · ccsim --hydra-help · "
        "README.md",
    ]
    return "\n".join(lines)


@contextlib.contextmanager
def _mode_from_flag(multirun: bool):
    """With ``-m``, the mode is a multirun whatever the config says, so Hydra's
    ``get_mode`` need not compose the whole config once more only to read ``hydra.mode``
    (~0.3 s, on the sweep's serial path). It answers "not set": Hydra then adds
    ``hydra.mode=MULTIRUN`` to its overrides, the mode it would have chosen anyway."""
    if not multirun:
        yield
        return
    from hydra._internal.hydra import Hydra

    composing = Hydra.get_mode
    Hydra.get_mode = lambda self, config_name, overrides: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        Hydra.get_mode = composing  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``ccsim`` and ``python -m sim``. A reader that stops early (``ccsim
    --help | head``) closes the pipe: quietly stop writing, as other command-line tools do
    (Python's recipe for SIGPIPE), instead of a traceback."""
    try:
        _main(argv)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None


def _main(argv: list[str] | None) -> None:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in and args_in[0] in SUBCOMMANDS:
        _subcommand(args_in)
    if any(a in HELP_FLAGS for a in args_in):
        print(short_help())
        raise SystemExit(0)
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.errors import ConfigError

    if argv is not None:
        sys.argv = [sys.argv[0], *argv]
    args = _parse_args(sys.argv[1:])
    _check_override_syntax(args.overrides)
    os.environ["HYDRA_FULL_ERROR"] = "1"  # let errors reach us; we print them as one line
    from sim import sweep, sweep_warm
    from sim.schema.trust import guard_hydra, guard_yaml

    if args.multirun:  # joblib's workers import while this process composes the config
        sweep_warm.prestart(args.overrides)
    guard_hydra()
    guard_yaml()
    from sim.sweep_retry import run_multirun

    try:
        with _mode_from_flag(args.multirun):
            run_multirun(_app)
        if sweep.FAILED:
            raise SystemExit(1)  # the sweep finished, but some points failed
    except ConfigError as exc:
        _fail(str(exc))
    except (HydraException, OmegaConfBaseException) as exc:
        _fail(hydra_message(exc, args))
    except KeyboardInterrupt:
        print("ccsim: interrupted; outputs already written are kept, the run is incomplete",
              file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        raise  # the reader closed the pipe: main stops quietly, not a run-directory error
    except OSError as exc:
        _fail(f"hydra.run.dir: cannot write {exc.filename or 'the outputs'!s} "
              f"({exc.strerror or exc}); allowed: a directory ccsim can create and write")
    except Exception as exc:
        import yaml

        if isinstance(exc, ValueError) and str(exc).startswith("Unable to configure"):
            # Python's logging.config on hydra.job_logging / hydra.hydra_logging
            _fail(f"hydra.job_logging: {exc} ({_first_line(exc.__cause__ or '')}); allowed: "
                  f"a logging dictConfig of logging.* classes")
        if not isinstance(exc, yaml.YAMLError):
            raise
        _fail(yaml_message(exc))
    finally:
        sweep_warm.abandon()  # workers started early that no multirun took over


def yaml_message(exc) -> str:
    """A config file that is not valid YAML: name the file, line and column."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{mark.name}: line {mark.line + 1}, column {mark.column + 1}" if mark else "config"
    what = " ".join(str(x) for x in (getattr(exc, "problem", None),
                                     getattr(exc, "context", None)) if x)
    return f"{where}: invalid YAML: {what or type(exc).__name__}"
