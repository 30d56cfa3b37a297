Feature: Accounts: who may log in, and how a password is chosen, changed, guessed and reset
  Fund managers open accounts; the person chooses the password from a link sent by email.
  Every login, failure, change and reset is in the audit trail. Guessing is slowed by a lock
  per account and per address that every app process shares.

  Background:
    Given the fund manager "laura" can log in
    And a mailbox catches the fund's mail

  Scenario: A new colleague chooses a password from the emailed link, once
    When "laura" opens a mediator account "paolo" for "Paolo Ferrero" with email "paolo@example.it"
    Then "paolo@example.it" receives a mail "Il suo account Garanzia Casa" with a link
    And "paolo" cannot log in yet
    When the link is used to choose the password "qwerty123456"
    Then the request is refused on field "password" because "tra le password più comuni"
    When the link is used to choose the password "paolo-media-2026!"
    Then the request is refused on field "password" because "non deve contenere il nome utente"
    When the link is used to choose the password "cavolfiore-dolce-92"
    Then "paolo" logs in with "cavolfiore-dolce-92"
    When the link is used to choose the password "un-altra-password-77"
    Then the request is refused with code "invalid_reset_link"
    And the audit trail of "paolo" reads "created, login_failed, password_changed, login"

  Scenario: Ten wrong passwords lock the account, even against the right one
    When someone tries 10 wrong passwords for "laura"
    Then "laura" logging in with her password is told to wait 15 minutes
    When 16 minutes pass
    Then "laura" logs in with her password
    And the audit trail of "laura" counts 10 failed logins, 1 refused while locked

  Scenario: An unknown user is told exactly what a known one is told
    Then logging in as "nessuno" with "qualsiasi-cosa-1" and as "laura" with "sbagliata-1234" get the same answer

  Scenario: Changing one's password ends every other login
    Given "laura" has logged in twice
    When "laura" changes her password to "girasole-nel-campo-31"
    Then neither of her earlier logins works any more
    And "laura" logs in with "girasole-nel-campo-31"

  Scenario: A disabled account stops working at once, and can be enabled again
    Given the fund manager "marta" can log in
    And "marta" has logged in
    When "laura" disables "marta" because "fine del contratto"
    Then the earlier login of "marta" no longer works
    And "marta" cannot log in with her password
    When "laura" enables "marta" again
    Then "marta" logs in with her password

  Scenario: A forced reset voids the old password and mails a link
    Given the fund manager "marta" can log in
    When "laura" forces a new password on "marta" because "password comunicata per telefono"
    Then "marta" cannot log in with her password
    And "marta@example.it" receives a mail "Reimpostare la password" with a link

  Scenario: Only fund managers administer accounts
    Given the landlord "rossi" can log in
    Then "rossi" may not open an account, and an auditor may list them but not open one
