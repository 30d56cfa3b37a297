Feature: Claims never promise more than the cover
  A decision commits what it approves against the guarantee's caps until it is paid, so two
  claims decided before either is paid can never take the same euro twice. A payment above
  1.000,00 € (the product's threshold) is proposed by one fund manager and authorised by
  another. Every state of a claim has a way out.

  Same lease as EXAMPLES §D: rent 650,00 € and charges 80,00 € from 2027-01-01; the damages
  cap is 3.000,00 €, the legal-costs cap 2.000,00 €, the overall cap 12.800,00 €.

  Background:
    Given the fund holds contributions of 60.000,00 € and 40.000,00 €
    And the mediator "Anna Ferrero" works for the fund
    And the fund managers "giulia" and "marco" work for the fund
    And a guarantee is active on a lease from 2027-01-01 with rent 650,00 € and charges 80,00 €

  Scenario: Two damages claims decided before either is paid share one damages cap
    When on 2027-09-10 the landlord files damages claim "cucina" of 2.000,00 € for damage found on 2027-09-01
    And on 2027-09-12 the landlord files damages claim "bagno" of 2.000,00 € for damage found on 2027-09-05
    And on 2027-09-15 "giulia" reviews claim "cucina" and approves it in full
    Then claim "cucina" is "approved" for 2.000,00 €
    And the damages line shows cap 3.000,00 €, paid 0,00 €, committed 2.000,00 €, remaining 1.000,00 €
    When on 2027-09-15 "marco" reviews claim "bagno" and approves it in full
    Then the request is refused with code "above_remaining_cover" and message containing "oltre la copertura residua per danni all'alloggio: richiesti 2.000,00 €, residui 1.000,00 €"
    When on 2027-09-15 "marco" decides claim "bagno" as suggested
    Then claim "bagno" is "partially_approved" for 1.000,00 €
    And claim "bagno" refuses 1.000,00 € because "oltre la copertura residua per danni all'alloggio (1.000,00 € del massimale di 3.000,00 €)"
    When on 2027-09-20 "giulia" proposes the payment of claim "cucina" and "marco" authorises it
    And on 2027-09-20 "giulia" pays claim "bagno"
    Then 3.000,00 € has been paid on the guarantee in all
    And the damages line shows cap 3.000,00 €, paid 3.000,00 €, committed 0,00 €, remaining 0,00 €
    And the guarantee is "active"

  Scenario: Above the threshold the same person cannot propose and authorise
    When on 2027-09-10 the landlord files damages claim "cucina" of 2.000,00 € for damage found on 2027-09-01
    And on 2027-09-15 "giulia" reviews claim "cucina" and approves it in full
    And on 2027-09-16 "giulia" pays claim "cucina"
    Then the request is refused with code "four_eyes_required" and message containing "va proposto da un gestore e autorizzato da un altro"
    When on 2027-09-16 "giulia" proposes the payment of claim "cucina"
    And on 2027-09-16 "giulia" pays claim "cucina"
    Then the request is refused with code "four_eyes_same_person" and message containing "deve autorizzarlo un altro gestore"
    And nothing has been paid on the guarantee
    When on 2027-09-17 "marco" refuses the payment of claim "cucina" because "IBAN da verificare con il locatore"
    And on 2027-09-17 "marco" pays claim "cucina"
    Then the request is refused with code "four_eyes_required" and message containing "va proposto"
    When on 2027-09-18 "marco" proposes the payment of claim "cucina" and "giulia" authorises it
    Then 2.000,00 € has been paid on the guarantee in all
    And the audit trail of claim "cucina" reads "propose_payment, refuse_payment, propose_payment, mark_paid"

  Scenario: At or below the threshold one fund manager pays
    When on 2027-09-10 the landlord files damages claim "vetro" of 1.000,00 € for damage found on 2027-09-01
    And on 2027-09-15 "giulia" reviews claim "vetro" and approves it in full
    And on 2027-09-16 "giulia" pays claim "vetro"
    Then 1.000,00 € has been paid on the guarantee in all

  Scenario: A revoked decision frees its commitment
    When on 2027-09-10 the landlord files damages claim "cucina" of 2.000,00 € for damage found on 2027-09-01
    And on 2027-09-12 the landlord files damages claim "bagno" of 2.000,00 € for damage found on 2027-09-05
    And on 2027-09-15 "giulia" reviews claim "cucina" and approves it in full
    And on 2027-09-16 "marco" revokes the decision on claim "cucina" because "perizia da rifare"
    Then claim "cucina" is "under_review"
    And the damages line shows cap 3.000,00 €, paid 0,00 €, committed 0,00 €, remaining 3.000,00 €
    When on 2027-09-17 "marco" reviews claim "bagno" and approves it in full
    Then claim "bagno" is "approved" for 2.000,00 €
    When on 2027-09-18 "giulia" decides claim "cucina" as suggested
    Then claim "cucina" is "partially_approved" for 1.000,00 €

  Scenario: The landlord withdraws a claim before it is paid
    When on 2027-09-10 the landlord files damages claim "cucina" of 2.000,00 € for damage found on 2027-09-01
    Then the guarantee is "suspended"
    When on 2027-09-15 "giulia" reviews claim "cucina" and approves it in full
    And on 2027-09-16 the landlord withdraws claim "cucina" because "danno riparato dall'inquilino"
    Then claim "cucina" is "closed"
    And the damages line shows cap 3.000,00 €, paid 0,00 €, committed 0,00 €, remaining 3.000,00 €
    And the guarantee is "active"
    And nothing has been paid on the guarantee

  Scenario: An arrears claim waits while mediation is open, and is reviewed when it ends
    When on 2027-06-21 the landlord reports the unpaid rents of 2027-05-05 and 2027-06-05 of 730,00 € each
    And on 2027-06-24 the mediator records the first contact
    And on 2027-07-20 the landlord files a claim for the rents of 2027-05-05, 2027-06-05 and 2027-07-05 of 730,00 € each and legal costs of 2.400,00 € on 2027-07-16
    And on 2027-07-21 the fund manager starts the review of the claim
    Then the claim is "awaiting_mediation" and the guarantee is "suspended"
    When on 2027-07-22 the mediator records no agreement and closes the case
    Then the claim is "under_review" and the guarantee is "suspended"
    When on 2027-07-28 the fund manager decides the claim as suggested
    Then the claim is "partially_approved" for 4.190,00 €
