"""Default plugin: the built-in exam regimes (generic, hu-szakvizsga, hu-szkr, hu-iskolai).

Each regime finds grade scales in the plugin registry when it evaluates, so a school's own scale
file (KIOSK_SCALES_DIR) replaces a built-in one there too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.builtins.regimes.generic import GenericRegime
from kiosk.builtins.regimes.iskolai import IskolaiRegime
from kiosk.builtins.regimes.szakvizsga import SzakvizsgaRegime
from kiosk.builtins.regimes.szkr import SzkrRegime
from kiosk.domain.grading import GradeScale
from kiosk.hookspecs import hookimpl

if TYPE_CHECKING:
    from kiosk.api.contracts import RegisterObject


def registry_scale(scale_id: str) -> GradeScale:
    from kiosk.plugins import registry

    return registry().grade_scales[scale_id]


@hookimpl
def register_regimes(register: RegisterObject) -> None:
    for cls in (GenericRegime, SzakvizsgaRegime, SzkrRegime, IskolaiRegime):
        register(cls(registry_scale))
