"""German texts of the web application: ``make messages`` collects the strings (``makemessages``), then
``python -m station.web.german`` writes these texts into ``station/locale/de/LC_MESSAGES/django.po`` and
compiles ``django.mo`` with msgfmt."""

GERMAN = {
    "Bad request": "Ungültige Anfrage",
    "The request was malformed; nothing was changed.": "Die Anfrage war fehlerhaft; es wurde nichts geändert.",
    "Not allowed": "Nicht erlaubt",
    "Your role does not allow this, or your viewing window is not open.":
        "Ihre Rolle erlaubt das nicht, oder Ihr Sichtungsfenster ist nicht offen.",
    "Form expired": "Formular abgelaufen",
    "Sign-in locked": "Anmeldung gesperrt",
    "New status":
        "Neuer Status",
    "Body-cam recordings are made only where §15c PolG NRW allows, and are deleted after 14 days unless a"
    " case or a hold needs them. This list shows metadata only: viewing footage needs an approved "
    "request.":
        "Bodycam-Aufnahmen entstehen nur, wo §15c PolG NRW es erlaubt, und werden nach 14 Tagen gelöscht, "
        "wenn kein Vorgang und keine Löschsperre sie braucht. Diese Liste zeigt nur Metadaten: Sichten "
        "braucht einen genehmigten Antrag.",
    "Every opening of this page is entered in the custody log. To view the footage, give the purpose and "
    "the case number; a second person decides (four-eyes principle).":
        "Jedes Öffnen dieser Seite wird im Verwahrungsprotokoll vermerkt. Zum Sichten geben Sie Zweck und "
        "Aktenzeichen an; eine zweite Person entscheidet (Vier-Augen-Prinzip).",
    "Viewing needs a purpose and the approval of a second person (four-eyes principle); an approval opens"
    " a window for the requester and that recording only. A request nobody decides within 7 days expires.":
        "Sichten braucht einen Zweck und die Genehmigung einer zweiten Person (Vier-Augen-Prinzip); eine "
        "Genehmigung öffnet ein Fenster nur für die antragstellende Person und diese Aufnahme. Ein Antrag, "
        "über den 7 Tage niemand entscheidet, läuft ab.",
    "Cameras are registered with their keys; recordings a lost camera makes after its loss are refused. "
    "The figures come from each camera's last docking.":
        "Kameras sind mit ihren Schlüsseln registriert; Aufnahmen, die eine verlorene Kamera nach dem Verlust"
        " macht, werden zurückgewiesen. Die Werte stammen vom letzten Andocken jeder Kamera.",
    "The figures are anonymous: they name no officer and no person filmed. They serve the evaluation of "
    "the pilot, not the monitoring of staff.":
        "Die Zahlen sind anonym: Sie nennen keine Einsatzkraft und keine gefilmte Person. Sie dienen der "
        "Auswertung des Pilotbetriebs, nicht der Überwachung von Beschäftigten.",
    "This log records every access and change, signed with the station key and chained, so that no line "
    "can be removed or altered unnoticed. Data protection reads it to check that the footage is used "
    "lawfully (Art. 5 (2) GDPR).":
        "Dieses Protokoll verzeichnet jeden Zugriff und jede Änderung, mit dem Stationsschlüssel signiert und"
        " verkettet, sodass kein Eintrag unbemerkt entfernt oder geändert werden kann. Der Datenschutz prüft "
        "damit die rechtmäßige Verwendung (Art. 5 Abs. 2 DSGVO).",
    "Uploads the station refused are kept here for review, not as evidence. They are deleted after the "
    "quarantine period unless someone clears them before.":
        "Von der Station zurückgewiesene Übertragungen liegen hier zur Prüfung, nicht als Beweismittel. Sie "
        "werden nach der Quarantänefrist gelöscht, wenn niemand sie vorher freigibt.",
    "The viewer's name and the case number lie over the picture. Every start of playback is entered in "
    "the custody log.":
        "Name der sichtenden Person und Aktenzeichen liegen über dem Bild. Jeder Start der Wiedergabe wird im"
        " Verwahrungsprotokoll vermerkt.",
    "Cases": "Vorgänge",
    "Case %(reference)s": "Vorgang %(reference)s",
    "Responsible": "Zuständig",
    "Opened": "Angelegt",
    "Keeps its recordings": "Bewahrt seine Aufnahmen",
    "while open, and %(days)s days after closing": "solange offen, und %(days)s Tage nach dem Abschluss",
    "Detach": "Lösen",
    "No recordings yet: attach them from a recording's page.":
        "Noch keine Aufnahmen: zuordnen auf der Seite einer Aufnahme.",
    "Close case": "Vorgang abschließen",
    "A case keeps its recordings beyond the 14 days while it is open, and for its kind's period after"
    " it is closed. A recording in no case is deleted after 14 days, as the law requires.":
        "Ein Vorgang bewahrt seine Aufnahmen über die 14 Tage hinaus, solange er offen ist, und nach "
        "dem Abschluss für die Frist seiner Art. Eine Aufnahme ohne Vorgang wird nach 14 Tagen "
        "gelöscht, wie es das Gesetz verlangt.",
    "Search": "Suchen",
    "File reference": "Aktenzeichen",
    "No cases.": "Keine Vorgänge.",
    "Open a case": "Vorgang anlegen",
    "Open case": "Vorgang anlegen",
    "while case %(reference)s is open": "solange Vorgang %(reference)s offen ist",
    "case %(reference)s, closed: its kind's period": "Vorgang %(reference)s, abgeschlossen: Frist seiner Art",
    "In no case.": "In keinem Vorgang.",
    "Attach to case": "Vorgang zuordnen",
    "A case needs a file reference and a kind.": "Ein Vorgang braucht ein Aktenzeichen und eine Art.",
    "There is no case with this file reference; open it on the cases page first.":
        "Es gibt keinen Vorgang mit diesem Aktenzeichen; legen Sie ihn zuerst auf der Seite Vorgänge "
        "an.",
    "The recording is attached to case %(reference)s.": "Die Aufnahme ist dem Vorgang %(reference)s zugeordnet.",
    "File reference of an open case": "Aktenzeichen eines offenen Vorgangs",
    "case opened": "Vorgang angelegt",
    "attached to a case": "einem Vorgang zugeordnet",
    "detached from a case": "aus einem Vorgang gelöst",
    "case closed": "Vorgang abgeschlossen",
    "administrative offence": "Ordnungswidrigkeit",
    "criminal complaint": "Strafanzeige",
    "disciplinary matter": "Dienstaufsicht",
    "access request (Art. 15 GDPR)": "Auskunftsersuchen (Art. 15 DSGVO)",
    "open": "offen",
    "closed": "abgeschlossen",
    "resumed after a restart": "nach einem Neustart fortgesetzt",
    "signed in": "angemeldet",
    "signed out": "abgemeldet",
    "sign-in failed": "Anmeldung fehlgeschlagen",
    "sign-in locked": "Anmeldung gesperrt",
    "access refused": "Zugriff verweigert",
    "user set up or changed": "Benutzer angelegt oder geändert",
    "camera enrolled": "Kamera registriert",
    "camera marked lost": "Kamera als verloren gemeldet",
    "camera retired": "Kamera außer Dienst gestellt",
    "camera active again": "Kamera wieder aktiv",
    "recording received": "Aufnahme eingegangen",
    "deleted on the camera after receipt": "nach Quittung auf der Kamera gelöscht",
    "set aside on the camera (refused)": "auf der Kamera beiseitegelegt (zurückgewiesen)",
    "quarantined": "in Quarantäne",
    "quarantine cleared": "Quarantäne freigegeben",
    "quarantine copy deleted": "Quarantänekopie gelöscht",
    "camera answered with a wrong key": "Kamera meldete sich mit falschem Schlüssel",
    "leftovers of a killed offload removed": "Reste einer abgebrochenen Übertragung entfernt",
    "camera over its store quota": "Kamera über ihrem Speicherkontingent",
    "files over the size limit not taken": "Dateien über der Größengrenze nicht übernommen",
    "details viewed": "Einzelheiten angesehen",
    "viewing requested": "Sichtung beantragt",
    "viewing approved": "Sichtung genehmigt",
    "viewing rejected": "Sichtung abgelehnt",
    "request expired undecided": "Antrag unentschieden abgelaufen",
    "player opened": "Wiedergabe geöffnet",
    "playback started": "Wiedergabe gestartet",
    "playback failed": "Wiedergabe fehlgeschlagen",
    "exported": "exportiert",
    "export failed": "Export fehlgeschlagen",
    "hold placed": "Löschsperre gesetzt",
    "hold released": "Löschsperre aufgehoben",
    "deleted (retention)": "gelöscht (Speicherfrist)",
    "admin: user added": "Admin: Benutzer angelegt",
    "admin: user changed": "Admin: Benutzer geändert",
    "admin: user deleted": "Admin: Benutzer gelöscht",
    "admin: role added": "Admin: Rolle angelegt",
    "admin: role changed": "Admin: Rolle geändert",
    "admin: role deleted": "Admin: Rolle gelöscht",
    "admin: camera changed": "Admin: Kamera geändert",
    "approved": "genehmigt",
    "with problems": "mit Problemen",
    "failed": "fehlgeschlagen",
    "cameras": "Kameras",
    "stage entries": "Stufenwechsel",
    "display episodes": "Display-Phasen",
    "display episodes without a recording": "Display-Phasen ohne Aufnahme",
    "share ended without a recording": "Anteil ohne Aufnahme beendet",
    "recordings by reason": "Aufnahmen nach Grund",
    "recordings": "Aufnahmen",
    "recorded seconds, total": "aufgenommene Sekunden, gesamt",
    "recorded seconds, median": "aufgenommene Sekunden, Median",
    "markers": "Markierungen",
    "battery warnings": "Akkuwarnungen",
    "shutdowns for an empty battery": "Abschaltungen wegen leerem Akku",
    "The four-eyes rule needs two people: the requester or you have no personnel number yet. The administrator "
    "records it.": "Das Vier-Augen-Prinzip braucht zwei Personen: für die antragstellende Person oder für Sie ist "
    "noch keine Personalnummer hinterlegt. Die Administration trägt sie ein.",
    "This request was already decided, or it expired undecided.":
        "Über diesen Antrag wurde schon entschieden, oder er ist unentschieden abgelaufen.",
    "expired undecided: ask again if still needed":
        "unentschieden abgelaufen: bei Bedarf neu beantragen",
    "expired undecided": "unentschieden abgelaufen",
    "Arrived after its deletion date: kept for review for 72 hours after arrival.":
        "Nach dem Löschdatum eingegangen: bleibt nach dem Eingang 72 Stunden zur Prüfung.",
    "late arrival": "verspätet eingegangen",
    "late arrival: kept for review for 72 hours after arrival":
        "verspätet eingegangen: bleibt nach dem Eingang 72 Stunden zur Prüfung",
    "Too many wrong passwords for this account from this computer. Sign-in is locked here for %(minutes)s "
    "minutes; try again later, or ask the administrator to unlock it.":
        "Zu viele falsche Passwörter für dieses Konto von diesem Rechner. Die Anmeldung ist hier für %(minutes)s "
        "Minuten gesperrt; versuchen Sie es später noch einmal oder bitten Sie die Administration, sie zu "
        "entsperren.",
    "The form was too old or not from this station; nothing was changed. Reload the page and try again.":
        "Das Formular war zu alt oder stammt nicht von dieser Station; es wurde nichts geändert. Laden Sie die "
        "Seite neu und versuchen Sie es noch einmal.",
    "Not found": "Nicht gefunden",
    "There is no such page or recording.": "Diese Seite oder Aufnahme gibt es nicht.",
    "Evidence office": "Beweismittelstelle",
    "Recordings": "Aufnahmen",
    "Requests": "Anträge",
    "Cameras": "Kameras",
    "Statistics": "Statistik",
    "Quarantine": "Quarantäne",
    "Custody log": "Verwahrungsprotokoll",
    "Deletion log": "Löschprotokoll",
    "Users": "Benutzer",
    "Log out": "Abmelden",
    "Language": "Sprache",
    "The custody log does not verify:": "Das Verwahrungsprotokoll ist nicht unversehrt:",
    "All %(lines)s lines verify: signed by the station key, none missing, none changed.":
        "Alle %(lines)s Einträge sind unversehrt: mit dem Stationsschlüssel signiert, keiner fehlt, keiner "
        "wurde geändert.",
    "Filter": "Filtern",
    "Export as CSV": "Als CSV exportieren",
    "Time (local)": "Zeit (Ortszeit)",
    "Who": "Wer",
    "Action": "Aktion",
    "Subject": "Gegenstand",
    "Details": "Einzelheiten",
    "Name": "Name",
    "Device key": "Geräteschlüssel",
    "Status": "Status",
    "Firmware": "Firmware",
    "Last offload": "Letzte Übertragung",
    "Battery": "Akku",
    "Free storage": "Freier Speicher",
    "Clock offset": "Uhrabweichung",
    "Still on camera": "Noch auf der Kamera",
    "never": "nie",
    "footage older than the retention period has not arrived":
        "Aufnahmen älter als die Speicherfrist sind nicht angekommen",
    "lost": "verloren",
    "retired": "ausgemustert",
    "active": "aktiv",
    "Reason": "Grund",
    "Set": "Setzen",
    "No cameras enrolled.": "Keine Kameras registriert.",
    "Enrol a camera": "Kamera registrieren",
    "Usually done by bodycam deploy --store; here for a camera set up by hand.":
        "Üblicherweise durch bodycam deploy --store; hier für eine von Hand eingerichtete Kamera.",
    "Enrol": "Registrieren",
    "Log in": "Anmelden",
    "Name or password is wrong.": "Name oder Passwort ist falsch.",
    "User name": "Benutzername",
    "Password": "Passwort",
    "Playback": "Wiedergabe",
    "case": "Az.",
    "Viewing window open until %(until)s. Every playback is in the custody log.":
        "Sichtungsfenster offen bis %(until)s. Jede Wiedergabe steht im Verwahrungsprotokoll.",
    "Markers": "Markierungen",
    "Quarantine: refused uploads and conflicts": "Quarantäne: abgewiesene Übertragungen und Konflikte",
    "Kept for inspection; nothing here was receipted, so the camera still holds it. Clear with bodycam "
    "station quarantine.":
        "Zur Prüfung aufbewahrt; nichts davon wurde quittiert, die Kamera hält es also noch. Freigeben mit "
        "bodycam station quarantine.",
    "Kind": "Art",
    "Problems": "Probleme",
    "Seen": "Gesehen",
    "Cleared": "Erledigt",
    "Nothing in quarantine.": "Nichts in Quarantäne.",
    "Recording": "Aufnahme",
    "Camera": "Kamera",
    "Start (local time)": "Beginn (Ortszeit)",
    "Duration": "Dauer",
    "segments": "Segmente",
    "Verified": "Geprüft",
    "complete, every signature and the chain verified": "vollständig, jede Signatur und die Kette geprüft",
    "interrupted (closed by the camera after a crash or power cut); what is there verified":
        "unterbrochen (von der Kamera nach Absturz oder Stromausfall abgeschlossen); das Vorhandene ist geprüft",
    "Received": "Empfangen",
    "Kept until": "Aufbewahrt bis",
    "held": "gesperrt",
    "14-day retention": "14 Tage Speicherfrist",
    "Play": "Abspielen",
    "Viewing window open until %(until)s (case %(case)s).": "Sichtungsfenster offen bis %(until)s (Az. %(case)s).",
    "Export MP4 for prosecution": "MP4 für die Strafverfolgung exportieren",
    "Request to view": "Sichtung beantragen",
    "Viewing needs a purpose and a case number; a second person decides.":
        "Eine Sichtung braucht einen Zweck und ein Aktenzeichen; eine zweite Person entscheidet.",
    "Send request": "Antrag stellen",
    "Hold": "Löschsperre",
    "Release hold": "Löschsperre aufheben",
    "Place hold": "Löschsperre setzen",
    "Requests for this recording": "Anträge zu dieser Aufnahme",
    "Requested": "Beantragt",
    "By": "Von",
    "Case": "Aktenzeichen",
    "Purpose": "Zweck",
    "Decision": "Entscheidung",
    "The camera's audit log for this recording": "Das Prüfprotokoll der Kamera zu dieser Aufnahme",
    "Check the filter:": "Bitte den Filter prüfen:",
    "complete": "vollständig",
    "interrupted": "unterbrochen",
    "note": "Hinweis",
    "No recordings.": "Keine Aufnahmen.",
    "newer": "neuere",
    "recordings: %(total)s": "Aufnahmen: %(total)s",
    "oldest": "älteste",
    "This page link is not one the station made; start from the newest page.":
        "Diesen Seitenlink hat nicht die Station erzeugt; beginnen Sie bei der neuesten Seite.",
    "older": "ältere",
    "My requests": "Meine Anträge",
    "State": "Stand",
    "approved: play": "genehmigt: abspielen",
    "until": "bis",
    "window closed": "Fenster geschlossen",
    "rejected": "abgelehnt",
    "waiting for a decision": "wartet auf Entscheidung",
    "To decide": "Zu entscheiden",
    "Note": "Vermerk",
    "Approve": "Genehmigen",
    "Reject": "Ablehnen",
    "Nothing to decide.": "Nichts zu entscheiden.",
    "Decided (who may view what, and why)": "Entschieden (wer was sichten darf, und warum)",
    "Window until": "Fenster bis",
    "Anonymous: counts from the cameras' audit logs and the recordings index; no footage, no names.":
        "Anonym: Zählungen aus den Prüfprotokollen der Kameras und dem Aufnahmeverzeichnis; keine Bilder, "
        "keine Namen.",
    "%(rate)s %% of display episodes ended without a recording.":
        "%(rate)s %% der Display-Einsätze endeten ohne Aufnahme.",
    "No display episodes yet.": "Noch keine Display-Einsätze.",
    "Case worker": "Sachbearbeitung",
    "Approver": "Genehmigung (Leitung)",
    "Evidence officer": "Asservatenverwaltung",
    "Data-protection officer": "Datenschutzbeauftragte",
    "Administrator": "Administration",
    "Choose a status and give a reason.": "Wählen Sie einen Status und geben Sie einen Grund an.",
    "%(name)s is now %(status)s.": "%(name)s ist jetzt %(status)s.",
    "Enrolled %(name)s (device key %(key)s).": "%(name)s registriert (Geräteschlüssel %(key)s).",
    "From": "Von",
    "Until": "Bis",
    "announced": "angekündigt",
    "imminent danger": "unmittelbare Gefahr",
    "not held": "nicht gesperrt",
    "Case number": "Aktenzeichen",
    "Address": "Adresse",
    "SSH port": "SSH-Port",
    "SSH user": "SSH-Benutzer",
    "Device public key (PEM)": "Öffentlicher Geräteschlüssel (PEM)",
    "SSH host key (type base64)": "SSH-Hostschlüssel (Typ Base64)",
    "Recording or camera": "Aufnahme oder Kamera",
    "The recording cannot be played: %(reason)s": "Die Aufnahme kann nicht abgespielt werden: %(reason)s",
    "Malformed playback position.": "Ungültige Wiedergabeposition.",
    "The recording cannot be exported: %(reason)s": "Die Aufnahme kann nicht exportiert werden: %(reason)s",
    "A hold needs a reason and a case number.": "Eine Löschsperre braucht einen Grund und ein Aktenzeichen.",
    "The recording is held and will not be deleted.": "Die Aufnahme ist gesperrt und wird nicht gelöscht.",
    "Releasing a hold needs a reason.": "Das Aufheben einer Löschsperre braucht einen Grund.",
    "The hold is released; the retention period applies again.":
        "Die Löschsperre ist aufgehoben; die Speicherfrist gilt wieder.",
    "A request needs a purpose and a case number.": "Ein Antrag braucht einen Zweck und ein Aktenzeichen.",
    "Your request was sent; a second person decides on it.":
        "Ihr Antrag ist gestellt; eine zweite Person entscheidet darüber.",
    "Choose approve or reject.": "Wählen Sie Genehmigen oder Ablehnen.",
    "You cannot decide on your own request (four-eyes rule).":
        "Über den eigenen Antrag können Sie nicht entscheiden (Vier-Augen-Prinzip).",
    "Approved: the viewing window is open.": "Genehmigt: das Sichtungsfenster ist offen.",
    "Rejected.": "Abgelehnt.",
    "Display episodes (stage 2) and how they ended": "Display-Einsätze (Stufe 2) und wie sie endeten",
    "episodes": "Einsätze",
    "ended without a recording": "ohne Aufnahme beendet",
    "led to a recording": "mit Aufnahme",
    "Recordings by month and reason": "Aufnahmen nach Monat und Grund",
    "Choose at least one recording of the case.": "Wählen Sie mindestens eine Aufnahme des Vorgangs.",
    "The recipient %(name)s is no longer active.": "Der Empfänger %(name)s ist nicht mehr aktiv.",
    "A hand-over link is valid for 1 to 30 days.": "Ein Übergabe-Link gilt 1 bis 30 Tage.",
    "Your account has no personnel number; the hand-over sheet must name you.":
        "Ihr Konto hat keine Personalnummer; das Übergabeprotokoll muss Sie benennen.",
    "Recording %(ref)s is not in case %(case)s.": "Die Aufnahme %(ref)s gehört nicht zum Vorgang %(case)s.",
    "Recording %(ref)s: you have no open viewing window for it; request one first (four-eyes principle).":
        "Aufnahme %(ref)s: Sie haben dafür kein offenes Sichtungsfenster; beantragen Sie zuerst eines "
        "(Vier-Augen-Prinzip).",
    "The hand-over cannot be made: %(reason)s": "Die Übergabe kann nicht erstellt werden: %(reason)s",
    "This hand-over has already ended.": "Diese Übergabe ist bereits beendet.",
    "admin: recipient added": "Verwaltung: Empfänger angelegt",
    "admin: recipient changed": "Verwaltung: Empfänger geändert",
    "hand-over issued": "Übergabe erstellt",
    "hand-over failed": "Übergabe fehlgeschlagen",
    "hand-over opened with its code": "Übergabe mit Code geöffnet",
    "hand-over: wrong code": "Übergabe: falscher Code",
    "hand-over: code used again": "Übergabe: Code erneut verwendet",
    "hand-over downloaded": "Übergabe heruntergeladen",
    "hand-over revoked": "Übergabe widerrufen",
    "hand-over expired": "Übergabe abgelaufen",
    "hand-over locked (wrong codes)": "Übergabe gesperrt (falsche Codes)",
    "ready for download": "zum Abruf bereit",
    "revoked": "widerrufen",
    "expired": "abgelaufen",
    "locked after wrong codes": "nach falschen Codes gesperrt",
    "police": "Polizei",
    "public prosecutor": "Staatsanwaltschaft",
    "court": "Gericht",
    "other authority": "andere Behörde",
    "Hand-overs": "Übergaben",
    "Hand over recordings": "Aufnahmen übergeben",
    "Hand-over made": "Übergabe erstellt",
    "Hand-over %(number)s is ready": "Übergabe %(number)s ist bereit",
    "Send the link to the recipient by e-mail and tell them the code by telephone, never both in the same "
    "message. Both are shown only now: the station keeps neither.":
        "Senden Sie den Link per E-Mail an den Empfänger und nennen Sie den Code telefonisch, nie beides in "
        "derselben Nachricht. Beides wird nur jetzt angezeigt: Die Station speichert keines von beiden.",
    "Recipient": "Empfänger",
    "Link": "Link",
    "One-time code": "Einmalcode",
    "Valid until": "Gültig bis",
    "Package": "Paket",
    "All hand-overs": "Alle Übergaben",
    "Back to the case": "Zurück zum Vorgang",
    "Hand over": "Übergeben",
    "Hand over recordings of case %(reference)s": "Aufnahmen des Vorgangs %(reference)s übergeben",
    "A hand-over gives a police station, prosecutor's office or court the verified recordings, their "
    "SHA-256 manifest, the verify report and a signed-off hand-over sheet. The recipient fetches them over "
    "a link that expires, with a one-time code you tell them separately, by telephone; every download is "
    "entered in the custody log.":
        "Eine Übergabe gibt einer Polizeidienststelle, Staatsanwaltschaft oder einem Gericht die geprüften "
        "Aufnahmen mit SHA-256-Prüfsummenliste, Prüfbericht und Übergabeprotokoll. Der Empfänger ruft sie über "
        "einen befristeten Link ab, mit einem Einmalcode, den Sie ihm getrennt telefonisch nennen; jeder Abruf "
        "wird im Verwahrungsprotokoll vermerkt.",
    "Not offered, as you have no open viewing window for them (four-eyes principle): %(n)s recording(s) "
    "of this case. Request viewing on their pages first.":
        "Nicht angeboten, da Sie kein offenes Sichtungsfenster dafür haben (Vier-Augen-Prinzip): %(n)s "
        "Aufnahme(n) dieses Vorgangs. Beantragen Sie die Sichtung zuerst auf ihrer Seite.",
    "Make package": "Paket erstellen",
    "Recordings handed over to police, prosecutors and courts. A package is deleted when its link expires, "
    "is revoked, or its code was entered wrongly five times; the custody log keeps every download.":
        "An Polizei, Staatsanwaltschaften und Gerichte übergebene Aufnahmen. Ein Paket wird gelöscht, wenn "
        "sein Link abläuft, widerrufen wird oder sein Code fünfmal falsch eingegeben wurde; das "
        "Verwahrungsprotokoll hält jeden Abruf fest.",
    "Number": "Nummer",
    "Issued": "Erstellt",
    "Downloads": "Abrufe",
    "Revoke": "Widerrufen",
    "No hand-overs yet: make one from a case's page.": "Noch keine Übergaben: Erstellen Sie eine auf der Seite "
                                                       "eines Vorgangs.",
    "Hand-over %(number)s": "Übergabe %(number)s",
    "Body-cam recordings handed over by the evidence office, with their SHA-256 manifest, verify report and "
    "hand-over sheet. Every download is entered in the office's custody log.":
        "Bodycam-Aufnahmen, übergeben von der Beweismittelstelle, mit SHA-256-Prüfsummenliste, Prüfbericht "
        "und Übergabeprotokoll. Jeder Abruf wird im Verwahrungsprotokoll der Stelle vermerkt.",
    "This hand-over has ended (%(state)s); its package is deleted. Ask the issuing office for a new one.":
        "Diese Übergabe ist beendet (%(state)s); ihr Paket ist gelöscht. Bitten Sie die ausstellende Stelle "
        "um eine neue.",
    "Download package": "Paket herunterladen",
    "Check it after downloading: unpack it, then run this in its folder:":
        "Prüfen Sie es nach dem Herunterladen: entpacken, dann in seinem Ordner ausführen:",
    "Open": "Öffnen",
    "The code was told to you separately by the issuing office. It works once; after five wrong codes the "
    "hand-over is locked.":
        "Den Code hat Ihnen die ausstellende Stelle getrennt mitgeteilt. Er gilt einmal; nach fünf falschen "
        "Codes wird die Übergabe gesperrt.",
    "Link valid for (days)": "Link gültig für (Tage)",
    "A hand-over needs a recipient, at least one recording and a period.":
        "Eine Übergabe braucht einen Empfänger, mindestens eine Aufnahme und eine Gültigkeitsdauer.",
    "The hand-over is revoked; its package is deleted.": "Die Übergabe ist widerrufen; ihr Paket ist gelöscht.",
    "This code does not open the hand-over.": "Dieser Code öffnet die Übergabe nicht.",
    "The code has been used already; ask the issuing office for a new hand-over.":
        "Der Code wurde bereits verwendet; bitten Sie die ausstellende Stelle um eine neue Übergabe.",
    "Checked out: %(camera)s to %(name)s.": "Ausgegeben: %(camera)s an %(name)s.",
    "Checked in: %(camera)s from %(name)s. Put it in the dock to offload and charge.":
        "Zurückgenommen: %(camera)s von %(name)s. Bitte zum Auslesen und Laden ins Dock stecken.",
    "The badge could not be read: lay it flat on the reader again.":
        "Der Ausweis konnte nicht gelesen werden: Bitte erneut flach auf das Lesegerät legen.",
    "The badge reader is missing: plug it in; until then, check cameras out and in at the kiosk with "
    "personnel number and PIN.":
        "Das Lesegerät fehlt: Bitte anschließen; bis dahin Ausgabe und Rücknahme am Terminal mit "
        "Personalnummer und PIN.",
    "The badge reader is back.": "Das Lesegerät ist wieder da.",
    "Unknown badge %(uid)s: have it registered in the personnel list.":
        "Unbekannter Ausweis %(uid)s: Bitte in der Personalliste eintragen lassen.",
    "Badge %(uid)s is revoked: use your current badge.":
        "Ausweis %(uid)s ist gesperrt: Bitte den aktuellen Ausweis verwenden.",
    "%(officer)s is not active in the personnel list.": "%(officer)s ist in der Personalliste nicht aktiv.",
    "Already recorded a moment ago; nothing changed.": "Eben schon erfasst; nichts geändert.",
    "No camera is ready: every pool camera is out, charging or not yet offloaded.":
        "Keine Kamera bereit: Alle Poolkameras sind ausgegeben, laden oder sind noch nicht ausgelesen.",
    "Battery incidents per camera (warnings and shutdowns)": "Akku-Vorfälle je Kamera (Warnungen und Abschaltungen)",
    "Worn by": "Getragen von",
    "Team": "Team",
    "unclear: two assignments": "unklar: zwei Zuordnungen",
    "Two assignments cover the start of this recording: clear it up in the assignment records.":
        "Zwei Zuordnungen decken den Beginn dieser Aufnahme ab: in den Ausgabedaten klären.",
    "unassigned": "nicht zugeordnet",
    "The camera was checked out to nobody when the recording began; it recorded anyway (safety first).":
        "Die Kamera war bei Beginn der Aufnahme niemandem ausgegeben; sie hat trotzdem aufgezeichnet "
        "(Sicherheit geht vor).",
    "Check-out and return": "Ausgabe und Rücknahme",
    "Lay your badge on the reader: it checks your camera in, or hands you the ready camera with the fullest "
    "battery. A camera is ready when it is offloaded with nothing left on it and charged to %(battery)s %% "
    "or more.":
        "Legen Sie Ihren Dienstausweis auf das Lesegerät: Es nimmt Ihre Kamera zurück oder gibt Ihnen die "
        "bereite Kamera mit dem vollsten Akku aus. Bereit ist eine Kamera, wenn sie ausgelesen ist, nichts "
        "mehr auf ihr liegt und ihr Akku zu %(battery)s %% oder mehr geladen ist.",
    "Checked out to": "Ausgegeben an",
    "since": "seit",
    "personal camera": "persönliche Kamera",
    "overdue": "überfällig",
    "ready to take": "bereit zur Ausgabe",
    "No pool cameras: mark cameras as pool cameras in the administration.":
        "Keine Pool-Kameras: Kameras in der Verwaltung als Pool-Kamera kennzeichnen.",
    "officer added": "Beschäftigte/r angelegt",
    "officer changed": "Beschäftigte/r geändert",
    "officer deactivated": "Beschäftigte/r deaktiviert",
    "badge added": "Ausweis hinzugefügt",
    "badge revoked": "Ausweis gesperrt",
    "camera checked out": "Kamera ausgegeben",
    "camera checked in": "Kamera zurückgenommen",
    "dock refused a badge": "Ausweis an der Ausgabe abgewiesen",
    "badge reader missing": "Ausweisleser fehlt",
    "badge reader back": "Ausweisleser wieder da",
    "dock page viewed": "Ausgabeseite angesehen",
    "recordings searched by wearer": "Aufnahmen nach Träger/in gesucht",
    "assignment deleted (retention)": "Zuordnung gelöscht (Aufbewahrungsfrist)",
    "checked out": "ausgegeben",
    "waiting for its offload": "wartet aufs Auslesen",
    "recordings left on it": "noch Aufnahmen auf der Kamera",
    "charging": "lädt",
    "The end must come after the start.": "Das Ende muss nach dem Beginn liegen.",
    "This camera is assigned to someone now: end that assignment first.":
        "Diese Kamera ist gerade jemandem zugeordnet: diese Zuordnung zuerst beenden.",
    "admin: personal camera assigned": "Verwaltung: persönliche Kamera zugeordnet",
    "admin: personal camera assignment changed": "Verwaltung: Zuordnung einer persönlichen Kamera geändert",
    "camera told its wearer": "Kamera über Träger/in informiert",
    "camera could not be told its wearer": "Kamera nicht über Träger/in informiert",
    "the camera refused it: %(why)s": "die Kamera hat sie abgelehnt: %(why)s",
    "the camera answered %(answer)s": "die Kamera antwortete %(answer)s",
    "The camera could not be told (%(why)s): the station's record counts; the recording page shows the camera's "
    "missing word.":
        "Die Kamera konnte nicht informiert werden (%(why)s): Es gilt die Zuordnung der Station; die "
        "Aufnahmeseite zeigt die fehlende Angabe der Kamera.",
    "the camera disagrees": "Kamera widerspricht",
    "The camera's signed log names another wearer than the station's assignment record: clear it up before "
    "the recording is handed over.":
        "Das signierte Protokoll der Kamera nennt eine andere Person als die Zuordnung der Station: vor der "
        "Übergabe klären.",
    "The camera's word": "Angabe der Kamera",
    "confirmed by the camera's signed log": "bestätigt durch das signierte Protokoll der Kamera",
    "none: the camera had not been told its wearer": "keine: Der Kamera war keine Zuordnung übermittelt worden",
    "disagreement: the camera's signed log names": "Abweichung: Das signierte Protokoll der Kamera nennt",
    "nobody (checked in)": "niemanden (zurückgenommen)",
    "a pseudonym the station does not know": "ein Pseudonym, das die Station nicht kennt",
    "New kiosk PIN": "Neue Terminal-PIN",
    "4 to 8 digits; leave empty to keep the PIN. The officer uses it at the kiosk when the badge is not at hand.":
        "4 bis 8 Ziffern; leer lassen, um die PIN zu behalten. Die Beschäftigten nutzen sie am Terminal, wenn "
        "der Dienstausweis nicht zur Hand ist.",
    "New kiosk PIN, again": "Neue Terminal-PIN, wiederholt",
    "A PIN is 4 to 8 digits.": "Eine PIN hat 4 bis 8 Ziffern.",
    "The two PINs differ.": "Die beiden PINs stimmen nicht überein.",
    "Kiosk PIN": "Terminal-PIN",
    "Too many failed tries at this kiosk: use your badge, or wait 15 minutes.":
        "Zu viele Fehlversuche an diesem Terminal: Bitte den Dienstausweis benutzen oder 15 Minuten warten.",
    "Personnel number or PIN is wrong.": "Personalnummer oder PIN ist falsch.",
    "Too many wrong PINs for this personnel number: use your badge, or wait 15 minutes.":
        "Zu viele falsche PINs für diese Personalnummer: Bitte den Dienstausweis benutzen oder 15 Minuten "
        "warten.",
    "No kiosk PIN is set for this personnel number: ask the administration, or use your badge.":
        "Für diese Personalnummer ist keine Terminal-PIN hinterlegt: Bitte an die Verwaltung wenden oder den "
        "Dienstausweis benutzen.",
    "Without your badge: give your personnel number and your kiosk PIN. It checks your camera in, or hands "
    "you the ready camera with the fullest battery.":
        "Ohne Dienstausweis: Personalnummer und Terminal-PIN eingeben. Das nimmt Ihre Kamera zurück oder gibt "
        "Ihnen die bereite Kamera mit dem vollsten Akku aus.",
    "Check out or in": "Ausgeben oder zurücknehmen",
    "Dock kiosk": "Ausgabeterminal",
    "Personnel number": "Personalnummer",
    "PIN": "PIN",
    "broker certificate issued": "Broker-Zertifikat ausgestellt",
    "broker certificates revoked": "Broker-Zertifikate gesperrt",
    "control room's status messages deleted (retention)": "Statusmeldungen an die Leitstelle gelöscht "
                                                           "(Aufbewahrungsfrist)",
    "control room page opened": "Leitstellenseite geöffnet",
    "alert acknowledged": "Alarm quittiert",
    "Control room": "Leitstelle",
    "A recording started in imminent danger shows here within a second, with a sound, until someone "
    "acknowledges it. Cameras send only where the town has switched it on; an offline camera may simply be out "
    "of network.":
        "Eine Aufnahme, die bei unmittelbarer Gefahr begonnen wurde, erscheint hier binnen einer Sekunde mit "
        "Ton, bis jemand sie quittiert. Kameras melden nur, wo die Stadt es eingeschaltet hat; eine Kamera "
        "ohne Verbindung kann einfach außer Netz sein.",
    "Switch the alert sound on": "Alarmton einschalten",
    "Recording started in imminent danger": "Aufnahme bei unmittelbarer Gefahr",
    "s ago": "s her",
    "Acknowledge": "Quittieren",
    "Connection": "Verbindung",
    "Stage": "Stufe",
    "Last message": "Letzte Meldung",
    "online": "verbunden",
    "offline": "nicht verbunden",
    "worn": "getragen",
    "display on": "Display an",
    "recording": "nimmt auf",
    "switched off": "ausgeschaltet",
    "Last warning": "Letzte Warnung",
    "battery low": "Akku schwach",
    "battery empty, camera switched off": "Akku leer, Kamera ausgeschaltet",
    "card full": "Speicherkarte voll",
    "card cannot be written": "Speicherkarte nicht beschreibbar",
    "a part has failed": "ein Bauteil ist ausgefallen",
    "camera module failed": "Kameramodul ausgefallen",
    "redaction started": "Schwärzung begonnen",
    "redaction: faces found": "Schwärzung: Gesichter gefunden",
    "redaction reviewed": "Schwärzung geprüft",
    "redaction rendered": "Schwärzung erstellt",
    "redaction approved": "Schwärzung freigegeben",
    "redaction sent back": "Schwärzung zurückgegeben",
    "redaction failed": "Schwärzung fehlgeschlagen",
    "redaction deleted": "Schwärzung gelöscht",
    "redaction viewed": "Schwärzung angesehen",
    "redaction exported": "Schwärzung heruntergeladen",
    "waiting for the job runner": "wartet auf die Auftragsverarbeitung",
    "finding faces": "sucht Gesichter",
    "waiting for review": "wartet auf Prüfung",
    "rendering": "wird erstellt",
    "waiting for approval": "wartet auf Freigabe",
    "deleted": "gelöscht",
    "Redactions": "Schwärzungen",
    "Redactions for disclosure": "Schwärzungen zur Herausgabe",
    "Redaction": "Schwärzung",
    "None yet.": "Noch keine.",
    "A redaction is a separate copy with the faces of bystanders made unrecognisable and sound muted where you "
    "say; this recording stays as it is. The faces are found automatically; you review them, and a second person "
    "approves the copy.":
        "Eine Schwärzung ist eine eigene Kopie, in der die Gesichter Unbeteiligter unkenntlich und der Ton stumm "
        "ist, wo Sie es festlegen; diese Aufnahme bleibt unverändert. Die Gesichter werden automatisch gefunden; "
        "Sie prüfen sie, und eine zweite Person gibt die Kopie frei.",
    "Start a redaction": "Schwärzung beginnen",
    "Started": "Begonnen",
    "about %%s s left": "noch etwa %%s s",
    "Why it failed": "Warum es fehlschlug",
    "The stored recording is no longer the one the redaction was started on.":
        "Die gespeicherte Aufnahme ist nicht mehr die, für die die Schwärzung begonnen wurde.",
    "The recording could not be verified, decrypted or read out.":
        "Die Aufnahme ließ sich nicht prüfen, entschlüsseln oder auslesen.",
    "The video could not be read, or the copy not written.":
        "Das Video ließ sich nicht lesen oder die Kopie nicht schreiben.",
    "The job was stopped: it ran past its time limit, or the job runner failed.":
        "Der Auftrag wurde abgebrochen: Er lief über sein Zeitlimit, oder die Auftragsverarbeitung fiel aus.",
    "technical": "technisch",
    "Margin around a face": "Rand um ein Gesicht",
    "normal (a quarter of the face)": "normal (ein Viertel des Gesichts)",
    "wide (half the face)": "breit (das halbe Gesicht)",
    "very wide (the whole face again)": "sehr breit (noch einmal das ganze Gesicht)",
    "Delete this redaction and start a new one.": "Löschen Sie diese Schwärzung und beginnen Sie eine neue.",
    "Reviewed": "Geprüft",
    "Decided": "Entschieden",
    "Frames": "Bilder",
    "%(covered)s with something made unrecognisable": "%(covered)s mit unkenntlich gemachten Stellen",
    "Face": "Gesicht",
    "seen from %%s s to %%s s": "zu sehen von %%s s bis %%s s",
    "leave visible": "sichtbar lassen",
    "Box": "Feld",
    "from %%s s to %%s s": "von %%s s bis %%s s",
    "Remove": "Entfernen",
    "Review": "Prüfung",
    "Every face found is covered unless you leave it visible (the person who asked for their data). Draw boxes "
    "on the picture for what no detector finds (licence plates, screens, ID cards): drag at the time it starts, "
    "then move on and drag again where it ends; it moves evenly in between. Mark ranges where the whole picture "
    "is blurred or the sound muted. Check the whole recording: the detector misses faces that are small, turned "
    "away or covered.":
        "Jedes gefundene Gesicht wird unkenntlich gemacht, außer Sie lassen es sichtbar (die Person, die "
        "Auskunft verlangt hat). Ziehen Sie Felder über das Bild für das, was keine Erkennung findet "
        "(Kennzeichen, Bildschirme, Ausweise): zu dem Zeitpunkt, an dem es beginnt, dann weiterspulen und dort "
        "ziehen, wo es endet; dazwischen wandert das Feld gleichmäßig. Markieren Sie Abschnitte, in denen das "
        "ganze Bild unscharf oder der Ton stumm wird. Prüfen Sie die ganze Aufnahme: Die Erkennung übersieht "
        "kleine, abgewandte oder verdeckte Gesichter.",
    "Drag the box's end position now": 'Endposition des Felds jetzt ziehen',
    "Mute from here": "Ton stumm ab hier",
    "Blur the whole picture from here": "Ganzes Bild unscharf ab hier",
    "… to here": "… bis hier",
    "Faces found": "Gefundene Gesichter",
    "Boxes drawn": "Gezogene Felder",
    "Muted sound": "Stummer Ton",
    "Whole picture blurred": "Ganzes Bild unscharf",
    "Mute the whole sound": "Den ganzen Ton stumm schalten",
    "Cover with": "Unkenntlich machen durch",
    "blur": "Unschärfe",
    "black boxes": "schwarze Felder",
    "Render the redacted copy": "Geschwärzte Kopie erstellen",
    "The redacted copy": "Die geschwärzte Kopie",
    "Decide": "Entscheiden",
    "Download the approved copy": "Freigegebene Kopie herunterladen",
    "Delete": "Löschen",
    "Delete this redaction": "Diese Schwärzung löschen",
    "Copies of recordings for disclosure, with bystanders' faces made unrecognisable and sound muted where the "
    "reviewer said. Nothing leaves the station before a second person has approved the copy.":
        "Kopien von Aufnahmen zur Herausgabe, mit unkenntlich gemachten Gesichtern Unbeteiligter und stummem "
        "Ton, wo die Prüfung es festlegte. Nichts verlässt die Station, bevor eine zweite Person die Kopie "
        "freigegeben hat.",
    "No redactions yet: start one from a recording's page.":
        "Noch keine Schwärzungen: Beginnen Sie eine auf der Seite einer Aufnahme.",
    "Disclosed to whom, and why": "An wen und warum herausgegeben",
    "The review's decisions did not arrive whole; reload the page.":
        "Die Festlegungen der Prüfung kamen nicht vollständig an; laden Sie die Seite neu.",
    "Send back": "Zurückgeben",
    "Say what is to be changed.": "Sagen Sie, was zu ändern ist.",
    "A redaction needs to say to whom and why it is disclosed.":
        "Eine Schwärzung braucht die Angabe, an wen und warum sie herausgegeben wird.",
    "The review was not taken: %(reason)s": "Die Prüfung wurde nicht übernommen: %(reason)s",
    "The derivative is being rendered; a second person approves it.":
        "Die Kopie wird erstellt; eine zweite Person gibt sie frei.",
    "A decision needs approve or send back, and a note for sending back.":
        "Eine Entscheidung braucht Freigeben oder Zurückgeben, und zum Zurückgeben einen Vermerk.",
    "A redaction is deleted once its job has ended.": "Eine Schwärzung wird gelöscht, wenn ihr Auftrag beendet ist.",
    "Deleting a redaction needs a reason.": "Das Löschen einer Schwärzung braucht einen Grund.",
}


def main() -> None:
    """Fill the msgstr of every msgid ``makemessages`` found; fail on one without a German text."""
    import re
    import subprocess
    from pathlib import Path

    po = Path(__file__).parent.parent / "locale" / "de" / "LC_MESSAGES" / "django.po"
    text = po.read_text(encoding="utf-8")
    missing = []

    def fill(match: re.Match[str]) -> str:
        msgid = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1)))
        if not msgid:
            return match.group(0)
        key = msgid.encode().decode("unicode_escape").encode("latin-1").decode()
        if key not in GERMAN:
            missing.append(key)
            return match.group(0)
        german = GERMAN[key].replace("\\", "\\\\").replace('"', '\\"')
        return f'msgid {match.group(1)}msgstr "{german}"\n'

    # a msgstr of several lines (a guess makemessages carried over) is replaced whole, never left stale
    text = re.sub(r'msgid ((?:"(?:[^"\\]|\\.)*"\n)+)msgstr "[^\n]*"\n(?:"[^\n]*"\n)*', fill, text)
    text = text.replace("charset=CHARSET", "charset=UTF-8")
    text = re.sub(r'^#, fuzzy\n', "", text, flags=re.M)
    text = re.sub(r'^#, fuzzy, ', "#, ", text, flags=re.M)  # a guess from a similar text: ours replaces it
    text = re.sub(r'^#\| .*\n', "", text, flags=re.M)
    text = text.replace('"Language: \\n"', '"Language: de\\n"')
    if missing:
        raise SystemExit("no German text for:\n" + "\n".join(missing))
    po.write_text(text, encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", str(po.with_suffix(".mo")), str(po)], check=True)


if __name__ == "__main__":
    main()
