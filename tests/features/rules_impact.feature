# language: it
Funzionalità: Impatto di una modifica delle regole, in parole e in euro
  Come gestore del fondo
  voglio vedere, prima di decidere una bozza delle regole, quali domande aperte cambierebbero
  esito e per quale regola, e quanto accantonamento impegnerebbero o libererebbero,
  per sapere se il fondo può permetterselo. Le domande sono indicate solo con il loro numero.

  Contesto:
    Dato un fondo con una capacità libera di 100.000,00 €
    E le domande aperte, tutte a Ivrea in 75 m²:
      | domanda         | ISEE      | canone |
      | DOM-2026-000001 | 26.500,00 | 600,00 |
      | DOM-2026-000002 | 35.500,00 | 650,00 |
      | DOM-2026-000003 | 12.000,00 | 600,00 |

  Scenario: alzare le soglie dell'ISEE impegna l'accantonamento di chi diventa emettibile
    Dato una bozza che ammette l'ISEE fino a 27.000 € e lo fa verificare fino a 36.000 €
    Quando guardo l'impatto della bozza
    Allora cambiano esito 2 domande su 3
    E la domanda "DOM-2026-000001" passa da "da verificare" a "ammissibile" per la regola "isee" e impegna 0,00 €
    E la domanda "DOM-2026-000002" passa da "non ammissibile" a "da verificare" per la regola "isee" e impegna 3.840,00 €
    E l'accantonamento impegnato è 3.840,00 € e quello liberato 0,00 €
    E la capacità libera del fondo dopo la bozza è 96.160,00 €
    E il CSV ha una riga per ciascuna delle 2 domande, con gli esiti in italiano e nessun nome

  Scenario: abbassare le soglie dell'ISEE libera l'accantonamento di chi non sarebbe più emettibile
    Dato una bozza che ammette l'ISEE fino a 20.000 € e lo fa verificare fino a 25.000 €
    Quando guardo l'impatto della bozza
    Allora cambiano esito 1 domande su 3
    E la domanda "DOM-2026-000001" passa da "da verificare" a "non ammissibile" per la regola "isee" e libera 3.660,00 €
    E l'accantonamento impegnato è 0,00 € e quello liberato 3.660,00 €
    E la capacità libera del fondo dopo la bozza è 103.660,00 €
