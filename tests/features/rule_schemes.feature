# language: it
Funzionalità: Più misure, ciascuna con le sue regole scritte come dati
  Come gestore di un consorzio che amministra più fondi
  voglio scrivere i criteri di un'altra misura solo come dati (regole, tabelle, esempi)
  per applicarli accanto a quelli di Garanzia Casa senza chiedere un programmatore.

  Contesto:
    Dato la cartella delle regole del fondo
    E le regole delle misure "casa-giovani" e "residenti-valle" aggiunte come soli file di dati

  Scenario: le regole delle nuove misure si caricano e superano i loro esempi
    Quando controllo le regole e provo gli esempi
    Allora il controllo non trova errori
    E tutti gli esempi tornano: 39 delle nuove misure e quelli di Garanzia Casa
    E le misure in vigore il 1 giugno 2026 sono "casa-giovani", "garanzia-casa" e "residenti-valle"
    E le nuove misure non contengono codice Python

  Scenario: la stessa domanda valutata con le tre misure, una accanto all'altra
    Dato una domanda presentata il 1 giugno 2026 da un lavoratore autonomo, nato il 1 gennaio 1980, residente a Ivrea
    Quando la valuto con le regole in vigore di ciascuna misura
    Allora per la misura "garanzia-casa" l'esito è "ammissibile"
    E per la misura "casa-giovani" l'esito è "non ammissibile" per la regola "young_or_stable_job"
    E per la misura "residenti-valle" l'esito è "ammissibile"
    E ogni valutazione riporta la sua misura e la versione "2026-01"

  Scenario: chi ha più di 35 anni passa con un lavoro stabile, e la spiegazione dice perché
    Dato una domanda presentata il 1 giugno 2026 da un lavoratore a tempo indeterminato dal 1 gennaio 2020, nato il 1 gennaio 1980, residente a Ivrea
    Quando la valuto con le regole in vigore di ciascuna misura
    Allora per la misura "casa-giovani" l'esito è "ammissibile"
    E la spiegazione della regola "young_or_stable_job" dice "soddisfatta l'alternativa 2"
    E la regola "young_or_stable_job" ha letto l'età 46 e i mesi di lavoro 77

  Scenario: una regola che vale solo per un tipo di contratto non si applica agli altri
    Dato una domanda presentata il 1 giugno 2026 da un lavoratore autonomo, nato il 1 gennaio 1980, residente a Ivrea
    Quando la valuto con le regole in vigore di ciascuna misura
    Allora per la misura "residenti-valle" la regola "free_market_term" "non si applica"
    E la spiegazione della regola "free_market_term" dice "non si applica"

  Scenario: chi risiede fuori dalla valle non è ammissibile per quella misura soltanto
    Dato una domanda presentata il 1 giugno 2026 da un lavoratore autonomo, nato il 1 gennaio 1980, residente a Torino
    Quando la valuto con le regole in vigore di ciascuna misura
    Allora per la misura "residenti-valle" l'esito è "non ammissibile" per la regola "residence"
    E per la misura "garanzia-casa" l'esito è "ammissibile"
