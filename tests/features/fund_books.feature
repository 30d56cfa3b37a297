Feature: The fund's books
  The fund is public money. A fund manager records what donors give, issues guarantees only
  while the fund can cover their reserves, and reads the fund's figures today and on any past
  day; a refusal leaves no trace in the books.

  Background:
    Given the fund "Fondo Garanzia Casa Eporediese" is open and empty
    And the landlord "Mario Rossi" rents a 75 m² flat in Ivrea

  Scenario: Guarantees are issued until the fund's capacity runs out
    When the fund manager records a contribution of 60.000,00 € from "Fondazione di comunità" on 2026-01-15
    And the fund manager records a contribution of 40.000,00 € from "Consorzio dei servizi sociali" on 2026-03-01
    Then the fund's figures are
      | balance         | 100.000,00 € |
      | reserved        | 0,00 €       |
      | free capacity   | 100.000,00 € |
      | live guarantees | 0            |
    When the fund manager issues 26 guarantees for leases with rent 650,00 € and charges 80,00 €
    Then 26 guarantees are live, numbered from "GC-2026-000001" to "GC-2026-000026"
    When the fund manager tries to issue one more guarantee like them
    Then the request is refused with "capienza del fondo insufficiente (servono 3.840,00 €, disponibili 160,00 €)"
    And nothing was written: no entry, no audit record, no guarantee number
    And the fund's figures are
      | balance         | 100.000,00 € |
      | reserved        | 99.840,00 €  |
      | free capacity   | 160,00 €     |
      | exposure        | 332.800,00 € |
      | leverage        | 3,33         |
      | loss ratio      | 0,00%        |
      | live guarantees | 26           |

  Scenario: Figures as of a past day
    When the fund manager records a contribution of 60.000,00 € from "Fondazione di comunità" on 2026-01-15
    And the fund manager records a contribution of 40.000,00 € from "Consorzio dei servizi sociali" on 2026-03-01
    And on 2026-11-25 the fund manager issues 2 guarantees for leases with rent 650,00 € and charges 80,00 €
    And on 2027-01-20 the fund pays a claim of 4.190,00 € on guarantee "GC-2026-000001"
    Then as of 2026-01-14 the fund's figures are
      | balance         | 0,00 €       |
      | leverage        | n.d.         |
      | live guarantees | 0            |
    And as of 2026-02-01 the fund's figures are
      | balance         | 60.000,00 €  |
      | reserved        | 0,00 €       |
      | exposure        | 0,00 €       |
    And as of 2026-11-25 the fund's figures are
      | balance         | 100.000,00 € |
      | reserved        | 7.680,00 €   |
      | free capacity   | 92.320,00 €  |
      | exposure        | 25.600,00 €  |
      | leverage        | 0,26         |
      | live guarantees | 2            |
    And the fund's figures are
      | balance         | 95.810,00 €  |
      | reserved        | 6.423,00 €   |
      | exposure        | 21.410,00 €  |
      | loss ratio      | 4,19%        |
      | live guarantees | 2            |
