"""Who is reviewing: the rules of a reviewer name, where the name comes from
(``--reviewer``, ``$ANNOTATOR_REVIEWER``, the saved default, the system user), and
the saved default itself (settings.json in the user config folder, which the
command line and the window both read; no Qt). The store writes the name on
every audit row."""

from __future__ import annotations

import getpass
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import platformdirs

from annotator.errors import AnnotatorError

MAX_ACTOR_LENGTH = 64
# control characters, lone surrogates (not UTF-8) and line or paragraph separators
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


class InvalidActorError(AnnotatorError, ValueError):
    """A reviewer name that cannot be recorded on audit rows."""


def check_actor(name: str) -> str:
    """``name`` without surrounding spaces, if it can name a reviewer: not empty,
    no control characters, at most ``MAX_ACTOR_LENGTH`` characters."""
    trimmed = name.strip()
    if not trimmed:
        raise InvalidActorError("The reviewer name is empty; give a name or initials.")
    for char in trimmed:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise InvalidActorError(
                f"The reviewer name {trimmed!r} contains a control character "
                f"(U+{ord(char):04X}); use letters, digits, spaces and punctuation only."
            )
    if len(trimmed) > MAX_ACTOR_LENGTH:
        raise InvalidActorError(
            f"The reviewer name is {len(trimmed)} characters long; at most "
            f"{MAX_ACTOR_LENGTH} are allowed."
        )
    return trimmed


# ---- who reviews ---------------------------------------------------------------
#
# The reviewer's name is what the audit rows record (and so the document's review
# and the exports' meta.annotator). The command line and the window read the saved
# default from a small JSON file in the user config folder, without Qt.

REVIEWER_ENV = "ANNOTATOR_REVIEWER"
REVIEWER_KEY = "reviewer"

ReviewerSource = Literal["option", "environment", "settings", "system"]


class SettingsError(AnnotatorError):
    """The user settings file cannot be read or written."""


@dataclass(frozen=True, slots=True)
class Reviewer:
    name: str
    source: ReviewerSource  # where the name came from


def resolve_reviewer(given: str | None = None) -> Reviewer:
    """Who is reviewing: ``given`` (``--reviewer``), else the ``ANNOTATOR_REVIEWER``
    environment variable (unless empty), else the name saved in the settings, else
    the operating-system user. A name that is given but invalid is refused with
    ``InvalidActorError``; nothing later in the order is tried then."""
    if given is not None:
        return Reviewer(check_actor(given), "option")
    from_env = os.environ.get(REVIEWER_ENV, "")
    if from_env.strip():
        try:
            return Reviewer(check_actor(from_env), "environment")
        except InvalidActorError as exc:
            raise InvalidActorError(f"{REVIEWER_ENV} (environment variable): {exc}") from exc
    saved = saved_reviewer()
    if saved is not None:
        return Reviewer(saved, "settings")
    return Reviewer(os_user(), "system")


def os_user() -> str:
    """The operating-system user's name, if it can name a reviewer, else "unknown"."""
    try:
        return check_actor(_current_user())
    except InvalidActorError:
        return "unknown"


def settings_path() -> Path:
    """The user settings file, e.g. ~/.config/annotator/settings.json on Linux."""
    return Path(platformdirs.user_config_dir("annotator", appauthor=False)) / "settings.json"


def saved_reviewer() -> str | None:
    """The reviewer name saved as the default, or None if none is."""
    path = settings_path()
    value = _read_settings(path).get(REVIEWER_KEY)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SettingsError(
            f"Settings file {path}: {REVIEWER_KEY!r} must be a string; fix or delete the file."
        )
    try:
        return check_actor(value)
    except InvalidActorError as exc:
        raise SettingsError(
            f"Settings file {path}: {exc} Fix or delete the file, or give --reviewer NAME."
        ) from exc


def save_reviewer(name: str) -> Path:
    """Save ``name`` (checked) as the default reviewer, keeping the file's other
    settings; the file is replaced at once, never left half-written. Returns its path."""
    name = check_actor(name)
    path = settings_path()
    settings = _read_settings(path)
    settings[REVIEWER_KEY] = name
    import tempfile  # only when saving

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(settings, out, ensure_ascii=False, indent=2)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise SettingsError(
            f"Could not save the reviewer name to {path}: {exc.strerror or exc}."
        ) from exc
    return path


def _read_settings(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"Cannot read the settings file {path}: {exc}.") from exc
    try:
        settings = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(
            f"Settings file {path} is not valid JSON (line {exc.lineno}: {exc.msg}); "
            "fix or delete it."
        ) from exc
    if not isinstance(settings, dict):
        raise SettingsError(f"Settings file {path} must hold a JSON object; fix or delete it.")
    return settings


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
