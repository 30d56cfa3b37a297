Feature: Every party gets its letter, exactly once
  A household followed through a claim and a repayment plan (EXAMPLES §D and §E): the
  landlord reads every letter in the mailbox; the tenant household reads its own letters
  in its mailbox when it has an e-mail address on record, and otherwise receives them by post
  from the day's print batch, which a fund manager marks as posted.

  Scenario: A household with an e-mail address finds its letters in its mailbox
    Given the household has the e-mail address "famiglia.bianchi@example.it" on record
    When the household goes through a claim and a repayment plan
    And the notice jobs have run twice
    Then the landlord's mailbox has exactly once each of
      | Garanzia GC-                                      |
      | Segnalazione di morosità ricevuta                  |
      | Apertura della mediazione                         |
      | Convocazione all'incontro di mediazione           |
      | Ricevuta della richiesta di escussione            |
      | Decisione sulla richiesta                         |
      | Avviso di pagamento                               |
    And the household's mailbox has exactly once each of
      | Esito dell'istruttoria della domanda              |
      | Apertura della mediazione                         |
      | Convocazione all'incontro di mediazione           |
      | Piano di rientro                                  |
    And every mail has a text part and an HTML part saying the same
    And nothing is waiting for the print batch

  Scenario: A household without e-mail gets its letters by post
    Given the household has no e-mail address on record
    When the household goes through a claim and a repayment plan
    And the notice jobs have run twice
    Then the household's mailbox is empty
    And the day's print batch holds one envelope each for
      | Esito dell'istruttoria della domanda              |
      | Apertura della mediazione                         |
      | Convocazione all'incontro di mediazione           |
      | Piano di rientro                                  |
    And each envelope has a cover sheet with the tenant's name and address
    When a fund manager marks the batch as posted
    Then the batch is posted by that fund manager
    And marking it posted again is refused
