Feature: Records that staff keep current, and the dates things really happened
  A household's income, members and contacts change after the application; a landlord
  changes bank; a claim sent by PEC reaches the office a day before anyone types it in.
  The help desk that referred the household and the fund managers keep the records
  current, every change is audited with what it was before and why, and the fund judges
  deadlines on the day a letter arrived.

  Background:
    Given the fund holds 100.000,00 €
    And the help desk "sportello-ivrea" referred a household with a net monthly income of 1.350,00 €
    And its guarantee is active on a lease from 2026-06-01 to 2028-12-31 with rent 450,00 € and charges 50,00 €

  Scenario: A household whose income fell gets a plan at 10% of its new income
    Given the fund paid the landlord a claim of 4.000,00 € on that guarantee
    When on 2026-12-01 the help desk records a net monthly income of 900,00 € from 2026-12-01 on the strength of "lettera di licenziamento del 30 novembre"
    And on 2026-12-02 the fund manager creates a recovery plan from 2027-01-01
    Then the plan asks at most 90,00 € a month
    And it has 36 instalments of 90,00 € and proposes 760,00 € for write-off
    And the household's history shows the income changed from 1.350,00 € to 900,00 € on the strength of "lettera di licenziamento del 30 novembre"

  Scenario: A second fall of income: the old plan is closed, what was paid is kept, the rest is re-planned
    Given the fund paid the landlord a claim of 4.000,00 € on that guarantee
    When on 2026-12-01 the help desk records a net monthly income of 1.000,00 € from 2026-12-01 on the strength of "contratto a tempo parziale"
    And on 2026-12-02 the fund manager creates a recovery plan from 2027-01-01
    Then the plan asks at most 100,00 € a month
    When the tenant pays 3 instalments
    And on 2027-03-15 the help desk records a net monthly income of 600,00 € from 2027-03-01 on the strength of "comunicazione INPS di cassa integrazione"
    And on 2027-03-16 the fund manager re-plans the recovery from 2027-04-01 because "reddito ridotto a 600,00 €"
    Then the old plan is "replaced" with 300,00 € recovered and no instalment left to pay
    And the new plan asks 3.700,00 € at most 60,00 € a month
    And the claim is "in_recovery" under the new plan
    When a fund manager re-plans the new plan without a new income
    Then the request is refused with "registrare prima la variazione del reddito"

  Scenario: Only the help desk that referred the household, or the fund, changes it
    When another help desk records a net monthly income of 900,00 € from 2026-11-25 on the strength of "busta paga"
    Then the request is refused as not found
    And the household's net monthly income is still 1.350,00 €

  Scenario: A landlord's IBAN change is confirmed to its old email and holds payments for 5 days
    Given the fund decided a claim of 800,00 € on that guarantee
    When on 2026-11-27 the fund manager changes the landlord's email to "nuovo.indirizzo@example.it" because "comunicato al telefono"
    And on 2026-12-01 the fund manager changes the landlord's IBAN because "nuovo conto, lettera firmata del 28 novembre"
    Then a confirmation of the IBAN change is queued for "nuovo.indirizzo@example.it" and for the landlord's previous email
    When on 2026-12-05 one fund manager pays the claim alone
    Then the request is refused with "l'IBAN del locatore è stato cambiato il 1 dicembre 2026: fino al 5 dicembre 2026 ogni pagamento va proposto da un gestore e confermato da un altro"
    When on 2026-12-05 the fund manager proposes the payment and a second fund manager confirms it
    Then the claim is "paid" to the new IBAN
    Given the fund decided another claim of 500,00 € on that guarantee
    When on 2026-12-06 one fund manager pays the claim alone
    Then the claim is "paid" to the new IBAN

  Scenario Outline: A claim received by PEC is judged on the day it arrived
    Given damages on the lease ending 2028-12-31 may be claimed until 2029-03-01
    When on 2029-03-02 a fund manager enters a damages claim of 1.200,00 € received by PEC on <received> with reference "opec.<received>.1234"
    Then the claim is <outcome>

    Examples:
      | received   | outcome                                                                      |
      | 2029-03-01 | accepted, received on 2029-03-01 by "pec" and entered on 2029-03-02          |
      | 2029-03-02 | refused with "andava presentata entro il 1 marzo 2029"                       |

  Scenario: A received date cannot be in the future, and landlords filing online get today
    Given damages on the lease ending 2028-12-31 may be claimed until 2029-03-01
    When on 2029-02-10 a fund manager enters a damages claim of 1.200,00 € received by PEC on 2029-02-11 with reference "opec.1"
    Then the request is refused with "non può essere nel futuro"
    When on 2029-02-10 the landlord files a damages claim of 1.200,00 € online
    Then the claim is accepted, received on 2029-02-10 by "online" and entered on 2029-02-10
