Feature: When things go wrong: arrears, mediation, claims and recovery
  One household's lease (EXAMPLES §D and §E): rent 650,00 € and charges 80,00 € from
  2027-01-01, a guarantee issued with a reserve of 3.840,00 € by a fund holding
  100.000,00 €. The fund's figures after each step are the ones an accountant computes by
  hand: balance = contributions − paid + recovered; reserve = 30% × (12.800,00 − paid);
  loss ratio = (paid − recovered) / contributions; cover = 12.800,00 − paid.

  Background:
    Given the fund holds contributions of 60.000,00 € and 40.000,00 €
    And the mediator "Anna Ferrero" works for the fund
    And a guarantee is active on a lease from 2027-01-01 with rent 650,00 € and charges 80,00 €
    Then the fund's figures are
      | balance    | 100.000,00 € |
      | reserved   | 3.840,00 €   |
      | loss ratio | 0,00%        |

  Scenario: Mediation fails, the fund pays once, the tenant repays
    When on 2027-06-21 the landlord reports the unpaid rents of 2027-05-05 and 2027-06-05 of 730,00 € each
    Then a mediation case is open and assigned to "Anna Ferrero", first contact due 2027-06-28
    And the report must have come by 2027-08-04
    When on 2027-06-24 the mediator records the first contact
    And on 2027-06-25 the mediator schedules a meeting on 2027-07-08 at 10:00
    And on 2027-07-15 the mediator records no agreement and closes the case
    And on 2027-07-20 the landlord files a claim for the rents of 2027-05-05, 2027-06-05 and 2027-07-05 of 730,00 € each and legal costs of 2.400,00 € on 2027-07-16
    Then the claim is "submitted" and the guarantee is "suspended"
    When on 2027-07-28 the fund manager reviews the claim and decides as suggested
    Then the claim is "partially_approved" for 4.190,00 €
    And the legal costs are cut by 400,00 € because "oltre il massimale per spese legali (2.000,00 €)"
    When on 2027-07-30 the fund manager proposes the payment and a second fund manager pays the claim twice with the key "bonifico-1"
    Then one payment of 4.190,00 € went to the landlord's IBAN and both answers are the same
    And the claim is "paid" and the guarantee is "active"
    And the guarantee still covers 8.610,00 € overall, 5.610,00 € of arrears, 3.000,00 € of damages and 0,00 € of legal costs
    And the fund's figures are
      | balance    | 95.810,00 € |
      | reserved   | 2.583,00 €  |
      | loss ratio | 4,19%       |
    When the household's net monthly income has fallen to 1.400,00 €
    And on 2027-08-01 the fund manager creates a recovery plan from 2027-09-01
    Then the plan has 35 instalments of 116,39 € and a last one of 116,35 €
    When the tenant pays 3 instalments and misses the next 2
    Then the fund's figures are
      | balance    | 96.159,17 € |
      | reserved   | 2.583,00 €  |
      | loss ratio | 3,84%       |
    And the guarantee still covers 8.610,00 € overall, 5.610,00 € of arrears, 3.000,00 € of damages and 0,00 € of legal costs
    When the tenant pays every instalment left, the missed ones late
    Then the plan is "completed" and the claim is "closed" with 4.190,00 € recovered
    And the fund's figures are
      | balance    | 100.000,00 € |
      | reserved   | 2.583,00 €   |
      | loss ratio | 0,00%        |

  Scenario: Mediation works and the fund pays nothing
    When on 2027-06-21 the landlord reports the unpaid rents of 2027-05-05 and 2027-06-05 of 730,00 € each
    And on 2027-06-24 the mediator records the first contact
    And on 2027-07-01 the mediator records an agreement to repay 1.460,00 € in 6 instalments from 2027-08-05
    Then the agreement has 5 instalments of 243,33 € and a last one of 243,35 €
    When the tenant pays the landlord every agreed instalment
    And the mediator closes the case
    Then the case is "closed" with outcome "agreement" and no claim path
    And the fund's figures are
      | balance    | 100.000,00 € |
      | reserved   | 3.840,00 €   |
      | loss ratio | 0,00%        |
    And the guarantee still covers 12.800,00 € overall, 7.800,00 € of arrears, 3.000,00 € of damages and 2.000,00 € of legal costs

  Scenario: A missed agreed instalment reopens the path to an arrears claim
    When on 2027-06-21 the landlord reports the unpaid rents of 2027-05-05 and 2027-06-05 of 730,00 € each
    And on 2027-06-24 the mediator records the first contact
    And on 2027-07-01 the mediator records an agreement to repay 1.460,00 € in 6 instalments from 2027-08-05
    And on 2027-08-10 the mediator records the first agreed instalment as missed
    And on 2027-08-12 the landlord files a claim for the rents of 2027-05-05 and 2027-06-05 of 730,00 € each
    And on 2027-08-20 the fund manager reviews the claim and decides as suggested
    Then the claim is "approved" for 1.460,00 €

  Scenario: A claim on an expired guarantee is refused
    When on 2030-01-02 the guarantee expires
    And on 2030-01-20 the landlord files a claim for legal costs of 900,00 € on 2030-01-15
    Then the request is refused with code "guarantee_not_live" and message containing "fuori copertura"
    And no claim was recorded

  Scenario: Rents in the waiting period are not covered
    When on 2027-06-21 the landlord reports the unpaid rents of 2027-05-05 and 2027-06-05 of 730,00 € each
    And on 2027-06-30 the landlord files a claim for the rents of 2027-02-05, 2027-05-05 and 2027-06-05 of 730,00 € each
    Then the request is refused with code "arrears_in_waiting_period" and message containing "periodo di carenza"
    And no claim was recorded

  Scenario: Arrears reported after the deadline are refused
    When on 2027-06-21 the landlord reports the unpaid rents of 2027-05-05 and 2027-06-05 of 730,00 € each
    And on 2027-06-30 the landlord files a claim for the rents of 2027-03-05, 2027-04-05 and 2027-05-05 of 730,00 € each
    Then the request is refused with code "arrears_reported_late" and message containing "entro il 4 giugno 2027"
    And no claim was recorded

  Scenario: An approval above the remaining cover is refused
    When on 2027-06-21 the landlord reports the unpaid rents of 2027-05-05 and 2027-06-05 of 730,00 € each
    And on 2027-06-24 the mediator records the first contact
    And on 2027-07-15 the mediator records no agreement and closes the case
    And on 2027-07-20 the landlord files a claim for the rents of 2027-05-05, 2027-06-05 and 2027-07-05 of 730,00 € each and legal costs of 2.400,00 € on 2027-07-16
    And on 2027-07-28 the fund manager reviews the claim and approves everything
    Then the request is refused with code "above_remaining_cover" and message containing "oltre la copertura residua per spese legali: richiesti 2.400,00 €, residui 2.000,00 €"
    And the claim is "under_review" and the guarantee is "suspended"

  Scenario: Arrears are not paid before the mediation has ended
    When on 2027-06-21 the landlord reports the unpaid rents of 2027-05-05 and 2027-06-05 of 730,00 € each
    And on 2027-07-20 the landlord files a claim for the rents of 2027-05-05, 2027-06-05 and 2027-07-05 of 730,00 € each and legal costs of 2.400,00 € on 2027-07-16
    And on 2027-07-28 the fund manager reviews the claim and approves everything
    Then the request is refused with code "mediation_not_concluded" and message containing "solo dopo che la mediazione"
    And the claim is "awaiting_mediation" and the guarantee is "suspended"
