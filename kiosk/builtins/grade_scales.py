"""Default plugin: the built-in grade scales, plus scale files from KIOSK_SCALES_DIR."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.domain.grading import ScaleError
from kiosk.hookspecs import hookimpl
from kiosk.loading import builtin_scales, env_scale_dirs, load_scale_file

if TYPE_CHECKING:
    from kiosk.api.contracts import RegisterObject


@hookimpl
def register_grade_scales(register: RegisterObject) -> None:
    for scale in builtin_scales():
        register(scale)
    # Registered after the built-ins so a school's file may replace one; a broken file raises
    # after the good scales are in, and the registry records it as this plugin's failure.
    problems: list[str] = []
    for directory in env_scale_dirs():
        for path in sorted(directory.glob("*.toml")) if directory.is_dir() else []:
            try:
                register(load_scale_file(path))
            except ScaleError as exc:
                problems.append(str(exc))
    if problems:
        raise ScaleError("; ".join(problems))
