Feature: Renewing a guarantee for a new term
  A guarantee follows the lease and can be renewed as many times as the product file says
  (once, for Garanzia Casa v1), before it ends, by its landlord or by the fund, with the new
  terms of the lease. The household's eligibility is checked again on today's facts, and the
  fund's reserve follows the new exposure in one balanced entry.

  Scenario: A guarantee renewed once with a higher rent takes the difference from free capacity
    Given the fund "Fondo Garanzia Casa Eporediese" holds 100.000,00 €
    And an active guarantee on a lease from 2027-01-01 to 2029-12-31 at 650,00 € rent and 80,00 € charges, for a household earning 2.100,00 € a month
    And the fund has reserved 3.840,00 € and has 96.160,00 € free
    When on 2029-11-16 the landlord asks to renew it until 2032-12-31 at 700,00 € rent and 80,00 € charges
    Then the guarantee is "active" in its term 2, from 2030-01-01 to 2032-12-31
    And the fund has reserved 4.020,00 € and has 95.980,00 € free
    And one balanced entry moved 180,00 € from capital to reserves for the renewal
    And the landlord is sent a new contract of guarantee and a new certificate for 2030-01-01 to 2032-12-31
    And the old certificate is shown at /verify as "sostituito dal certificato del rinnovo" and the new one as valid until 2032-12-31
    And the first term is kept: 2027-01-01 to 2029-12-31 at 650,00 € rent
    When on 2032-10-01 the landlord asks to renew it until 2035-12-31 at 700,00 € rent and 80,00 € charges
    Then the request is refused with "è già stata rinnovata: il prodotto consente di rinnovarla una volta"
    And the guarantee is "active" in its term 2, from 2030-01-01 to 2032-12-31

  Scenario: A renewal the fund cannot cover is refused and nothing is written
    Given the fund "Fondo Piccolo" holds 3.900,00 €
    And an active guarantee on a lease from 2027-01-01 to 2029-12-31 at 650,00 € rent and 80,00 € charges, for a household earning 2.100,00 € a month
    When on 2029-11-16 the landlord asks to renew it until 2032-12-31 at 700,00 € rent and 80,00 € charges
    Then the request is refused with "capienza del fondo insufficiente (servono 180,00 €, disponibili 60,00 €)"
    And the guarantee is "active" in its term 1, from 2027-01-01 to 2029-12-31
    And the fund has reserved 3.840,00 € and has 60,00 € free
    And nothing was written for the renewal

  Scenario: A lower rent gives part of the reserve back
    Given the fund "Fondo Garanzia Casa Eporediese" holds 100.000,00 €
    And an active guarantee on a lease from 2027-01-01 to 2029-12-31 at 650,00 € rent and 80,00 € charges, for a household earning 2.100,00 € a month
    When on 2029-12-31 the fund manager renews it until 2031-12-31 at 600,00 € rent and 80,00 € charges
    Then the guarantee is "active" in its term 2, from 2030-01-01 to 2031-12-31
    And the fund has reserved 3.660,00 € and has 96.340,00 € free

  Scenario: A renewal asked after the end date is refused
    Given the fund "Fondo Garanzia Casa Eporediese" holds 100.000,00 €
    And an active guarantee on a lease from 2027-01-01 to 2029-12-31 at 650,00 € rent and 80,00 € charges, for a household earning 2.100,00 € a month
    When on 2030-01-01 the landlord asks to renew it until 2032-12-31 at 700,00 € rent and 80,00 € charges
    Then the request is refused with "il rinnovo va chiesto prima"

  Scenario: The household's eligibility is checked again on today's facts
    Given the fund "Fondo Garanzia Casa Eporediese" holds 100.000,00 €
    And an active guarantee on a lease from 2027-01-01 to 2029-12-31 at 650,00 € rent and 80,00 € charges, for a household earning 2.100,00 € a month
    And on 2029-09-01 the household's net income fell to 1.500,00 € a month
    When on 2029-11-16 the landlord asks to renew it until 2032-12-31 at 700,00 € rent and 80,00 € charges
    Then the request is refused with "il rinnovo non è ammissibile: Canone più spese fino al 40% del reddito netto mensile"
