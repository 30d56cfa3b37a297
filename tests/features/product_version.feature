Feature: A guarantee keeps the product version it was issued under
  SPEC §3: the product file is versioned with a validity period, and a guarantee carries
  the version on sale on the day it is issued — not the one of the day its application
  was submitted. The eligibility decision keeps the rule set it was decided under.

  Scenario: Submitted under version 1, issued under version 2
    Given product version 1 is on sale until 2026-12-31 with a damages cap of 3.000,00 €
    And product version 2 is on sale from 2027-01-01 with a damages cap of 4.000,00 €
    And the fund holds 100.000,00 €
    When on 2026-12-20 a household's application is submitted for a rent of 450,00 €
    Then the application refers to product version 1
    When on 2027-01-10 the fund manager approves and issues it
    Then the guarantee is under product version 2 with a maximum exposure of 11.400,00 €
    And its eligibility keeps the rule set version it was decided under
    And the guarantee's history shows it was issued under version 2 after being submitted under version 1
