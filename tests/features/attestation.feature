Feature: An eligibility attestation before the lease
  The hardest step for a household is finding a landlord. The help desk can have it judged
  before it has a lease: the requirements that depend only on the household are checked, the
  others wait for the lease, and an eligible household gets an attestation of the highest rent
  plus charges it can take on, valid for the months the product file says (6). Landlords check
  it online; when one offers a lease, the help desk turns it into an application.

  Background:
    Given the fund "Fondo Garanzia Casa Eporediese" holds 100.000,00 €
    And the landlord "Mario Rossi" rents a 75 m² flat in Ivrea

  Scenario: A household without a lease gets an attestation with its maximum rent
    When on 2026-11-25 the help desk asks an attestation for a household with ISEE 12.000,00 € and net income 1.350,00 € a month
    Then the household gets an attestation for a rent plus charges up to 540,00 € a month, valid until 2027-05-24
    And the requirements "isee, partner_referral, no_other_live_guarantee" are met
    And the requirements "dwelling_in_consortium, rent_to_income, lease_registered, lease_type_allowed, lease_minimum_term, rent_within_cap, not_relatives" are "da verificare quando il contratto è noto"
    And the household is sent a letter with the attestation's code and its maximum rent of 540,00 €

  Scenario: A landlord checks the attestation online and sees nothing personal
    When on 2026-11-25 the help desk asks an attestation for a household with ISEE 12.000,00 € and net income 1.350,00 € a month
    Then a landlord checking its code at /verify reads "Attestazione valida", "24 maggio 2027" and "540,00 €" and not the household's name nor its income

  Scenario: The help desk turns the attestation into an application whose lease fits, and the guarantee is issued
    When on 2026-11-25 the help desk asks an attestation for a household with ISEE 12.000,00 € and net income 1.350,00 € a month
    And on 2027-01-10 the help desk applies with the attestation for a lease at 460,00 € rent and 80,00 € charges
    Then the application is "eligible"
    And the attestation is "used"
    When the fund manager approves the application and issues the guarantee
    Then the guarantee is "issued"
    When on 2027-01-11 the help desk applies with the attestation for a lease at 460,00 € rent and 80,00 € charges
    Then the request is refused with "impossibile eseguire 'use' dallo stato 'used'"

  Scenario Outline: A lease above the attested maximum goes to review or is refused, as the rules say
    When on 2026-11-25 the help desk asks an attestation for a household with ISEE 12.000,00 € and net income 1.350,00 € a month
    And on 2027-01-10 the help desk applies with the attestation for a lease at <rent> rent and <charges> charges
    Then the application is "<outcome>"
    And the requirement "rent_to_income" is "<verdict>"

    Examples:
      | rent     | charges | outcome      | verdict |
      | 460,01 € | 80,00 € | needs_review | review  |
      | 595,00 € | 80,00 € | needs_review | review  |
      | 595,01 € | 80,00 € | ineligible   | fail    |

  Scenario: An expired attestation cannot be used
    When on 2026-11-25 the help desk asks an attestation for a household with ISEE 12.000,00 € and net income 1.350,00 € a month
    And on 2027-05-25 the help desk applies with the attestation for a lease at 460,00 € rent and 80,00 € charges
    Then the request is refused with "è scaduta il 24 maggio 2027: non può essere usata"
    And no application was written
    And a landlord checking its code at /verify reads "Attestazione non valida" and "scaduta"

  Scenario: A withdrawn attestation cannot be used, and the household is told why
    When on 2026-11-25 the help desk asks an attestation for a household with ISEE 12.000,00 € and net income 1.350,00 € a month
    And the fund manager withdraws the attestation because "reddito dichiarato non confermato dal documento"
    Then the household is sent a letter saying the attestation was withdrawn because "reddito dichiarato non confermato dal documento"
    And the audit trail of the attestation shows issue, withdraw
    When on 2027-01-10 the help desk applies with the attestation for a lease at 460,00 € rent and 80,00 € charges
    Then the request is refused with "impossibile eseguire 'use' dallo stato 'withdrawn'"
    And a landlord checking its code at /verify reads "Attestazione non valida" and "revocata"

  Scenario: A household that does not meet its own requirements gets no attestation
    When on 2026-11-25 the help desk asks an attestation for a household with ISEE 40.000,00 € and net income 1.350,00 € a month
    Then the request is refused with "il nucleo non può avere l'attestazione"
    And no attestation was written
