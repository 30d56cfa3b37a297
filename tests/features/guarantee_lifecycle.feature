Feature: The life of a guarantee
  A fund manager takes a household's application from submission to a live guarantee,
  and the system refuses every move the lifecycle does not allow, saying why.

  Background:
    Given the fund "Fondo Garanzia Casa Eporediese" holds 100.000,00 €
    And the landlord "Mario Rossi" rents a 75 m² flat in Ivrea

  Scenario: An eligible application becomes an active guarantee
    When the help desk submits an application for a household with ISEE 12.000,00 € and net income 1.900,00 € a month, rent 650,00 € and charges 80,00 €
    Then the application is "eligible" under rule set "2026-01"
    When the fund manager approves the application
    And the fund manager issues the guarantee
    Then the guarantee has number "GC-2026-000001" and is "issued"
    And the fund has reserved 3.840,00 € and has 96.160,00 € free
    When the fund manager activates the guarantee
    Then the guarantee is "active"
    And the audit trail of the guarantee shows created, submit, record_eligibility, approve, issue, activate by "gestore"

  Scenario: A doubtful application needs a reasoned decision
    When the help desk submits an application for a household with ISEE 30.000,00 € and net income 1.900,00 € a month, rent 650,00 € and charges 80,00 €
    Then the application is "needs_review" under rule set "2026-01"
    When the fund manager approves the application without a reason
    Then the request is refused with "approvare una domanda da rivedere richiede una motivazione"
    When the fund manager approves the application with reason "ISEE in calo, verificato dal servizio sociale"
    Then the application is "approved"

  Scenario: An ineligible application cannot be approved
    When the help desk submits an application for a household with ISEE 40.000,00 € and net income 1.900,00 € a month, rent 650,00 € and charges 80,00 €
    Then the application is "ineligible" under rule set "2026-01"
    When the fund manager approves the application with reason "eccezione"
    Then the request is refused with "impossibile eseguire 'approve' dallo stato 'ineligible'"

  Scenario Outline: Moves the lifecycle does not allow are refused and change nothing
    Given a guarantee in state "<state>"
    When the fund manager tries to <action> it
    Then the request is refused with "impossibile eseguire '<action>' dallo stato '<state>'"
    And the guarantee is still "<state>"

    Examples:
      | state     | action    |
      | approved  | activate  |
      | issued    | issue     |
      | issued    | terminate |
      | active    | activate  |
      | active    | approve   |
      | cancelled | activate  |
      | expired   | terminate |

  Scenario: Ending a live guarantee gives its reserve back to the fund
    Given a guarantee in state "active"
    When the fund manager terminates it because "il conduttore ha lasciato l'alloggio"
    Then the guarantee is "terminated"
    And the fund has reserved 0,00 € and has 100.000,00 € free

  Scenario: A guarantee past its end expires in the daily run, and not before
    Given a guarantee in state "active" ending on 2029-12-31
    When the daily expiry runs on 2029-12-31
    Then the guarantee is "active"
    When the daily expiry runs on 2030-01-01
    Then the guarantee is "expired"
    And the fund has reserved 0,00 € and has 100.000,00 € free
