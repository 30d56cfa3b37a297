Feature: The overall cap binds, and a guarantee paid to its cap is exhausted
  A product whose overall cap (4 monthly rents, no fixed part: 2.600,00 € on a rent of
  650,00 €) is below the sum of its lines: a damages claim and a legal-costs claim decided
  before either is paid share the overall cap, and once it is all paid the guarantee is
  exhausted at once and its reserve goes back to the fund.

  Background:
    Given the fund holds contributions of 60.000,00 € and 40.000,00 €
    And the fund managers "giulia" and "marco" work for the fund
    And a guarantee is active on a lease from 2027-01-01 with rent 650,00 € and charges 80,00 €

  Scenario: Two claims share the overall cap and the guarantee is exhausted when it is paid
    When on 2027-09-10 the landlord files damages claim "cucina" of 2.000,00 € for damage found on 2027-09-01
    And on 2027-09-12 the landlord files legal costs claim "sfratto" of 1.500,00 € for costs incurred on 2027-09-11
    And on 2027-09-15 "giulia" reviews claim "cucina" and approves it in full
    And on 2027-09-15 "marco" reviews claim "sfratto" and approves it in full
    Then the request is refused with code "above_remaining_cover" and message containing "oltre la copertura residua complessiva della garanzia: richiesti 1.500,00 €, residui 600,00 €"
    When on 2027-09-15 "marco" decides claim "sfratto" as suggested
    Then claim "sfratto" is "partially_approved" for 600,00 €
    And the overall line shows cap 2.600,00 €, paid 0,00 €, committed 2.600,00 €, remaining 0,00 €
    When on 2027-09-20 "giulia" proposes the payment of claim "cucina" and "marco" authorises it
    Then the guarantee is "suspended"
    When on 2027-09-20 "giulia" pays claim "sfratto"
    Then 2.600,00 € has been paid on the guarantee in all
    And the guarantee is "exhausted"
    And the fund's figures are
      | balance    | 97.400,00 € |
      | reserved   | 0,00 €      |
      | loss ratio | 2,60%       |
