"""The built-in regimes' scheduling and records rules by regime name: the domain's default when a
caller passes no `rules` (kiosk.domain.exam_rules.builtin_rules).

The regimes themselves live in kiosk/builtins/regimes/ and declare these same constants as their
`rules`; the domain may not import them (contract domain-pure), so the names are repeated here,
the one table keyed by regime names (tests/unit/test_regimes.py checks it against the regimes).
"""

from __future__ import annotations

from kiosk.domain.exam_rules import (
    IN_SCHOOL_RULES,
    NO_RULES,
    SZAKVIZSGA_RULES,
    VOCATIONAL_RULES,
    RegimeRules,
)

BUILTIN_RULES: dict[str, RegimeRules] = {
    "generic": NO_RULES,
    "hu-iskolai": IN_SCHOOL_RULES,
    "hu-szakvizsga": SZAKVIZSGA_RULES,
    "hu-szkr": VOCATIONAL_RULES,
}
