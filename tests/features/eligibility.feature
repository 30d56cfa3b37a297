# language: it
Funzionalità: Ammissibilità delle domande di Garanzia Casa
  Come gestore del fondo
  voglio che ogni domanda sia valutata con le regole di ammissibilità in vigore
  per sapere se è ammissibile, da verificare o non ammissibile, e per quale regola.

  Contesto:
    Dato le regole di ammissibilità in vigore il 1 marzo 2026
    E un nucleo inviato dai servizi sociali e in regola: alloggio di 75 m² a Ivrea, canone 600,00 € più 80,00 € di spese, reddito netto 2.500,00 € al mese, ISEE 18.000,00 €

  Scenario: un nucleo in regola è ammissibile e ogni regola è spiegata
    Quando valuto la domanda
    Allora l'esito è "ammissibile"
    E vedo il verdetto di tutte le 10 regole, con i dati che ciascuna ha letto
    E la valutazione riporta la versione "2026-01" delle regole

  Schema dello scenario: soglie dell'ISEE
    Quando l'ISEE del nucleo è <isee> €
    E valuto la domanda
    Allora la regola "isee" risulta "<verdetto>"
    E l'esito è "<esito>"

    Esempi:
      | isee      | verdetto      | esito            |
      | 26.000,00 | passa         | ammissibile      |
      | 26.000,01 | da verificare | da verificare    |
      | 35.000,00 | da verificare | da verificare    |
      | 35.000,01 | non passa     | non ammissibile  |

  Schema dello scenario: peso di canone e spese sul reddito
    Quando il canone è <canone> €, le spese <spese> € e il reddito netto <reddito> € al mese
    E valuto la domanda
    Allora la regola "rent_to_income" risulta "<verdetto>"
    E l'esito è "<esito>"

    Esempi: 40% passa, fino al 50% si verifica, oltre non è ammissibile
      | canone | spese  | reddito  | verdetto      | esito           |
      | 600,00 | 80,00  | 1.700,00 | passa         | ammissibile     |
      | 600,00 | 80,00  | 1.699,00 | da verificare | da verificare   |
      | 700,00 | 150,00 | 1.700,00 | da verificare | da verificare   |
      | 700,00 | 151,00 | 1.700,00 | non passa     | non ammissibile |

  Schema dello scenario: durata del contratto
    Quando il contratto dura <mesi> mesi
    E valuto la domanda
    Allora la regola "lease_minimum_term" risulta "<verdetto>"
    E l'esito è "<esito>"

    Esempi:
      | mesi | verdetto  | esito           |
      | 12   | passa     | ammissibile     |
      | 11   | non passa | non ammissibile |

  Scenario: contratto non registrato
    Quando il contratto non è registrato
    E valuto la domanda
    Allora la regola "lease_registered" risulta "non passa"
    E l'esito è "non ammissibile"

  Schema dello scenario: tipo di contratto
    Quando il contratto è di tipo "<tipo>"
    E valuto la domanda
    Allora la regola "lease_type_allowed" risulta "<verdetto>"
    E l'esito è "<esito>"

    Esempi: transitorio e studenti non rientrano nella garanzia
      | tipo                  | verdetto  | esito           |
      | canone_libero_4_4     | passa     | ammissibile     |
      | canone_concordato_3_2 | passa     | ammissibile     |
      | transitorio           | non passa | non ammissibile |
      | studenti              | non passa | non ammissibile |

  Schema dello scenario: comune dell'alloggio
    Quando l'alloggio è a <comune>
    E valuto la domanda
    Allora la regola "dwelling_in_consortium" risulta "<verdetto>"
    E l'esito è "<esito>"

    Esempi:
      | comune       | verdetto  | esito           |
      | Ivrea        | passa     | ammissibile     |
      | Valchiusa    | passa     | ammissibile     |
      | Torino       | non passa | non ammissibile |

  Schema dello scenario: canone massimo per comune e superficie
    Quando l'alloggio è a <comune>, di <m2> m², con canone <canone> €
    E valuto la domanda
    Allora la regola "rent_within_cap" risulta "<verdetto>"
    E il canone massimo letto è <massimo> €

    Esempi:
      | comune    | m2 | canone | massimo | verdetto  |
      | Ivrea     | 75 | 720,00 | 720,00  | passa     |
      | Ivrea     | 75 | 720,01 | 720,00  | non passa |
      | Ivrea     | 45 | 450,00 | 450,00  | passa     |
      | Ivrea     | 46 | 450,01 | 600,00  | passa     |
      | Ivrea     | 96 | 820,00 | 820,00  | passa     |
      | Banchette | 75 | 620,00 | 620,00  | passa     |
      | Banchette | 75 | 620,01 | 620,00  | non passa |

  Schema dello scenario: chi invia il nucleo
    Quando il nucleo arriva tramite "<invio>"
    E valuto la domanda
    Allora la regola "partner_referral" risulta "<verdetto>"
    E l'esito è "<esito>"

    Esempi:
      | invio           | verdetto  | esito           |
      | help_desk       | passa     | ammissibile     |
      | social_services | passa     | ammissibile     |
      | self            | non passa | non ammissibile |
      | other           | non passa | non ammissibile |

  Schema dello scenario: altre garanzie attive
    Quando il nucleo ha <numero> altre garanzie attive
    E valuto la domanda
    Allora la regola "no_other_live_guarantee" risulta "<verdetto>"
    E l'esito è "<esito>"

    Esempi:
      | numero | verdetto  | esito           |
      | 0      | passa     | ammissibile     |
      | 1      | non passa | non ammissibile |

  Scenario: locatore e conduttore si dichiarano parenti
    Quando locatore e conduttore si dichiarano parenti
    E valuto la domanda
    Allora la regola "not_relatives" risulta "da verificare"
    E l'esito è "da verificare"

  Scenario: tutte le regole non superate sono elencate, non solo la prima
    Quando il contratto dura 6 mesi
    E il nucleo arriva tramite "self"
    E locatore e conduttore si dichiarano parenti
    E valuto la domanda
    Allora l'esito è "non ammissibile"
    E le regole che non passano sono "lease_minimum_term, partner_referral"
    E le regole da verificare sono "not_relatives"

  Scenario: prima di cambiare una soglia vedo quali domande cambierebbero esito
    Dato una bozza delle regole con la soglia ISEE portata a 27.000,00 €
    E le domande con ISEE 26.000,00 €, 26.500,00 €, 27.000,00 € e 27.000,01 €
    Quando calcolo l'impatto della bozza
    Allora cambiano esito solo le domande con ISEE 26.500,00 € e 27.000,00 €, da "da verificare" a "ammissibile", per la regola "isee"
