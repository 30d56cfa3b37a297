"""EXAMPLES §D and §E through the bus; cover committed at decision; four-eyes payments."""

from __future__ import annotations

from pytest_bdd import scenarios

from tests.features.claims_steps import *  # noqa: F403  (the steps are fixtures)

scenarios("claims_journey.feature", "claims_cover.feature")
