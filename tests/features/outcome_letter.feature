Feature: The outcome letter explains every rule
  A household, and the help desk that accompanies it, read in the outcome letter which
  requirements are met, which need a review and which are not met, each with its reason in
  Italian, and under which version of the rules the application was decided.

  Background:
    Given a landlord rents a 75 m² flat in Ivrea

  Scenario: A household in doubt learns which requirements need a review
    When the help desk submits an application with ISEE 30.000,00 €, net income 1.600,00 € a month, rent 650,00 € and charges 80,00 €
    Then the outcome letter says "Domanda da sottoporre a valutazione"
    And the letter lists all 10 requirements of rule set "2026-01"
    And the requirement "isee" reads "Da valutare" with the rule's message
    And the requirement "rent_to_income" reads "Da valutare" with the rule's message
    And the requirement "dwelling_in_consortium" reads "Soddisfatto" with the rule's message
    And the letter tells how to ask for a review

  Scenario: A household that is not eligible learns every unmet requirement, not only the first
    When the help desk submits an application with ISEE 40.000,00 €, net income 1.900,00 € a month, rent 650,00 € and charges 80,00 € on an unregistered lease
    Then the outcome letter says "Domanda non ammissibile"
    And the requirement "isee" reads "Non soddisfatto" with the rule's message
    And the requirement "lease_registered" reads "Non soddisfatto" with the rule's message
    And the requirement "rent_within_cap" reads "Soddisfatto" with the rule's message
