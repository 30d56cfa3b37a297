"""Records kept current by staff, and the dates things really happened (issue 13)."""

from __future__ import annotations

from pytest_bdd import scenarios

from tests.features.records_steps import *  # noqa: F403  (the steps are fixtures)

scenarios("records.feature")
