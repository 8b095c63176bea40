<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>Confirm</name>
    <message>
        <source>Continue</source>
        <translation>Fortfahren</translation>
    </message>
</context>
<context>
    <name>LocalTime</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 d %2 h</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>TEFT Studio</source>
        <translation>TEFT Studio</translation>
    </message>
    <message>
        <source>The job store cannot be used:

%1

Choose another data directory with --data-dir or in the settings.</source>
        <translation>Der Job-Speicher kann nicht verwendet werden:

%1

Wählen Sie mit --data-dir oder in den Einstellungen ein anderes Datenverzeichnis.</translation>
    </message>
</context>
<context>
    <name>Stage</name>
    <message>
        <source>Loading the model</source>
        <translation>Modell wird geladen</translation>
    </message>
    <message>
        <source>Tokenizing the dataset</source>
        <translation>Datensatz wird tokenisiert</translation>
    </message>
    <message>
        <source>Hashing the dataset</source>
        <translation>Prüfsumme des Datensatzes wird berechnet</translation>
    </message>
    <message>
        <source>Recording routing</source>
        <translation>Routing wird aufgezeichnet</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Measuring the held-out loss</source>
        <translation>Held-out-Verlust wird gemessen</translation>
    </message>
    <message>
        <source>Scoring the baseline</source>
        <translation>Basislinie wird bewertet</translation>
    </message>
    <message>
        <source>Scoring submissions</source>
        <translation>Einreichungen werden bewertet</translation>
    </message>
    <message>
        <source>Verifying submissions</source>
        <translation>Einreichungen werden verifiziert</translation>
    </message>
    <message>
        <source>Generating data</source>
        <translation>Daten werden erzeugt</translation>
    </message>
    <message>
        <source>Evaluating</source>
        <translation>Auswertung</translation>
    </message>
    <message>
        <source>Writing</source>
        <translation>Schreiben</translation>
    </message>
    <message>
        <source>Checking the model fingerprint</source>
        <translation>Fingerabdruck des Modells wird geprüft</translation>
    </message>
    <message>
        <source>Paused (checkpoint saved)</source>
        <translation>Pausiert (Checkpoint gespeichert)</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>Hochladen</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Listing the store</source>
        <translation>Speicher wird aufgelistet</translation>
    </message>
</context>
<context>
    <name>teft::ui::AboutDialog</name>
    <message>
        <source>About TEFT Studio</source>
        <translation>Über TEFT Studio</translation>
    </message>
    <message>
        <source>&lt;h2&gt;TEFT Studio %1&lt;/h2&gt;&lt;p&gt;Targeted Expert Fine-Tuning for Mixture-of-Experts language models: find the experts a domain is routed to, train only those, score miners&apos; submissions by held-out loss, and merge the result back into the full model.&lt;/p&gt;&lt;p&gt;Engine: LibTorch %2, Qt %3, %4 CPU threads.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;TEFT Studio %1&lt;/h2&gt;&lt;p&gt;Targeted Expert Fine-Tuning für Mixture-of-Experts-Sprachmodelle: Finden Sie die Experten, an die eine Domäne geroutet wird, trainieren Sie nur diese, bewerten Sie die Einreichungen der Miner nach dem Held-out-Verlust und führen Sie das Ergebnis wieder mit dem vollständigen Modell zusammen.&lt;/p&gt;&lt;p&gt;Engine: LibTorch %2, Qt %3, %4 CPU-Threads.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>teft::ui::DatasetPage</name>
    <message>
        <source>Target data</source>
        <translation>Zieldaten</translation>
    </message>
    <message>
        <source>Add &amp;files…</source>
        <translation>&amp;Dateien hinzufügen…</translation>
    </message>
    <message>
        <source>Add f&amp;older…</source>
        <translation>&amp;Ordner hinzufügen…</translation>
    </message>
    <message>
        <source>Use &amp;demo data</source>
        <translation>De&amp;modaten verwenden</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>Automatisch erkennen</translation>
    </message>
    <message>
        <source>JSON Lines</source>
        <translation>JSON Lines</translation>
    </message>
    <message>
        <source>Plain text</source>
        <translation>Reiner Text</translation>
    </message>
    <message>
        <source>CSV</source>
        <translation>CSV</translation>
    </message>
    <message>
        <source>TSV</source>
        <translation>TSV</translation>
    </message>
    <message>
        <source>text (or chat “messages”)</source>
        <translation>text (oder Chat-„messages“)</translation>
    </message>
    <message>
        <source>JSON Lines: the field with the text (nested with dots). CSV/TSV: the column name.</source>
        <translation>JSON Lines: das Feld mit dem Text (verschachtelte Felder durch Punkte getrennt). CSV/TSV: der Spaltenname.</translation>
    </message>
    <message>
        <source>Share of the documents kept aside for validation (proof of loss)</source>
        <translation>Anteil der Dokumente, der für die Validierung zurückgehalten wird (Proof of Loss)</translation>
    </message>
    <message>
        <source>Files:</source>
        <translation>Dateien:</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <source>Text field:</source>
        <translation>Textfeld:</translation>
    </message>
    <message>
        <source>Held-out fraction:</source>
        <translation>Held-out-Anteil:</translation>
    </message>
    <message>
        <source>Add data files</source>
        <translation>Datendateien hinzufügen</translation>
    </message>
    <message>
        <source>Data (*.jsonl *.ndjson *.json *.txt *.md *.csv *.tsv);;All files (*)</source>
        <translation>Daten (*.jsonl *.ndjson *.json *.txt *.md *.csv *.tsv);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Add a data folder</source>
        <translation>Datenordner hinzufügen</translation>
    </message>
    <message>
        <source>Add files or a folder to see the first records.</source>
        <translation>Fügen Sie Dateien oder einen Ordner hinzu, um die ersten Einträge zu sehen.</translation>
    </message>
    <message>
        <source>Token counts unavailable: %1</source>
        <translation>Token-Anzahlen nicht verfügbar: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n Datei</numerusform>
            <numerusform>%n Dateien</numerusform>
        </translation>
    </message>
    <message>
        <source>read as %1</source>
        <translation>gelesen als %1</translation>
    </message>
    <message>
        <source>no usable record: check the format and the text field</source>
        <translation>kein verwendbarer Eintrag: Prüfen Sie das Format und das Textfeld</translation>
    </message>
    <message>
        <source>1 record skipped</source>
        <translation>1 Eintrag übersprungen</translation>
    </message>
    <message>
        <source>%1 records skipped</source>
        <translation>%1 Einträge übersprungen</translation>
    </message>
    <message>
        <source> (first at %1: %2)</source>
        <translation> (erster bei %1: %2)</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Daten</translation>
    </message>
    <message>
        <source>The target data the experts should get better at, and reference data (general text) to compare with: JSON Lines, CSV/TSV or plain text files, or folders of them.</source>
        <translation>Die Zieldaten, bei denen die Experten besser werden sollen, und Referenzdaten (allgemeiner Text) zum Vergleich: JSON-Lines-, CSV/TSV- oder Textdateien oder Ordner davon.</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>Dateien</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>Einträge</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Probleme</translation>
    </message>
    <message>
        <source>Add &amp;reference</source>
        <translation>&amp;Referenz hinzufügen</translation>
    </message>
    <message>
        <source>Add a reference dataset: general text the contrast metrics compare the target with; a merge reports its loss as out-of-domain</source>
        <translation>Einen Referenzdatensatz hinzufügen: allgemeiner Text, mit dem die Kontrastmetriken das Ziel vergleichen; das Zusammenführen meldet seinen Verlust als domänenfremd</translation>
    </message>
    <message>
        <source>Remove re&amp;ference</source>
        <translation>Referenz en&amp;tfernen</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Write a small generated corpus into the data directory (source code for the target, prose for a reference)</source>
        <translation>Einen kleinen generierten Korpus in das Datenverzeichnis schreiben (Quellcode als Ziel, Prosa als Referenz)</translation>
    </message>
    <message>
        <source>the count was stopped: change the data or press Back and Next to count again</source>
        <translation>die Zählung wurde angehalten: Ändern Sie die Daten oder klicken Sie auf Zurück und Weiter, um erneut zu zählen</translation>
    </message>
    <message>
        <source>not counted: %1</source>
        <translation>nicht gezählt: %1</translation>
    </message>
    <message>
        <source>Reference data %1</source>
        <translation>Referenzdaten %1</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Reference %1</source>
        <translation>Referenz %1</translation>
    </message>
    <message>
        <source>in the first records: %1</source>
        <translation>in den ersten Einträgen: %1</translation>
    </message>
    <message>
        <source>no files yet: add files or a folder</source>
        <translation>noch keine Dateien: Fügen Sie Dateien oder einen Ordner hinzu</translation>
    </message>
    <message>
        <source>counting…</source>
        <translation>wird gezählt…</translation>
    </message>
    <message>
        <source>not counted</source>
        <translation>nicht gezählt</translation>
    </message>
    <message>
        <source>–</source>
        <translation>–</translation>
    </message>
    <message>
        <source>Not tokenized: the model&apos;s tokenizer could not be read</source>
        <translation>Nicht tokenisiert: Der Tokenizer des Modells konnte nicht gelesen werden</translation>
    </message>
    <message>
        <source>cannot be used: %1</source>
        <translation>nicht verwendbar: %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
</context>
<context>
    <name>teft::ui::DatasetPreviewModel</name>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
</context>
<context>
    <name>teft::ui::DemoProjectController</name>
    <message>
        <source>Cannot open the demo</source>
        <translation>Die Demo kann nicht geöffnet werden</translation>
    </message>
</context>
<context>
    <name>teft::ui::DeviceChoices</name>
    <message>
        <source>%1: %2, %3 free of %4</source>
        <translation>%1: %2, %3 von %4 frei</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1: unavailable (%2)</source>
        <translation>%1: nicht verfügbar (%2)</translation>
    </message>
    <message>
        <source>Automatic (now: %1)</source>
        <translation>Automatisch (jetzt: %1)</translation>
    </message>
    <message>
        <source>CPU, 1 thread</source>
        <translation>CPU, 1 Thread</translation>
    </message>
    <message>
        <source>CPU, %1 threads</source>
        <translation>CPU, %1 Threads</translation>
    </message>
</context>
<context>
    <name>teft::ui::DevicePage</name>
    <message>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <source>Where expert identification and training run. The choice can be changed per job.</source>
        <translation>Wo Expertenidentifikation und Training laufen. Die Auswahl lässt sich pro Job ändern.</translation>
    </message>
    <message>
        <source>&amp;CPU</source>
        <translation>&amp;CPU</translation>
    </message>
    <message>
        <source>No CUDA device found, or this build of the engine is CPU-only</source>
        <translation>Kein CUDA-Gerät gefunden, oder dieser Build der Engine unterstützt nur die CPU</translation>
    </message>
    <message>
        <source>&amp;GPU (CUDA):</source>
        <translation>&amp;GPU (CUDA):</translation>
    </message>
    <message>
        <source>no GPU found</source>
        <translation>keine GPU gefunden</translation>
    </message>
    <message>
        <source>GPU: none (%1)</source>
        <translation>GPU: keine (%1)</translation>
    </message>
    <message>
        <source>the CUDA backend is loaded but sees no GPU</source>
        <translation>das CUDA-Backend ist geladen, findet aber keine GPU</translation>
    </message>
</context>
<context>
    <name>teft::ui::ErrorAdvice</name>
    <message>
        <source>Lower the batch size or the sequence length, choose masked routing so that only the selected experts are held, select fewer experts, or use bf16.</source>
        <translation>Verringern Sie die Batchgröße oder die Sequenzlänge, wählen Sie maskiertes Routing, damit nur die ausgewählten Experten im Speicher gehalten werden, wählen Sie weniger Experten aus oder verwenden Sie bf16.</translation>
    </message>
    <message>
        <source>Choose the CPU as device, or check the GPU driver.</source>
        <translation>Wählen Sie die CPU als Gerät oder prüfen Sie den GPU-Treiber.</translation>
    </message>
    <message>
        <source>Free some disk space, or choose a folder you may write to, then start again.</source>
        <translation>Geben Sie Speicherplatz frei oder wählen Sie einen Ordner, in den Sie schreiben dürfen, und starten Sie dann erneut.</translation>
    </message>
    <message>
        <source>Check the network connection and the address of the other side, then try again.</source>
        <translation>Prüfen Sie die Netzwerkverbindung und die Adresse der Gegenseite und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <source>The file named in the message is damaged or not in the expected format: replace it or choose another one.</source>
        <translation>Die in der Meldung genannte Datei ist beschädigt oder hat nicht das erwartete Format: Ersetzen Sie sie oder wählen Sie eine andere.</translation>
    </message>
    <message>
        <source>Correct the value named in the message, then start again.</source>
        <translation>Korrigieren Sie den in der Meldung genannten Wert und starten Sie dann erneut.</translation>
    </message>
    <message>
        <source>Check the settings and the log for details, then start again.</source>
        <translation>Prüfen Sie die Einstellungen und das Protokoll auf Details und starten Sie dann erneut.</translation>
    </message>
    <message>
        <source>Lower the learning rate (1e-5 is a safe start) or train in fp32.</source>
        <translation>Senken Sie die Lernrate (1e-5 ist ein sicherer Anfang) oder trainieren Sie in fp32.</translation>
    </message>
</context>
<context>
    <name>teft::ui::GuideDialog</name>
    <message>
        <source>TEFT Studio Guide</source>
        <translation>TEFT Studio-Leitfaden</translation>
    </message>
    <message>
        <source>The loop of a project</source>
        <translation>Der Ablauf eines Projekts</translation>
    </message>
    <message>
        <source>TEFT adapts a Mixture-of-Experts model to a domain by training only the experts that the domain&apos;s tokens are routed to. A project holds the model, the target data (and optionally reference data) and everything the steps below produce. Every page works on the open project; the status bar names it.</source>
        <translation>TEFT passt ein Mixture-of-Experts-Modell an eine Domäne an, indem nur die Experten trainiert werden, an die die Tokens der Domäne geroutet werden. Ein Projekt enthält das Modell, die Zieldaten (und optional Referenzdaten) und alles, was die folgenden Schritte erzeugen. Jede Seite arbeitet mit dem geöffneten Projekt; die Statusleiste nennt es.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Experts: run identification.&lt;/b&gt; “Run identification” passes the target (and reference) data through the frozen model and records which experts the tokens are routed to. The heatmap shows one row per MoE layer and one column per expert.</source>
        <translation>&lt;b&gt;Experten: Identifikation ausführen.&lt;/b&gt; „Identifikation ausführen“ schickt die Ziel- (und Referenz-)Daten durch das eingefrorene Modell und zeichnet auf, an welche Experten die Tokens geroutet werden. Die Heatmap zeigt eine Zeile pro MoE-Schicht und eine Spalte pro Experte.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Experts: choose the experts.&lt;/b&gt; Pick a metric (the contrast metrics need reference data), apply a policy (top-k per layer, top-p, a global budget) or click and drag on the heatmap. The summary shows the trainable parameters and the size of a submission. Undo and Redo step through every change.</source>
        <translation>&lt;b&gt;Experten: Experten auswählen.&lt;/b&gt; Wählen Sie eine Metrik (die Kontrastmetriken benötigen Referenzdaten), wenden Sie eine Strategie an (Top-k pro Schicht, Top-p, ein globales Budget) oder klicken und ziehen Sie in der Heatmap. Die Übersicht zeigt die trainierbaren Parameter und die Größe einer Einreichung. Rückgängig und Wiederholen gehen jede Änderung durch.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Save to project&lt;/b&gt; (Ctrl+S). Training and validation use the project&apos;s saved selection. A selection made for another model (other layers or experts) is refused.</source>
        <translation>&lt;b&gt;Im Projekt speichern&lt;/b&gt; (Ctrl+S). Training und Validierung verwenden die gespeicherte Auswahl des Projekts. Eine Auswahl für ein anderes Modell (andere Schichten oder Experten) wird zurückgewiesen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Merge.&lt;/b&gt; Writes the trained experts back into a full checkpoint and compares the held-out losses before and after: in-domain should fall, out-of-domain stay flat.</source>
        <translation>&lt;b&gt;Zusammenführen.&lt;/b&gt; Schreibt die trainierten Experten in einen vollständigen Checkpoint zurück und vergleicht die Held-out-Verluste vorher und nachher: Domänenintern sollte der Verlust sinken, domänenfremd gleich bleiben.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Jobs.&lt;/b&gt; Every job of this machine, including those of the teft command line: its state, duration and output folder. Interrupted training resumes here.</source>
        <translation>&lt;b&gt;Jobs.&lt;/b&gt; Jeder Job dieses Rechners, auch die der teft-Befehlszeile: Status, Dauer und Ausgabeordner. Unterbrochenes Training wird hier fortgesetzt.</translation>
    </message>
    <message>
        <source>Feedback</source>
        <translation>Rückmeldungen</translation>
    </message>
    <message>
        <source>Saves, failures and finished jobs appear in the status bar and in the log (View → Log, Ctrl+L), where warnings and errors are highlighted. Quitting while work runs asks first.</source>
        <translation>Speichervorgänge, Fehler und abgeschlossene Jobs erscheinen in der Statusleiste und im Protokoll (Ansicht → Protokoll, Ctrl+L), wo Warnungen und Fehler hervorgehoben sind. Beim Beenden während laufender Arbeit wird zuerst nachgefragt.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Open a project.&lt;/b&gt; File → New Project… chooses the model folder, the target dataset, any number of reference datasets (other domains the model must not forget) and the device; File → Open Project… or File → Recent Projects opens an existing one; the start page also opens the built-in demo.</source>
        <translation>&lt;b&gt;Projekt öffnen.&lt;/b&gt; Datei → Neues Projekt… wählt den Modellordner, den Zieldatensatz, beliebig viele Referenzdatensätze (andere Domänen, die das Modell nicht vergessen darf) und das Gerät; Datei → Projekt öffnen… oder Datei → Zuletzt verwendete Projekte öffnet ein vorhandenes Projekt; die Startseite öffnet außerdem die integrierte Demo.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Train.&lt;/b&gt; “Start new run” trains the saved experts on the target data (or one shard of it) under the run&apos;s name, in its own folder, with live loss charts. “Continue run” resumes a stopped run from its checkpoint (so does Resume on the Jobs page). Tick runs to overlay their curves on “Compare runs”.</source>
        <translation>&lt;b&gt;Trainieren.&lt;/b&gt; „Neuer Lauf“ trainiert die gespeicherten Experten auf den Zieldaten (oder einem Shard davon) unter dem Namen des Laufs, in einem eigenen Ordner, mit Live-Verlustkurven. „Lauf fortsetzen“ setzt einen angehaltenen Lauf ab seinem Checkpoint fort (ebenso „Fortsetzen“ auf der Seite „Jobs“). Haken Sie Läufe an, um ihre Kurven unter „Läufe vergleichen“ zu überlagern.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Validate.&lt;/b&gt; The Submissions list shows the project&apos;s runs and the submissions you added from elsewhere (“Add submission…”; nothing is copied). “Score selected” verifies and scores the ticked ones against the project&apos;s current weights. Check the ranking, accept or reject submissions, then “Run outer step” applies the round; it cannot be undone.</source>
        <translation>&lt;b&gt;Validieren.&lt;/b&gt; Die Liste „Einreichungen“ zeigt die Läufe des Projekts und die Einreichungen, die Sie von anderswo hinzugefügt haben („Einreichung hinzufügen…“; es wird nichts kopiert). „Ausgewählte bewerten“ verifiziert die angehakten Einreichungen und bewertet sie gegen die aktuellen Gewichte des Projekts. Prüfen Sie die Rangfolge, akzeptieren oder lehnen Sie Einreichungen ab und wenden Sie dann mit „Äußeren Schritt ausführen“ die Runde an; das lässt sich nicht rückgängig machen.</translation>
    </message>
</context>
<context>
    <name>teft::ui::JobsPage</name>
    <message>
        <source>&amp;Open output folder</source>
        <translation>A&amp;usgabeordner öffnen</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>&amp;Clone settings</source>
        <translation>Einstellungen &amp;klonen</translation>
    </message>
    <message>
        <source>Start a new job of the same kind with the same settings</source>
        <translation>Einen neuen Job derselben Art mit denselben Einstellungen starten</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Aktualisie&amp;ren</translation>
    </message>
    <message>
        <source>Jobs of this machine, from the desktop application and from the teft command line</source>
        <translation>Jobs dieses Rechners, aus der Desktop-Anwendung und von der teft-Befehlszeile</translation>
    </message>
    <message>
        <source>Continue an interrupted, cancelled or out-of-memory training job from its last checkpoint</source>
        <translation>Einen unterbrochenen, abgebrochenen oder wegen Speichermangels gestoppten Trainingsjob ab seinem letzten Checkpoint fortsetzen</translation>
    </message>
    <message>
        <source>The output folder of job %1 does not exist (any more): %2</source>
        <translation>Der Ausgabeordner von Job %1 existiert nicht (mehr): %2</translation>
    </message>
    <message>
        <source>No application could open the folder %1. Open it with your file manager.</source>
        <translation>Keine Anwendung konnte den Ordner %1 öffnen. Öffnen Sie ihn mit Ihrem Dateimanager.</translation>
    </message>
    <message>
        <source>Cannot open the output folder</source>
        <translation>Der Ausgabeordner kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>The job store cannot be read: %1</source>
        <translation>Der Job-Speicher kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Job %1 (%2) %3.</source>
        <translation>Job %1 (%2) %3.</translation>
    </message>
    <message>
        <source>Job %1 already continued this job: resume that one if it stopped</source>
        <translation>Job %1 hat diesen Job bereits fortgesetzt: Setzen Sie jenen fort, falls er angehalten wurde</translation>
    </message>
</context>
<context>
    <name>teft::ui::JobsTableModel</name>
    <message>
        <source>queued</source>
        <translation>in Warteschlange</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>erfolgreich</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>unterbrochen</translation>
    </message>
    <message>
        <source>Process %1 on %2</source>
        <translation>Prozess %1 auf %2</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>Job</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>Phase</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>project %1</source>
        <translation>Projekt %1</translation>
    </message>
    <message>
        <source>Continued by job %1</source>
        <translation>Fortgesetzt von Job %1</translation>
    </message>
    <message>
        <source>%1 (UTC)</source>
        <translation>%1 (UTC)</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>Projekt</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
</context>
<context>
    <name>teft::ui::LiveChart</name>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>%1 at step %2: %3</source>
        <translation>%1 bei Schritt %2: %3</translation>
    </message>
</context>
<context>
    <name>teft::ui::LogDock</name>
    <message>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>Anzeigen:</translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation>Debug und höher</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>Info und höher</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>Warnungen und Fehler</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
</context>
<context>
    <name>teft::ui::MainWindow</name>
    <message>
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Experts</source>
        <translation>Experten</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Trainieren</translation>
    </message>
    <message>
        <source>Validate</source>
        <translation>Validieren</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>Zusammenführen</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Jobs</translation>
    </message>
    <message>
        <source>TEFT Studio</source>
        <translation>TEFT Studio</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New Project…</source>
        <translation>&amp;Neues Projekt…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>E&amp;xtras</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About TEFT Studio</source>
        <translation>&amp;Über TEFT Studio</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Device: %1 (%2)</source>
        <translation>Gerät: %1 (%2)</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>Gerät: %1</translation>
    </message>
    <message>
        <source>Data: %1</source>
        <translation>Daten: %1</translation>
    </message>
    <message>
        <source>Cannot use this job</source>
        <translation>Dieser Job kann nicht verwendet werden</translation>
    </message>
    <message>
        <source>No project open</source>
        <translation>Kein Projekt geöffnet</translation>
    </message>
    <message>
        <source>Project: %1</source>
        <translation>Projekt: %1</translation>
    </message>
    <message>
        <source>Cannot repeat this job here</source>
        <translation>Dieser Job kann hier nicht wiederholt werden</translation>
    </message>
    <message>
        <source>This “%1” job does not belong to a project of this application; run it again with the teft command line.</source>
        <translation>Dieser „%1“-Job gehört zu keinem Projekt dieser Anwendung; führen Sie ihn mit der teft-Kommandozeile erneut aus.</translation>
    </message>
    <message>
        <source>Expert identification</source>
        <translation>Expertenidentifikation</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Validation (scoring or the outer step)</source>
        <translation>Validierung (Bewertung oder äußerer Schritt)</translation>
    </message>
    <message>
        <source>Preparing the built-in demo</source>
        <translation>Integrierte Demo wird vorbereitet</translation>
    </message>
    <message>
        <source>&amp;Open Project…</source>
        <translation>Projekt ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>&amp;Recent Projects</source>
        <translation>&amp;Zuletzt verwendete Projekte</translation>
    </message>
    <message>
        <source>&amp;Close Project</source>
        <translation>Projekt &amp;schließen</translation>
    </message>
    <message>
        <source>TEFT Studio &amp;Guide</source>
        <translation>TEFT Studio-&amp;Leitfaden</translation>
    </message>
    <message>
        <source>No projects yet</source>
        <translation>Noch keine Projekte</translation>
    </message>
    <message>
        <source>This is still running and stops when TEFT Studio quits:

%1

A stopped training run can be resumed later from the Jobs page. Quit anyway?</source>
        <translation>Folgendes läuft noch und wird beim Beenden von TEFT Studio angehalten:

%1

Ein angehaltener Trainingslauf kann später auf der Seite „Jobs“ fortgesetzt werden. Trotzdem beenden?</translation>
    </message>
    <message>
        <source>Quit TEFT Studio?</source>
        <translation>TEFT Studio beenden?</translation>
    </message>
    <message>
        <source>This is still running:

%1

Switching the project stops what belongs to the open project; a stopped training run can be resumed later from the Jobs page. Switch anyway?</source>
        <translation>Folgendes läuft noch:

%1

Beim Wechseln des Projekts wird angehalten, was zum geöffneten Projekt gehört; ein angehaltener Trainingslauf kann später auf der Seite „Jobs“ fortgesetzt werden. Trotzdem wechseln?</translation>
    </message>
    <message>
        <source>Switch the project?</source>
        <translation>Projekt wechseln?</translation>
    </message>
    <message>
        <source>&amp;Switch project</source>
        <translation>Projekt &amp;wechseln</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <source>To publish %1: connect to the network&apos;s store, then Publish submission… (this run&apos;s submission is offered first). %2</source>
        <translation>Zum Veröffentlichen von %1: Verbinden Sie sich mit dem Speicher des Netzwerks und wählen Sie „Einreichung veröffentlichen…“ (die Einreichung dieses Laufs wird zuerst angeboten). %2</translation>
    </message>
    <message>
        <source>A network step (pull, publish, close, verify)</source>
        <translation>Ein Netzwerkschritt (Abrufen, Veröffentlichen, Schließen, Verifizieren)</translation>
    </message>
    <message>
        <source>To close the round: connect to the network&apos;s store, then Close round &amp; publish (%1)</source>
        <translation>Zum Schließen der Runde: mit dem Speicher des Netzwerks verbinden, dann Runde schließen &amp; veröffentlichen (%1)</translation>
    </message>
</context>
<context>
    <name>teft::ui::MergeComparisonModel</name>
    <message>
        <source>in-domain</source>
        <translation>domänenintern</translation>
    </message>
    <message>
        <source>out-of-domain</source>
        <translation>domänenfremd</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>Domäne</translation>
    </message>
    <message>
        <source>Loss before</source>
        <translation>Verlust vorher</translation>
    </message>
    <message>
        <source>Loss after</source>
        <translation>Verlust nachher</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Änderung</translation>
    </message>
</context>
<context>
    <name>teft::ui::MergeController</name>
    <message>
        <source>dataset</source>
        <translation>Datensatz</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 und %n weiterer</numerusform>
            <numerusform>%1 und %n weitere</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (target, held-out)</source>
        <translation>%1 (Ziel, Held-out)</translation>
    </message>
    <message>
        <source>%1 (reference, held-out)</source>
        <translation>%1 (Referenz, Held-out)</translation>
    </message>
    <message>
        <source>Merges the validator&apos;s current Φ into %1.</source>
        <translation>Führt das aktuelle Φ des Validators in %1 zusammen.</translation>
    </message>
    <message>
        <source>Merged checkpoint written to %1.</source>
        <translation>Zusammengeführter Checkpoint nach %1 geschrieben.</translation>
    </message>
    <message>
        <source>Merge failed: %1</source>
        <translation>Zusammenführen fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Replace the merged checkpoint?</source>
        <translation>Zusammengeführten Checkpoint ersetzen?</translation>
    </message>
    <message>
        <source>%1 already exists and is not empty. The merge replaces what is there with the new checkpoint.</source>
        <translation>%1 existiert bereits und ist nicht leer. Das Zusammenführen ersetzt den Inhalt durch den neuen Checkpoint.</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Ersetzen</translation>
    </message>
    <message>
        <source>Open or create a project, train its experts and apply a validator round first</source>
        <translation>Öffnen oder erstellen Sie zuerst ein Projekt, trainieren Sie seine Experten und wenden Sie eine Validator-Runde an</translation>
    </message>
    <message>
        <source>No project open. Open or create a project, train and validate a round, then merge its trained experts into the base model here.</source>
        <translation>Kein Projekt geöffnet. Öffnen oder erstellen Sie ein Projekt, trainieren und validieren Sie eine Runde und führen Sie dann hier seine trainierten Experten in das Basismodell zusammen.</translation>
    </message>
</context>
<context>
    <name>teft::ui::MergePage</name>
    <message>
        <source>Folder for the merged checkpoint</source>
        <translation>Ordner für den zusammengeführten Checkpoint</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>Durch&amp;suchen…</translation>
    </message>
    <message>
        <source>&amp;Merge</source>
        <translation>&amp;Zusammenführen</translation>
    </message>
    <message>
        <source>Write Φ back into the base model at the selected experts, in the base model&apos;s own layout</source>
        <translation>Φ an den ausgewählten Experten in das Basismodell zurückschreiben, im eigenen Layout des Basismodells</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>Ab&amp;brechen</translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation>Ausgabeordner:</translation>
    </message>
    <message>
        <source>Losses before and after the merge: in-domain should fall, out-of-domain stay flat.</source>
        <translation>Verluste vor und nach dem Zusammenführen: Domänenintern sollte der Verlust sinken, domänenfremd gleich bleiben.</translation>
    </message>
    <message>
        <source>Choose an output folder first.</source>
        <translation>Wählen Sie zuerst einen Ausgabeordner.</translation>
    </message>
    <message>
        <source>Merging into %1…</source>
        <translation>Zusammenführen in %1…</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1: %2 von %3</translation>
    </message>
    <message>
        <source>Cancelled; nothing was written.</source>
        <translation>Abgebrochen; es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Merge failed</source>
        <translation>Zusammenführen fehlgeschlagen</translation>
    </message>
    <message>
        <source>Check that the output folder is writable and has room for the whole model.</source>
        <translation>Prüfen Sie, ob der Ausgabeordner beschreibbar ist und genug Platz für das gesamte Modell bietet.</translation>
    </message>
    <message>
        <source>Merged checkpoint written to %1.</source>
        <translation>Zusammengeführter Checkpoint nach %1 geschrieben.</translation>
    </message>
    <message>
        <source>Open or create a project, train its experts and apply a validator round first</source>
        <translation>Öffnen oder erstellen Sie zuerst ein Projekt, trainieren Sie seine Experten und wenden Sie eine Validator-Runde an</translation>
    </message>
    <message>
        <source>No project open. Open or create a project, train and validate a round, then merge its trained experts into the base model here.</source>
        <translation>Kein Projekt geöffnet. Öffnen oder erstellen Sie ein Projekt, trainieren und validieren Sie eine Runde und führen Sie dann hier seine trainierten Experten in das Basismodell zusammen.</translation>
    </message>
</context>
<context>
    <name>teft::ui::MinerController</name>
    <message>
        <source>Open or create a project (and select its experts) to train.</source>
        <translation>Öffnen oder erstellen Sie ein Projekt (und wählen Sie seine Experten aus), um zu trainieren.</translation>
    </message>
    <message>
        <source>Cannot train</source>
        <translation>Training nicht möglich</translation>
    </message>
    <message>
        <source>No expert selection</source>
        <translation>Keine Expertenauswahl</translation>
    </message>
    <message>
        <source>This project has no saved expert selection for its model. Run identification on the Experts page, choose the experts and press “Save to project”.</source>
        <translation>Für das Modell dieses Projekts ist keine Expertenauswahl gespeichert. Führen Sie auf der Seite „Experten“ die Identifikation aus, wählen Sie die Experten und klicken Sie auf „Im Projekt speichern“.</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>abgeschlossen</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>gestoppt</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>unterbrochen</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>in Warteschlange</translation>
    </message>
    <message>
        <source>Run name taken</source>
        <translation>Laufname vergeben</translation>
    </message>
    <message>
        <source>There is already a run named “%1”. Choose another name for a new run, or select that run and press Continue run.</source>
        <translation>Es gibt bereits einen Lauf namens „%1“. Wählen Sie einen anderen Namen für einen neuen Lauf, oder wählen Sie diesen Lauf aus und klicken Sie auf „Lauf fortsetzen“.</translation>
    </message>
    <message>
        <source>Cannot start the run</source>
        <translation>Der Lauf kann nicht gestartet werden</translation>
    </message>
    <message>
        <source>The project cannot be opened: %1</source>
        <translation>Das Projekt kann nicht geöffnet werden: %1</translation>
    </message>
    <message>
        <source>Open or create a project, select its experts on the Experts page, then press Start new run.</source>
        <translation>Öffnen oder erstellen Sie ein Projekt, wählen Sie seine Experten auf der Seite „Experten“ aus und klicken Sie dann auf „Neuer Lauf“.</translation>
    </message>
    <message>
        <source>Project “%1” has no saved expert selection yet: run identification on the Experts page, choose the experts and press “Save to project”, then start a run here.</source>
        <translation>Projekt „%1“ hat noch keine gespeicherte Expertenauswahl: Führen Sie auf der Seite „Experten“ die Identifikation aus, wählen Sie die Experten, klicken Sie auf „Im Projekt speichern“ und starten Sie dann hier einen Lauf.</translation>
    </message>
    <message>
        <source>Project “%1”: no runs yet. Check the settings and press Start new run to train its saved expert selection.</source>
        <translation>Projekt „%1“: noch keine Läufe. Prüfen Sie die Einstellungen und klicken Sie auf „Neuer Lauf“, um die gespeicherte Expertenauswahl zu trainieren.</translation>
    </message>
    <message numerus="yes">
        <source>Project “%1”: %n run(s). Select one to see its curves and settings, tick runs to compare them, or press Start new run.</source>
        <translation>
            <numerusform>Projekt „%1“: %n Lauf. Wählen Sie ihn aus, um seine Kurven und Einstellungen zu sehen, haken Sie Läufe zum Vergleichen an, oder klicken Sie auf „Neuer Lauf“.</numerusform>
            <numerusform>Projekt „%1“: %n Läufe. Wählen Sie einen aus, um seine Kurven und Einstellungen zu sehen, haken Sie Läufe zum Vergleichen an, oder klicken Sie auf „Neuer Lauf“.</numerusform>
        </translation>
    </message>
    <message>
        <source>Settings copied from a recorded job: press Start new run to train with them.</source>
        <translation>Einstellungen aus einem aufgezeichneten Job übernommen: Klicken Sie auf „Neuer Lauf“, um damit zu trainieren.</translation>
    </message>
</context>
<context>
    <name>teft::ui::MinerDashboard</name>
    <message>
        <source>Inner steps H before the submission (DiLoCo uses 500)</source>
        <translation>Innere Schritte H vor der Einreichung (DiLoCo verwendet 500)</translation>
    </message>
    <message>
        <source>Inner AdamW learning rate, e.g. 1e-5 (Connito, ESFT) to 4e-4</source>
        <translation>Innere AdamW-Lernrate, z. B. 1e-5 (Connito, ESFT) bis 4e-4</translation>
    </message>
    <message>
        <source>bf16 mixed precision</source>
        <translation>bf16, gemischte Präzision</translation>
    </message>
    <message>
        <source>fp32</source>
        <translation>fp32</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source> steps</source>
        <translation> Schritte</translation>
    </message>
    <message>
        <source>Masked (only selected experts, less memory)</source>
        <translation>Maskiert (nur ausgewählte Experten, weniger Speicher)</translation>
    </message>
    <message>
        <source>Full (base routing, all experts computed)</source>
        <translation>Vollständig (Basis-Routing, alle Experten berechnet)</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <source>Inner steps (H):</source>
        <translation>Innere Schritte (H):</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>Lernrate:</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Batchgröße:</translation>
    </message>
    <message>
        <source>Sequence length:</source>
        <translation>Sequenzlänge:</translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation>Präzision:</translation>
    </message>
    <message>
        <source>Checkpoint every:</source>
        <translation>Checkpoint alle:</translation>
    </message>
    <message>
        <source>Routing:</source>
        <translation>Routing:</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>Ab&amp;brechen</translation>
    </message>
    <message>
        <source>%v / %m steps</source>
        <translation>%v / %m Schritte</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>Trainingsverlust</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>Smoothed</source>
        <translation>Geglättet</translation>
    </message>
    <message>
        <source>Validation loss</source>
        <translation>Validierungsverlust</translation>
    </message>
    <message>
        <source>Held-out loss</source>
        <translation>Held-out-Verlust</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation>Tokens/s</translation>
    </message>
    <message>
        <source>Tokens per second</source>
        <translation>Tokens pro Sekunde</translation>
    </message>
    <message>
        <source>Exponential moving average of the training loss</source>
        <translation>Exponentieller gleitender Durchschnitt des Trainingsverlusts</translation>
    </message>
    <message>
        <source>Smoothing:</source>
        <translation>Glättung:</translation>
    </message>
    <message>
        <source>The learning rate “%1” is not a positive number.</source>
        <translation>Die Lernrate „%1“ ist keine positive Zahl.</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>Step %1 of %2: loss %3, %4 tokens/s</source>
        <translation>Schritt %1 von %2: Verlust %3, %4 Tokens/s</translation>
    </message>
    <message>
        <source>Submission: %1 (%2)</source>
        <translation>Einreichung: %1 (%2)</translation>
    </message>
    <message>
        <source>Check the settings and the log for details, then start again; the last checkpoint is kept.</source>
        <translation>Prüfen Sie die Einstellungen und das Protokoll auf Details und starten Sie dann erneut; der letzte Checkpoint bleibt erhalten.</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Training failed</source>
        <translation>Training fehlgeschlagen</translation>
    </message>
    <message>
        <source>Paused.</source>
        <translation>Pausiert.</translation>
    </message>
    <message>
        <source>Cancelled at step %1.</source>
        <translation>Bei Schritt %1 abgebrochen.</translation>
    </message>
    <message>
        <source>Measure the loss on the held-out rows every this many steps (and after the last)</source>
        <translation>Den Verlust auf den Held-out-Zeilen alle so vielen Schritte messen (und nach dem letzten)</translation>
    </message>
    <message>
        <source>Validate every:</source>
        <translation>Validieren alle:</translation>
    </message>
    <message>
        <source>Open or create a project (and select its experts) to train.</source>
        <translation>Öffnen oder erstellen Sie ein Projekt (und wählen Sie seine Experten aus), um zu trainieren.</translation>
    </message>
    <message>
        <source>Where the job runs, with the memory free there now</source>
        <translation>Wo der Job läuft, mit dem dort derzeit freien Speicher</translation>
    </message>
    <message>
        <source>Recompute activations in the backward pass</source>
        <translation>Aktivierungen im Rückwärtsdurchlauf neu berechnen</translation>
    </message>
    <message>
        <source>Keep only each layer&apos;s input and recompute the layer when its gradients are needed: much less memory for long sequences, about one more forward pass of time, the same results. A run stopped for memory resumes with it.</source>
        <translation>Nur die Eingabe jeder Schicht behalten und die Schicht neu berechnen, wenn ihre Gradienten benötigt werden: viel weniger Speicher bei langen Sequenzen, etwa ein zusätzlicher Vorwärtsdurchlauf an Zeit, dieselben Ergebnisse. Ein wegen Speichermangels gestoppter Lauf wird damit fortgesetzt.</translation>
    </message>
    <message>
        <source>Offload frozen experts to host memory (GPU)</source>
        <translation>Eingefrorene Experten in den Hauptspeicher auslagern (GPU)</translation>
    </message>
    <message>
        <source>Full routing on a model larger than the GPU: the frozen experts stay in host memory and are copied to the GPU layer by layer while the previous layer computes. The same results; no effect on the CPU.</source>
        <translation>Vollständiges Routing bei einem Modell, das größer als die GPU ist: Die eingefrorenen Experten bleiben im Hauptspeicher und werden Schicht für Schicht auf die GPU kopiert, während die vorherige Schicht rechnet. Dieselben Ergebnisse; keine Wirkung auf der CPU.</translation>
    </message>
    <message>
        <source>A new run&apos;s name: it names the run&apos;s folder (its checkpoint and submission), so each run has its own and never overwrites another&apos;s</source>
        <translation>Der Name eines neuen Laufs: Er benennt den Ordner des Laufs (Checkpoint und Einreichung), sodass jeder Lauf einen eigenen hat und nie den eines anderen überschreibt</translation>
    </message>
    <message>
        <source>Which part of the training rows this miner trains on: the rows are split into “count” disjoint parts (row r goes to part r mod count) and this run takes part “index” (0-based). Miners of one round take different parts.</source>
        <translation>Auf welchem Teil der Trainingszeilen dieser Miner trainiert: Die Zeilen werden in „Anzahl“ disjunkte Teile aufgeteilt (Zeile r gehört zu Teil r mod Anzahl), und dieser Lauf nimmt Teil „Index“ (ab 0). Die Miner einer Runde nehmen verschiedene Teile.</translation>
    </message>
    <message>
        <source>of</source>
        <translation>von</translation>
    </message>
    <message>
        <source>none (no project)</source>
        <translation>keine (kein Projekt)</translation>
    </message>
    <message>
        <source>A miner trains for the project&apos;s current round, from the experts its last validation kept (round 0: the base model&apos;s)</source>
        <translation>Ein Miner trainiert für die aktuelle Runde des Projekts, ausgehend von den Experten, die die letzte Validierung behalten hat (Runde 0: die des Basismodells)</translation>
    </message>
    <message>
        <source>Run name:</source>
        <translation>Laufname:</translation>
    </message>
    <message>
        <source>Round:</source>
        <translation>Runde:</translation>
    </message>
    <message>
        <source>Data shard:</source>
        <translation>Daten-Shard:</translation>
    </message>
    <message>
        <source>Memory:</source>
        <translation>Speicher:</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Round</source>
        <translation>Runde</translation>
    </message>
    <message>
        <source>Shard</source>
        <translation>Shard</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>Select a run to see its curves and settings; tick runs to compare them</source>
        <translation>Wählen Sie einen Lauf aus, um seine Kurven und Einstellungen zu sehen; haken Sie Läufe zum Vergleichen an</translation>
    </message>
    <message>
        <source>C&amp;ontinue run</source>
        <translation>Lauf &amp;fortsetzen</translation>
    </message>
    <message>
        <source>Continue the selected run from its last checkpoint, with its own settings, folder and submission</source>
        <translation>Den ausgewählten Lauf ab seinem letzten Checkpoint fortsetzen, mit seinen eigenen Einstellungen, seinem Ordner und seiner Einreichung</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <source>&amp;Start new run</source>
        <translation>&amp;Neuer Lauf</translation>
    </message>
    <message>
        <source>Start a new run with the settings above: its own folder and submission</source>
        <translation>Einen neuen Lauf mit den obigen Einstellungen starten: mit eigenem Ordner und eigener Einreichung</translation>
    </message>
    <message>
        <source>Open or create a project, select its experts on the Experts page, then press Start.</source>
        <translation>Öffnen oder erstellen Sie ein Projekt, wählen Sie seine Experten auf der Seite „Experten“ aus und klicken Sie dann auf „Start“.</translation>
    </message>
    <message>
        <source>Training loss (smoothed)</source>
        <translation>Trainingsverlust (geglättet)</translation>
    </message>
    <message>
        <source>Tick runs in the Runs list to overlay their curves (the training loss with the smoothing above).</source>
        <translation>Haken Sie Läufe in der Liste „Läufe“ an, um ihre Kurven zu überlagern (der Trainingsverlust mit der obigen Glättung).</translation>
    </message>
    <message>
        <source>This run</source>
        <translation>Dieser Lauf</translation>
    </message>
    <message>
        <source>Compare runs</source>
        <translation>Läufe vergleichen</translation>
    </message>
    <message>
        <source>Memory plan: %1</source>
        <translation>Speicherplan: %1</translation>
    </message>
    <message>
        <source>Memory on %1: %2</source>
        <translation>Speicher auf %1: %2</translation>
    </message>
    <message>
        <source>of %1 available: fits.</source>
        <translation>von %1 verfügbar: passt.</translation>
    </message>
    <message>
        <source>of %1 available: does not fit.</source>
        <translation>von %1 verfügbar: passt nicht.</translation>
    </message>
    <message>
        <source>weights %1, trainable state %2</source>
        <translation>Gewichte %1, trainierbarer Zustand %2</translation>
    </message>
    <message>
        <source>activations %1, logits %2</source>
        <translation>Aktivierungen %1, Logits %2</translation>
    </message>
    <message>
        <source>To fit: %1</source>
        <translation>Damit es passt: %1</translation>
    </message>
    <message>
        <source>The run has no name: type one under Training (it names the run&apos;s folder).</source>
        <translation>Der Lauf hat keinen Namen: Geben Sie unter „Training“ einen ein (er benennt den Ordner des Laufs).</translation>
    </message>
    <message>
        <source>Not started: %1</source>
        <translation>Nicht gestartet: %1</translation>
    </message>
    <message>
        <source>Not enough memory</source>
        <translation>Nicht genug Speicher</translation>
    </message>
    <message>
        <source>Change one of the settings above (the plan under the form follows them), or choose another device.</source>
        <translation>Ändern Sie eine der obigen Einstellungen (der Plan unter dem Formular folgt ihnen) oder wählen Sie ein anderes Gerät.</translation>
    </message>
    <message>
        <source>Elapsed %1 (pauses left out)</source>
        <translation>Vergangen: %1 (ohne Pausen)</translation>
    </message>
    <message>
        <source>Elapsed %1 (pauses left out), about %2 left</source>
        <translation>Vergangen: %1 (ohne Pausen), noch etwa %2</translation>
    </message>
    <message>
        <source>Finished after %1 steps: held-out loss %2 before, %3 after (%4).</source>
        <translation>Nach %1 Schritten abgeschlossen: Held-out-Verlust vorher %2, nachher %3 (%4).</translation>
    </message>
    <message>
        <source>Finished after %1 steps. The held-out loss was not measured (set “Validate every” to measure it; the dataset needs held-out rows).</source>
        <translation>Nach %1 Schritten abgeschlossen. Der Held-out-Verlust wurde nicht gemessen (stellen Sie „Validieren alle“ ein, um ihn zu messen; der Datensatz braucht Held-out-Zeilen).</translation>
    </message>
    <message>
        <source>Resuming from the last checkpoint…</source>
        <translation>Fortsetzen ab dem letzten Checkpoint…</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>No submission yet</source>
        <translation>Noch keine Einreichung</translation>
    </message>
    <message>
        <source>Submission: %1</source>
        <translation>Einreichung: %1</translation>
    </message>
    <message>
        <source>Run “%1”: %2, round %3, shard %4 of %5, %6 of %7 steps.</source>
        <translation>Lauf „%1“: %2, Runde %3, Shard %4 von %5, %6 von %7 Schritten.</translation>
    </message>
    <message>
        <source>Continue run resumes it from its checkpoint.</source>
        <translation>„Lauf fortsetzen“ setzt ihn ab seinem Checkpoint fort.</translation>
    </message>
    <message>
        <source>Continue the run that ran out of memory from its last checkpoint</source>
        <translation>Den Lauf, dem der Speicher ausging, ab seinem letzten Checkpoint fortsetzen</translation>
    </message>
    <message>
        <source>bf16 (half of f32, error feedback)</source>
        <translation>bf16 (halb so groß wie f32, Fehlerrückführung)</translation>
    </message>
    <message>
        <source>int8 with per-row scales (a quarter, error feedback)</source>
        <translation>int8 mit zeilenweiser Skalierung (ein Viertel, Fehlerrückführung)</translation>
    </message>
    <message>
        <source>f32 (exact, largest)</source>
        <translation>f32 (exakt, am größten)</translation>
    </message>
    <message>
        <source>How the update travels to the validator. bf16 and int8 keep the rounding error and add it to the next round&apos;s update, so nothing is lost over rounds.</source>
        <translation>Wie das Update zum Validator übertragen wird. bf16 und int8 behalten den Rundungsfehler und addieren ihn zum Update der nächsten Runde, sodass über die Runden nichts verloren geht.</translation>
    </message>
    <message>
        <source>Use the project&apos;s round</source>
        <translation>Runde des Projekts verwenden</translation>
    </message>
    <message>
        <source>Forget the network round pulled on the Network page: the next run trains for the project&apos;s own round, from the experts its last validation kept</source>
        <translation>Die auf der Seite „Netzwerk“ abgerufene Netzwerkrunde verwerfen: Der nächste Lauf trainiert für die eigene Runde des Projekts, ausgehend von den Experten, die seine letzte Validierung beibehalten hat</translation>
    </message>
    <message>
        <source>Update encoding:</source>
        <translation>Update-Kodierung:</translation>
    </message>
    <message>
        <source>Publish to &amp;round…</source>
        <translation>In &amp;Runde veröffentlichen…</translation>
    </message>
    <message>
        <source>Network round %1: the base model&apos;s experts</source>
        <translation>Netzwerkrunde %1: Experten des Basismodells</translation>
    </message>
    <message>
        <source>Pulled on the Network page: this round trains from the base model&apos;s experts</source>
        <translation>Auf der Seite „Netzwerk“ abgerufen: Diese Runde trainiert ausgehend von den Experten des Basismodells</translation>
    </message>
    <message>
        <source>Network round %1: Φ %2</source>
        <translation>Netzwerkrunde %1: Φ %2</translation>
    </message>
    <message>
        <source>Pulled on the Network page: the next run trains from %1 for round %2</source>
        <translation>Auf der Seite „Netzwerk“ abgerufen: Der nächste Lauf trainiert ausgehend von %1 für Runde %2</translation>
    </message>
    <message>
        <source>Commit this run&apos;s submission to the network&apos;s current round (Network page)</source>
        <translation>Die Einreichung dieses Laufs in der aktuellen Runde des Netzwerks committen (Seite „Netzwerk“)</translation>
    </message>
    <message>
        <source>Select a finished run that wrote a submission</source>
        <translation>Wählen Sie einen abgeschlossenen Lauf, der eine Einreichung geschrieben hat</translation>
    </message>
</context>
<context>
    <name>teft::ui::ModelPage</name>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Choose a Mixture-of-Experts checkpoint folder (config.json, safetensors, tokenizer.json).</source>
        <translation>Wählen Sie einen Mixture-of-Experts-Checkpoint-Ordner (config.json, safetensors, tokenizer.json).</translation>
    </message>
    <message>
        <source>My TEFT project</source>
        <translation>Mein TEFT-Projekt</translation>
    </message>
    <message>
        <source>Folder with config.json and *.safetensors</source>
        <translation>Ordner mit config.json und *.safetensors</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>Durch&amp;suchen…</translation>
    </message>
    <message>
        <source>Use the &amp;demo model</source>
        <translation>De&amp;momodell verwenden</translation>
    </message>
    <message>
        <source>Family:</source>
        <translation>Familie:</translation>
    </message>
    <message>
        <source>Layers:</source>
        <translation>Schichten:</translation>
    </message>
    <message>
        <source>Experts per layer:</source>
        <translation>Experten pro Schicht:</translation>
    </message>
    <message>
        <source>Experts per token:</source>
        <translation>Experten pro Token:</translation>
    </message>
    <message>
        <source>Parameters:</source>
        <translation>Parameter:</translation>
    </message>
    <message>
        <source>Data type:</source>
        <translation>Datentyp:</translation>
    </message>
    <message>
        <source>Size on disk:</source>
        <translation>Größe auf dem Datenträger:</translation>
    </message>
    <message>
        <source>One expert:</source>
        <translation>Ein Experte:</translation>
    </message>
    <message>
        <source>Project name:</source>
        <translation>Projektname:</translation>
    </message>
    <message>
        <source>Model folder:</source>
        <translation>Modellordner:</translation>
    </message>
    <message>
        <source>Choose the model folder</source>
        <translation>Modellordner auswählen</translation>
    </message>
    <message>
        <source>%1 has a config.json but no *.safetensors weights.</source>
        <translation>%1 enthält eine config.json, aber keine *.safetensors-Gewichte.</translation>
    </message>
    <message>
        <source>%1 (%2 with experts)</source>
        <translation>%1 (%2 mit Experten)</translation>
    </message>
    <message>
        <source>%1 total, %2 active per token</source>
        <translation>%1 gesamt, %2 aktiv pro Token</translation>
    </message>
    <message numerus="yes">
        <source>%1 in %n file(s)</source>
        <translation>
            <numerusform>%1 in %n Datei</numerusform>
            <numerusform>%1 in %n Dateien</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 parameters, %2</source>
        <translation>%1 Parameter, %2</translation>
    </message>
    <message>
        <source>The built-in demo foundation model: a small Qwen3-MoE pretrained on the demo corpus (built once in the data directory, a few minutes on two cores; no download)</source>
        <translation>Das eingebaute Demo-Basismodell: ein kleines Qwen3-MoE, auf dem Demo-Korpus vortrainiert (einmalig im Datenverzeichnis erstellt, einige Minuten auf zwei Kernen; kein Download)</translation>
    </message>
    <message>
        <source>Cannot build the demo model: %1</source>
        <translation>Das Demo-Modell kann nicht erstellt werden: %1</translation>
    </message>
</context>
<context>
    <name>teft::ui::NetworkController</name>
    <message>
        <source>committed</source>
        <translation>committet</translation>
    </message>
    <message>
        <source>uploaded</source>
        <translation>hochgeladen</translation>
    </message>
    <message>
        <source>verified</source>
        <translation>verifiziert</translation>
    </message>
    <message>
        <source>scored</source>
        <translation>bewertet</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>akzeptiert</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>zurückgewiesen</translation>
    </message>
    <message>
        <source>invalid</source>
        <translation>ungültig</translation>
    </message>
    <message>
        <source>Rounds last %1.</source>
        <translation>Runden dauern %1.</translation>
    </message>
    <message>
        <source>Encodings: %1; Δ norm at most %2× the base&apos;s.</source>
        <translation>Kodierungen: %1; Δ-Norm höchstens %2× die der Basis.</translation>
    </message>
    <message>
        <source>Scoring: %1 batches of %2 rows, confidence %3; aggregation %4.</source>
        <translation>Bewertung: %1 Batches zu %2 Zeilen, Konfidenz %3; Aggregation %4.</translation>
    </message>
    <message>
        <source>Open to every miner.</source>
        <translation>Offen für alle Miner.</translation>
    </message>
    <message numerus="yes">
        <source>Only %n listed miner(s) may commit.</source>
        <translation>
            <numerusform>Nur %n gelisteter Miner darf committen.</numerusform>
            <numerusform>Nur %n gelistete Miner dürfen committen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Held-out data: the validator&apos;s own (private).</source>
        <translation>Held-out-Daten: die eigenen des Validators (privat).</translation>
    </message>
    <message>
        <source>Held-out data: published with the network.</source>
        <translation>Held-out-Daten: mit dem Netzwerk veröffentlicht.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>none needed (a shared folder: the file system&apos;s permissions apply)</source>
        <translation>nicht nötig (ein freigegebener Ordner: es gelten die Rechte des Dateisystems)</translation>
    </message>
    <message>
        <source>%1, access key %2… (region %3, endpoint %4)</source>
        <translation>%1, Zugriffsschlüssel %2… (Region %3, Endpunkt %4)</translation>
    </message>
    <message>
        <source>enter the store&apos;s URL (s3://bucket/prefix or file:///path).</source>
        <translation>Geben Sie die URL des Speichers ein (s3://bucket/prefix oder file:///path).</translation>
    </message>
    <message>
        <source>looking…</source>
        <translation>wird gesucht…</translation>
    </message>
    <message>
        <source>none found</source>
        <translation>keine gefunden</translation>
    </message>
    <message>
        <source>Connect to a network first</source>
        <translation>Verbinden Sie sich zuerst mit einem Netzwerk</translation>
    </message>
    <message>
        <source>Only the network&apos;s validator (key %1…) can do this; this machine has no key in %2</source>
        <translation>Nur der Validator des Netzwerks (Schlüssel %1…) kann dies tun; dieser Rechner hat keinen Schlüssel in %2</translation>
    </message>
    <message>
        <source>Only the network&apos;s validator (key %1…) can do this; this machine&apos;s key is %2…</source>
        <translation>Nur der Validator des Netzwerks (Schlüssel %1…) kann dies tun; der Schlüssel dieses Rechners ist %2…</translation>
    </message>
    <message>
        <source>This machine&apos;s key cannot be read: %1</source>
        <translation>Der Schlüssel dieses Rechners kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Pulling Φ(t)</source>
        <translation>Φ(t) wird abgerufen</translation>
    </message>
    <message>
        <source>Round %1 trains from the base model&apos;s experts: nothing to download.</source>
        <translation>Runde %1 trainiert ausgehend von den Experten des Basismodells: nichts herunterzuladen.</translation>
    </message>
    <message>
        <source>Φ(t) of round %1 saved to %2.</source>
        <translation>Φ(t) von Runde %1 in %2 gespeichert.</translation>
    </message>
    <message>
        <source>Publishing the submission</source>
        <translation>Einreichung wird veröffentlicht</translation>
    </message>
    <message>
        <source>Committed in slot %1 of round %2 and uploaded %3 to %4.</source>
        <translation>In Slot %1 von Runde %2 committet und %3 nach %4 hochgeladen.</translation>
    </message>
    <message>
        <source>Opening a round</source>
        <translation>Runde wird eröffnet</translation>
    </message>
    <message>
        <source>Round %1 opened; commitments until %2.</source>
        <translation>Runde %1 eröffnet; Commitments bis %2.</translation>
    </message>
    <message>
        <source>Close the round early?</source>
        <translation>Runde vorzeitig schließen?</translation>
    </message>
    <message>
        <source>The deadline of round %1 has not passed (%2). Closing now seals the commitments made so far; later ones are refused as late.</source>
        <translation>Die Frist von Runde %1 ist noch nicht abgelaufen (%2). Wird jetzt geschlossen, werden die bisherigen Commitments versiegelt; spätere werden als verspätet zurückgewiesen.</translation>
    </message>
    <message>
        <source>Close now</source>
        <translation>Jetzt schließen</translation>
    </message>
    <message>
        <source>Closing round %1</source>
        <translation>Runde %1 wird geschlossen</translation>
    </message>
    <message>
        <source>Round %1 closed: %2 of %3 submissions accepted; result %4 published.</source>
        <translation>Runde %1 geschlossen: %2 von %3 Einreichungen akzeptiert; Ergebnis %4 veröffentlicht.</translation>
    </message>
    <message>
        <source>Verifying round %1</source>
        <translation>Runde %1 wird verifiziert</translation>
    </message>
    <message>
        <source>Round %1 verified (%2 checks%3).</source>
        <translation>Runde %1 verifiziert (%2 Prüfungen%3).</translation>
    </message>
    <message>
        <source>, scores recomputed</source>
        <translation>, Bewertungen neu berechnet</translation>
    </message>
    <message>
        <source>Round %1 failed verification: %2</source>
        <translation>Verifizierung von Runde %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Open or create a project first: Φ(t), the validator&apos;s state and the model are the project&apos;s</source>
        <translation>Öffnen oder erstellen Sie zuerst ein Projekt: Φ(t), der Zustand des Validators und das Modell gehören zum Projekt</translation>
    </message>
    <message>
        <source>The project cannot be used: %1</source>
        <translation>Das Projekt kann nicht verwendet werden: %1</translation>
    </message>
    <message>
        <source>The store&apos;s address was not saved in the project: %1</source>
        <translation>Die Adresse des Speichers wurde nicht im Projekt gespeichert: %1</translation>
    </message>
</context>
<context>
    <name>teft::ui::NetworkPage</name>
    <message>
        <source>s3://bucket/prefix or file:///shared/folder</source>
        <translation>s3://bucket/prefix oder file:///shared/folder</translation>
    </message>
    <message>
        <source>default: environment, profile or AWS</source>
        <translation>Standard: Umgebung, Profil oder AWS</translation>
    </message>
    <message>
        <source>default: environment, profile or us-east-1</source>
        <translation>Standard: Umgebung, Profil oder us-east-1</translation>
    </message>
    <message>
        <source>default: AWS_PROFILE or “default”</source>
        <translation>Standard: AWS_PROFILE oder „default“</translation>
    </message>
    <message>
        <source>C&amp;onnect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>Open the store and read the network&apos;s definition and rounds</source>
        <translation>Den Speicher öffnen und die Definition und Runden des Netzwerks lesen</translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation>Nicht verbunden.</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>Store URL:</source>
        <translation>Speicher-URL:</translation>
    </message>
    <message>
        <source>Endpoint:</source>
        <translation>Endpunkt:</translation>
    </message>
    <message>
        <source>Region:</source>
        <translation>Region:</translation>
    </message>
    <message>
        <source>Profile:</source>
        <translation>Profil:</translation>
    </message>
    <message>
        <source>Credentials:</source>
        <translation>Zugangsdaten:</translation>
    </message>
    <message>
        <source>Connect to a store to see its network.</source>
        <translation>Verbinden Sie sich mit einem Speicher, um sein Netzwerk zu sehen.</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <source>&amp;Pull Φ(t)</source>
        <translation>Φ(t) &amp;abrufen</translation>
    </message>
    <message>
        <source>P&amp;ublish submission…</source>
        <translation>Einreichung ver&amp;öffentlichen…</translation>
    </message>
    <message>
        <source>Open &amp;round</source>
        <translation>&amp;Runde eröffnen</translation>
    </message>
    <message>
        <source>C&amp;lose round &amp;&amp; publish</source>
        <translation>Runde sch&amp;ließen &amp;&amp; veröffentlichen</translation>
    </message>
    <message>
        <source>&amp;Verify round</source>
        <translation>Runde &amp;verifizieren</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Aktionen</translation>
    </message>
    <message>
        <source>Miner:</source>
        <translation>Miner:</translation>
    </message>
    <message>
        <source>Validator:</source>
        <translation>Validator:</translation>
    </message>
    <message>
        <source>Anyone:</source>
        <translation>Alle:</translation>
    </message>
    <message>
        <source>Round</source>
        <translation>Runde</translation>
    </message>
    <message>
        <source>Φ(t)</source>
        <translation>Φ(t)</translation>
    </message>
    <message>
        <source>Φ(t+1)</source>
        <translation>Φ(t+1)</translation>
    </message>
    <message>
        <source>Baseline → new loss</source>
        <translation>Basis → neuer Verlust</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Akzeptiert</translation>
    </message>
    <message>
        <source>Round history</source>
        <translation>Rundenverlauf</translation>
    </message>
    <message>
        <source>No round</source>
        <translation>Keine Runde</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Aktualisie&amp;ren</translation>
    </message>
    <message>
        <source>Read the round again (also every 15 seconds while this page is shown)</source>
        <translation>Die Runde erneut lesen (auch alle 15 Sekunden, solange diese Seite angezeigt wird)</translation>
    </message>
    <message>
        <source>Slot</source>
        <translation>Slot</translation>
    </message>
    <message>
        <source>Miner</source>
        <translation>Miner</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>Bytes</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Current round</source>
        <translation>Aktuelle Runde</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>Ab&amp;brechen</translation>
    </message>
    <message>
        <source>Results of pull, publish, close and verify appear here.</source>
        <translation>Ergebnisse von Abrufen, Veröffentlichen, Schließen und Verifizieren erscheinen hier.</translation>
    </message>
    <message>
        <source>Connect to a network first</source>
        <translation>Verbinden Sie sich zuerst mit einem Netzwerk</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbindung mit %1 wird hergestellt…</translation>
    </message>
    <message>
        <source>Connected to %1.</source>
        <translation>Mit %1 verbunden.</translation>
    </message>
    <message>
        <source>Could not connect: %1</source>
        <translation>Verbindung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Validator key: &lt;code&gt;%1&lt;/code&gt;</source>
        <translation>Validator-Schlüssel: &lt;code&gt;%1&lt;/code&gt;</translation>
    </message>
    <message>
        <source>Selection: %1 in %2</source>
        <translation>Auswahl: %1 in %2</translation>
    </message>
    <message numerus="yes">
        <source>%n expert(s)</source>
        <translation>
            <numerusform>%n Experte</numerusform>
            <numerusform>%n Experten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n layer(s)</source>
        <translation>
            <numerusform>%n Schicht</numerusform>
            <numerusform>%n Schichten</numerusform>
        </translation>
    </message>
    <message>
        <source>Validator key: %1</source>
        <translation>Validator-Schlüssel: %1</translation>
    </message>
    <message>
        <source>No round opened yet</source>
        <translation>Noch keine Runde eröffnet</translation>
    </message>
    <message>
        <source>Round %1</source>
        <translation>Runde %1</translation>
    </message>
    <message>
        <source>deadline %1</source>
        <translation>Frist %1</translation>
    </message>
    <message>
        <source> · closed, result published</source>
        <translation> · geschlossen, Ergebnis veröffentlicht</translation>
    </message>
    <message>
        <source> · sealed, being scored</source>
        <translation> · versiegelt, wird bewertet</translation>
    </message>
    <message>
        <source>Φ(t): the base model&apos;s experts</source>
        <translation>Φ(t): Experten des Basismodells</translation>
    </message>
    <message>
        <source>Φ(t): %1</source>
        <translation>Φ(t): %1</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 Bytes</translation>
    </message>
    <message>
        <source>base</source>
        <translation>Basis</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <source>— of %1</source>
        <translation>— von %1</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Refresh failed: %1</source>
        <translation>Aktualisierung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Another step is running</source>
        <translation>Ein anderer Schritt läuft</translation>
    </message>
    <message>
        <source>No round is open in this network yet</source>
        <translation>In diesem Netzwerk ist noch keine Runde offen</translation>
    </message>
    <message>
        <source>Round %1 is closed; wait for the next round</source>
        <translation>Runde %1 ist geschlossen; warten Sie auf die nächste Runde</translation>
    </message>
    <message>
        <source>Download the current round&apos;s Φ(t) into the project, to train on</source>
        <translation>Φ(t) der aktuellen Runde zum Trainieren in das Projekt herunterladen</translation>
    </message>
    <message>
        <source>Commit to a submission in the next free slot of this round and upload it</source>
        <translation>Eine Einreichung im nächsten freien Slot dieser Runde committen und hochladen</translation>
    </message>
    <message>
        <source>Round %1 is still open: close it first</source>
        <translation>Runde %1 ist noch offen: Schließen Sie sie zuerst</translation>
    </message>
    <message>
        <source>Open the next round on the current Φ, signed with this machine&apos;s key</source>
        <translation>Die nächste Runde auf dem aktuellen Φ eröffnen, signiert mit dem Schlüssel dieses Rechners</translation>
    </message>
    <message>
        <source>Seal the commitments, score the revealed submissions with the project&apos;s model and held-out data, publish Φ(t+1) and the signed result</source>
        <translation>Die Commitments versiegeln, die offengelegten Einreichungen mit dem Modell und den Held-out-Daten des Projekts bewerten, Φ(t+1) und das signierte Ergebnis veröffentlichen</translation>
    </message>
    <message>
        <source>Round %1 has no result yet</source>
        <translation>Runde %1 hat noch kein Ergebnis</translation>
    </message>
    <message>
        <source>Check the round&apos;s signatures, hashes, seed, slots and states (and recompute the scores with the project&apos;s model)</source>
        <translation>Signaturen, Hashes, Seed, Slots und Status der Runde prüfen (und die Bewertungen mit dem Modell des Projekts neu berechnen)</translation>
    </message>
    <message>
        <source>enter the store&apos;s URL (s3://bucket/prefix or file:///path).</source>
        <translation>Geben Sie die URL des Speichers ein (s3://bucket/prefix oder file:///path).</translation>
    </message>
    <message>
        <source>Submission folder to publish</source>
        <translation>Zu veröffentlichender Einreichungsordner</translation>
    </message>
    <message>
        <source>Choose a submission folder first.</source>
        <translation>Wählen Sie zuerst einen Einreichungsordner.</translation>
    </message>
    <message>
        <source>%1…</source>
        <translation>%1…</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1: %2 von %3</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>Fertig.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>Cancelled; a later try resumes the transfer.</source>
        <translation>Abgebrochen; ein späterer Versuch setzt die Übertragung fort.</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>Fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Network step failed</source>
        <translation>Netzwerkschritt fehlgeschlagen</translation>
    </message>
    <message>
        <source>Check the store&apos;s address, the credentials and that the round is in the state this step needs.</source>
        <translation>Prüfen Sie die Adresse des Speichers, die Zugangsdaten und ob sich die Runde in dem Zustand befindet, den dieser Schritt benötigt.</translation>
    </message>
    <message numerus="yes">
        <source>Round %1 verified: %n check(s) passed.</source>
        <translation>
            <numerusform>Runde %1 verifiziert: %n Prüfung bestanden.</numerusform>
            <numerusform>Runde %1 verifiziert: %n Prüfungen bestanden.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Round %1 did NOT verify: %n failure(s).</source>
        <translation>
            <numerusform>Runde %1 wurde NICHT verifiziert: %n Fehler.</numerusform>
            <numerusform>Runde %1 wurde NICHT verifiziert: %n Fehler.</numerusform>
        </translation>
    </message>
    <message>
        <source>✗ %1</source>
        <translation>✗ %1</translation>
    </message>
    <message>
        <source>✓ %1</source>
        <translation>✓ %1</translation>
    </message>
    <message>
        <source>deadline passed</source>
        <translation>Frist abgelaufen</translation>
    </message>
    <message>
        <source>%1 d %2:%3:%4 left</source>
        <translation>noch %1 T %2:%3:%4</translation>
    </message>
    <message>
        <source>%1:%2:%3 left</source>
        <translation>noch %1:%2:%3</translation>
    </message>
    <message>
        <source>%1:%2 left</source>
        <translation>noch %1:%2</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>geschlossen</translation>
    </message>
</context>
<context>
    <name>teft::ui::OpenProjectDialog</name>
    <message>
        <source>Open Project</source>
        <translation>Projekt öffnen</translation>
    </message>
    <message>
        <source>The job store has no projects yet. Create one with File → New Project…, or open the built-in demo on the start page.</source>
        <translation>Der Job-Speicher enthält noch keine Projekte. Erstellen Sie eines mit Datei → Neues Projekt… oder öffnen Sie die integrierte Demo auf der Startseite.</translation>
    </message>
    <message>
        <source>Projects of this machine, most recently used first:</source>
        <translation>Projekte dieses Rechners, zuletzt verwendete zuerst:</translation>
    </message>
    <message>
        <source>%1 — %2 (last used %3)</source>
        <translation>%1 — %2 (zuletzt verwendet %3)</translation>
    </message>
    <message>
        <source>The job store cannot be read: %1</source>
        <translation>Der Job-Speicher kann nicht gelesen werden: %1</translation>
    </message>
</context>
<context>
    <name>teft::ui::PolicyPanel</name>
    <message>
        <source>Top-k per layer</source>
        <translation>Top-k pro Schicht</translation>
    </message>
    <message>
        <source>Top-p per layer (ESFT)</source>
        <translation>Top-p pro Schicht (ESFT)</translation>
    </message>
    <message>
        <source>Global budget</source>
        <translation>Globales Budget</translation>
    </message>
    <message>
        <source>How experts are picked from the metric shown in the heatmap</source>
        <translation>Wie Experten anhand der in der Heatmap gezeigten Metrik ausgewählt werden</translation>
    </message>
    <message>
        <source>Experts kept in every MoE layer</source>
        <translation>In jeder MoE-Schicht beibehaltene Experten</translation>
    </message>
    <message>
        <source>Per layer, experts are added best first until their cumulative share reaches p</source>
        <translation>Pro Schicht werden Experten, die besten zuerst, hinzugefügt, bis ihr kumulierter Anteil p erreicht</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>keine Grenze</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>Experts per layer:</source>
        <translation>Experten pro Schicht:</translation>
    </message>
    <message>
        <source>Cumulative share p:</source>
        <translation>Kumulierter Anteil p:</translation>
    </message>
    <message>
        <source>Maximum experts:</source>
        <translation>Maximale Expertenzahl:</translation>
    </message>
    <message>
        <source>Maximum size:</source>
        <translation>Maximale Größe:</translation>
    </message>
    <message>
        <source>Only experts with a positive score</source>
        <translation>Nur Experten mit positiver Bewertung</translation>
    </message>
    <message>
        <source>Apply while editing</source>
        <translation>Beim Bearbeiten anwenden</translation>
    </message>
    <message>
        <source>&amp;Apply policy</source>
        <translation>&amp;Strategie anwenden</translation>
    </message>
    <message>
        <source>Policy:</source>
        <translation>Strategie:</translation>
    </message>
    <message>
        <source>Top-%1 per layer</source>
        <translation>Top-%1 pro Schicht</translation>
    </message>
    <message>
        <source>Top-p %1 per layer</source>
        <translation>Top-p %1 pro Schicht</translation>
    </message>
    <message>
        <source>Largest submission: the selected experts&apos; updates as miners send them (fp32)</source>
        <translation>Größte Einreichung: die Updates der ausgewählten Experten, wie Miner sie senden (fp32)</translation>
    </message>
    <message numerus="yes">
        <source>Showing the project&apos;s saved selection: %n expert(s) per layer.</source>
        <translation>
            <numerusform>Gezeigt wird die gespeicherte Auswahl des Projekts: %n Experte pro Schicht.</numerusform>
            <numerusform>Gezeigt wird die gespeicherte Auswahl des Projekts: %n Experten pro Schicht.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Showing the project&apos;s saved selection: %n expert(s), not the same number in every layer (chosen by hand or by a budget). Changing a setting here applies that policy instead.</source>
        <translation>
            <numerusform>Gezeigt wird die gespeicherte Auswahl des Projekts: %n Experte, nicht in jeder Schicht gleich viele (von Hand oder per Budget gewählt). Eine Änderung der Einstellungen hier wendet stattdessen diese Strategie an.</numerusform>
            <numerusform>Gezeigt wird die gespeicherte Auswahl des Projekts: %n Experten, nicht in jeder Schicht gleich viele (von Hand oder per Budget gewählt). Eine Änderung der Einstellungen hier wendet stattdessen diese Strategie an.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>teft::ui::ProjectWizard</name>
    <message>
        <source>New TEFT project</source>
        <translation>Neues TEFT-Projekt</translation>
    </message>
    <message>
        <source>Cannot save the project</source>
        <translation>Das Projekt kann nicht gespeichert werden</translation>
    </message>
    <message>
        <source>%1

Check the data directory in the settings.</source>
        <translation>%1

Prüfen Sie das Datenverzeichnis in den Einstellungen.</translation>
    </message>
</context>
<context>
    <name>teft::ui::RoutingController</name>
    <message>
        <source>Identification failed</source>
        <translation>Identifikation fehlgeschlagen</translation>
    </message>
    <message>
        <source>Nothing to save</source>
        <translation>Nichts zu speichern</translation>
    </message>
    <message>
        <source>The selection is empty. Select experts on the heatmap or with a policy first.</source>
        <translation>Die Auswahl ist leer. Wählen Sie zuerst Experten in der Heatmap oder mit einer Richtlinie aus.</translation>
    </message>
    <message>
        <source>Cannot save the selection</source>
        <translation>Die Auswahl kann nicht gespeichert werden</translation>
    </message>
    <message>
        <source>Identification failed: %1</source>
        <translation>Identifikation fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>The project cannot be opened: %1</source>
        <translation>Das Projekt kann nicht geöffnet werden: %1</translation>
    </message>
    <message>
        <source>Project “%1” has no routing statistics yet: press “Run identification”.</source>
        <translation>Projekt „%1“ hat noch keine Routing-Statistiken: Klicken Sie auf „Identifikation ausführen“.</translation>
    </message>
    <message>
        <source>No project open. Open or create a project (File menu or start page), then run identification on this page.</source>
        <translation>Kein Projekt geöffnet. Öffnen oder erstellen Sie ein Projekt (Menü „Datei“ oder Startseite) und führen Sie dann auf dieser Seite die Identifikation aus.</translation>
    </message>
    <message>
        <source>No project is open.</source>
        <translation>Es ist kein Projekt geöffnet.</translation>
    </message>
    <message>
        <source>%1 MoE layers × %2 experts</source>
        <translation>%1 MoE-Schichten × %2 Experten</translation>
    </message>
    <message>
        <source>The model of project “%1” cannot be read (%2), so the selection cannot be checked against it.</source>
        <translation>Das Modell von Projekt „%1“ kann nicht gelesen werden (%2), daher kann die Auswahl nicht damit abgeglichen werden.</translation>
    </message>
    <message>
        <source>The selection on the page was made for a model of %1, but project “%2” uses a model of %3. Run identification for this project (or open statistics of its model), then choose the experts again.</source>
        <translation>Die Auswahl auf der Seite wurde für ein Modell mit %1 erstellt, aber Projekt „%2“ verwendet ein Modell mit %3. Führen Sie die Identifikation für dieses Projekt aus (oder öffnen Sie Statistiken seines Modells) und wählen Sie die Experten dann erneut.</translation>
    </message>
    <message>
        <source>The selection does not fit project “%1”&apos;s model: %2</source>
        <translation>Die Auswahl passt nicht zum Modell von Projekt „%1“: %2</translation>
    </message>
    <message>
        <source>The selection on the page was made for another model (fingerprint %1…) than project “%2”&apos;s (fingerprint %3…). Run identification for this project, then choose the experts again.</source>
        <translation>Die Auswahl auf der Seite wurde für ein anderes Modell (Fingerabdruck %1…) erstellt als das von Projekt „%2“ (Fingerabdruck %3…). Führen Sie die Identifikation für dieses Projekt aus und wählen Sie die Experten dann erneut.</translation>
    </message>
    <message>
        <source>Cannot save the project&apos;s settings</source>
        <translation>Die Einstellungen des Projekts können nicht gespeichert werden</translation>
    </message>
    <message>
        <source>This reference has no statistics yet: run identification to compare with it.</source>
        <translation>Diese Referenz hat noch keine Statistiken: Führen Sie die Identifikation aus, um mit ihr zu vergleichen.</translation>
    </message>
    <message>
        <source>Cannot show the reference statistics</source>
        <translation>Die Referenzstatistiken können nicht angezeigt werden</translation>
    </message>
    <message>
        <source>%1

Run identification again.</source>
        <translation>%1

Führen Sie die Identifikation erneut aus.</translation>
    </message>
    <message>
        <source>Identification is running</source>
        <translation>Identifikation läuft</translation>
    </message>
    <message>
        <source>Open or create a project first</source>
        <translation>Öffnen oder erstellen Sie zuerst ein Projekt</translation>
    </message>
    <message>
        <source>Identification of project “%1” finished; its routing statistics are saved in the project folder.</source>
        <translation>Identifikation von Projekt „%1“ abgeschlossen; die Routing-Statistiken sind im Projektordner gespeichert.</translation>
    </message>
    <message>
        <source>Not saved: the selection is of another model.</source>
        <translation>Nicht gespeichert: Die Auswahl gehört zu einem anderen Modell.</translation>
    </message>
    <message numerus="yes">
        <source>Saved the selection of %n expert(s) to project “%1”.</source>
        <translation>
            <numerusform>Auswahl von %n Experten im Projekt „%1“ gespeichert.</numerusform>
            <numerusform>Auswahl von %n Experten im Projekt „%1“ gespeichert.</numerusform>
        </translation>
    </message>
    <message>
        <source>The selection was not saved: %1</source>
        <translation>Die Auswahl wurde nicht gespeichert: %1</translation>
    </message>
</context>
<context>
    <name>teft::ui::RoutingHeatmap</name>
    <message>
        <source>No routing statistics yet: run expert identification or open a statistics file.</source>
        <translation>Noch keine Routing-Statistiken: Führen Sie die Expertenidentifikation aus oder öffnen Sie eine Statistikdatei.</translation>
    </message>
    <message>
        <source>L\E</source>
        <translation>S\E</translation>
    </message>
</context>
<context>
    <name>teft::ui::RoutingHeatmapModel</name>
    <message>
        <source>The reference statistics have %1 MoE layers × %2 experts, the target has %3 × %4: both must come from the same model.</source>
        <translation>Die Referenzstatistiken haben %1 MoE-Schichten × %2 Experten, das Ziel hat %3 × %4: Beide müssen vom selben Modell stammen.</translation>
    </message>
    <message>
        <source>The metric “%1” needs reference statistics: load a reference dataset first.</source>
        <translation>Die Metrik „%1“ benötigt Referenzstatistiken: Laden Sie zuerst einen Referenzdatensatz.</translation>
    </message>
    <message>
        <source>Token share</source>
        <translation>Token-Anteil</translation>
    </message>
    <message>
        <source>Gate score</source>
        <translation>Gate-Score</translation>
    </message>
    <message>
        <source>Contrast (difference)</source>
        <translation>Kontrast (Differenz)</translation>
    </message>
    <message>
        <source>Contrast (log ratio)</source>
        <translation>Kontrast (Log-Verhältnis)</translation>
    </message>
    <message>
        <source>Layer %1, expert %2</source>
        <translation>Schicht %1, Experte %2</translation>
    </message>
    <message>
        <source>Tokens routed: %1 of %2</source>
        <translation>Geroutete Tokens: %1 von %2</translation>
    </message>
    <message>
        <source>Gate mass: %1</source>
        <translation>Gate-Masse: %1</translation>
    </message>
    <message>
        <source>Token share: %1</source>
        <translation>Token-Anteil: %1</translation>
    </message>
    <message>
        <source>Gate score: %1</source>
        <translation>Gate-Score: %1</translation>
    </message>
    <message>
        <source>Reference token share: %1</source>
        <translation>Token-Anteil der Referenz: %1</translation>
    </message>
    <message>
        <source>Contrast (difference): %1</source>
        <translation>Kontrast (Differenz): %1</translation>
    </message>
    <message>
        <source>Contrast (log ratio): %1</source>
        <translation>Kontrast (Log-Verhältnis): %1</translation>
    </message>
    <message>
        <source>Selected for training</source>
        <translation>Für das Training ausgewählt</translation>
    </message>
    <message>
        <source>Not selected</source>
        <translation>Nicht ausgewählt</translation>
    </message>
    <message>
        <source>Expert %1</source>
        <translation>Experte %1</translation>
    </message>
    <message>
        <source>Model layer %1</source>
        <translation>Modellschicht %1</translation>
    </message>
</context>
<context>
    <name>teft::ui::RoutingPage</name>
    <message>
        <source>What the colours show. The contrast metrics compare the target data with a reference dataset: experts hot on the target only stand out.</source>
        <translation>Was die Farben zeigen. Die Kontrastmetriken vergleichen die Zieldaten mit einem Referenzdatensatz: Experten, die nur bei den Zieldaten stark genutzt werden, treten hervor.</translation>
    </message>
    <message>
        <source>Open statistics…</source>
        <translation>Statistiken öffnen…</translation>
    </message>
    <message>
        <source>Open routing statistics written by expert identification</source>
        <translation>Von der Expertenidentifikation geschriebene Routing-Statistiken öffnen</translation>
    </message>
    <message>
        <source>Open reference…</source>
        <translation>Referenz öffnen…</translation>
    </message>
    <message>
        <source>Routing statistics of general text, for the contrast metrics</source>
        <translation>Routing-Statistiken allgemeiner Texte, für die Kontrastmetriken</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>Metrik:</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Fit all cells in the view</source>
        <translation>Alle Zellen in die Ansicht einpassen</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Undo: %1</source>
        <translation>Rückgängig: %1</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Redo: %1</source>
        <translation>Wiederholen: %1</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>Deselect every expert</source>
        <translation>Alle Experten abwählen</translation>
    </message>
    <message>
        <source>Read a selection file (TEFT, Connito expert assignment or ESFT expert config)</source>
        <translation>Eine Auswahldatei lesen (TEFT, Connito-Expertenzuweisung oder ESFT-Expertenkonfiguration)</translation>
    </message>
    <message>
        <source>Write the selection as a TEFT, Connito or ESFT file</source>
        <translation>Die Auswahl als TEFT-, Connito- oder ESFT-Datei schreiben</translation>
    </message>
    <message>
        <source>Automatic selection</source>
        <translation>Automatische Auswahl</translation>
    </message>
    <message>
        <source>Selection</source>
        <translation>Auswahl</translation>
    </message>
    <message>
        <source>Experts selected:</source>
        <translation>Ausgewählte Experten:</translation>
    </message>
    <message>
        <source>Trainable parameters:</source>
        <translation>Trainierbare Parameter:</translation>
    </message>
    <message>
        <source>Bytes per submission:</source>
        <translation>Bytes pro Einreichung:</translation>
    </message>
    <message>
        <source>Share of the model:</source>
        <translation>Anteil am Modell:</translation>
    </message>
    <message>
        <source>Metric not available</source>
        <translation>Metrik nicht verfügbar</translation>
    </message>
    <message>
        <source>Layer %1, expert %2: %3 = %4</source>
        <translation>Schicht %1, Experte %2: %3 = %4</translation>
    </message>
    <message>
        <source>Routing of %1 MoE layers × %2 experts (top-%3) over “%4”, %5 tokens</source>
        <translation>Routing von %1 MoE-Schichten × %2 Experten (Top-%3) über „%4“, %5 Tokens</translation>
    </message>
    <message>
        <source>%1 (%2 of %3 layers)</source>
        <translation>%1 (%2 von %3 Schichten)</translation>
    </message>
    <message>
        <source>unknown (no model)</source>
        <translation>unbekannt (kein Modell)</translation>
    </message>
    <message>
        <source>Open routing statistics</source>
        <translation>Routing-Statistiken öffnen</translation>
    </message>
    <message>
        <source>Routing statistics (*.json);;All files (*)</source>
        <translation>Routing-Statistiken (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Cannot open routing statistics</source>
        <translation>Routing-Statistiken können nicht geöffnet werden</translation>
    </message>
    <message>
        <source>%1

Choose a file written by expert identification (teft identify).</source>
        <translation>%1

Wählen Sie eine Datei, die von der Expertenidentifikation (teft identify) geschrieben wurde.</translation>
    </message>
    <message>
        <source>Open reference statistics</source>
        <translation>Referenzstatistiken öffnen</translation>
    </message>
    <message>
        <source>Cannot use these reference statistics</source>
        <translation>Diese Referenzstatistiken können nicht verwendet werden</translation>
    </message>
    <message>
        <source>%1

The reference must be identified with the same model on general text.</source>
        <translation>%1

Die Referenz muss mit demselben Modell auf allgemeinem Text identifiziert werden.</translation>
    </message>
    <message>
        <source>Import expert selection</source>
        <translation>Expertenauswahl importieren</translation>
    </message>
    <message>
        <source>Selection files (*.json);;All files (*)</source>
        <translation>Auswahldateien (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Cannot import the selection</source>
        <translation>Die Auswahl kann nicht importiert werden</translation>
    </message>
    <message>
        <source>TEFT selection (*.json)</source>
        <translation>TEFT-Auswahl (*.json)</translation>
    </message>
    <message>
        <source>Connito expert assignment (*.json)</source>
        <translation>Connito-Expertenzuweisung (*.json)</translation>
    </message>
    <message>
        <source>ESFT expert config (*.json)</source>
        <translation>ESFT-Expertenkonfiguration (*.json)</translation>
    </message>
    <message>
        <source>Export expert selection</source>
        <translation>Expertenauswahl exportieren</translation>
    </message>
    <message>
        <source>selection.json</source>
        <translation>selection.json</translation>
    </message>
    <message>
        <source>Cannot export the selection</source>
        <translation>Die Auswahl kann nicht exportiert werden</translation>
    </message>
    <message>
        <source>%1

Choose a folder you can write to.</source>
        <translation>%1

Wählen Sie einen Ordner, in den Sie schreiben dürfen.</translation>
    </message>
    <message>
        <source>Run identification</source>
        <translation>Identifikation ausführen</translation>
    </message>
    <message>
        <source>Run the project&apos;s model over its target data (and reference data) and record which experts the tokens are routed to</source>
        <translation>Das Modell des Projekts über seine Zieldaten (und Referenzdaten) laufen lassen und aufzeichnen, zu welchen Experten die Tokens geleitet werden</translation>
    </message>
    <message>
        <source>Save to project</source>
        <translation>Im Projekt speichern</translation>
    </message>
    <message>
        <source>Save this selection as the project&apos;s target expert set (training uses it)</source>
        <translation>Diese Auswahl als Zielexpertenmenge des Projekts speichern (das Training verwendet sie)</translation>
    </message>
    <message>
        <source>Tokens of the target (and of each reference) identification runs through the model. More tokens give steadier statistics and take longer.</source>
        <translation>Tokens des Ziels (und jeder Referenz), die die Identifikation durch das Modell schickt. Mehr Tokens ergeben stabilere Statistiken und dauern länger.</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>Dateien</translation>
    </message>
    <message>
        <source>Import selection…</source>
        <translation>Auswahl importieren…</translation>
    </message>
    <message>
        <source>Export selection…</source>
        <translation>Auswahl exportieren…</translation>
    </message>
    <message>
        <source>Open statistics, import or export a selection</source>
        <translation>Statistiken öffnen, eine Auswahl importieren oder exportieren</translation>
    </message>
    <message>
        <source>The reference data the contrast metrics compare the target with (saved with the project)</source>
        <translation>Die Referenzdaten, mit denen die Kontrastmetriken das Ziel vergleichen (mit dem Projekt gespeichert)</translation>
    </message>
    <message>
        <source>Contrast with:</source>
        <translation>Vergleich mit:</translation>
    </message>
    <message>
        <source>No routing statistics yet. Open or create a project, then run identification.</source>
        <translation>Noch keine Routing-Statistiken. Öffnen oder erstellen Sie ein Projekt und führen Sie dann die Identifikation aus.</translation>
    </message>
    <message>
        <source>Open the saved selection</source>
        <translation>Gespeicherte Auswahl öffnen</translation>
    </message>
    <message>
        <source>uses %1 of %2 tokens</source>
        <translation>verwendet %1 von %2 Tokens</translation>
    </message>
    <message>
        <source>Of the tokens in the target&apos;s training rows (its held-out part is not read)</source>
        <translation>Von den Tokens in den Trainingszeilen des Ziels (der Held-out-Teil wird nicht gelesen)</translation>
    </message>
    <message>
        <source>uses %1 tokens (the target&apos;s total is counted by the next identification)</source>
        <translation>verwendet %1 Tokens (die Gesamtzahl des Ziels wird bei der nächsten Identifikation gezählt)</translation>
    </message>
    <message>
        <source>no reference data</source>
        <translation>keine Referenzdaten</translation>
    </message>
    <message numerus="yes">
        <source>all %n references</source>
        <translation>
            <numerusform>die %n Referenz</numerusform>
            <numerusform>alle %n Referenzen</numerusform>
        </translation>
    </message>
    <message>
        <source>Open or create a project to save a selection to it</source>
        <translation>Öffnen oder erstellen Sie ein Projekt, um eine Auswahl darin zu speichern</translation>
    </message>
    <message>
        <source>Run identification first: there is no selection to save yet</source>
        <translation>Führen Sie zuerst die Identifikation aus: Es gibt noch keine Auswahl zum Speichern</translation>
    </message>
    <message>
        <source>Opened the routing statistics %1.</source>
        <translation>Routing-Statistiken %1 geöffnet.</translation>
    </message>
    <message>
        <source>Opened the reference statistics %1.</source>
        <translation>Referenzstatistiken %1 geöffnet.</translation>
    </message>
    <message>
        <source>Imported the selection %1.</source>
        <translation>Auswahl %1 importiert.</translation>
    </message>
    <message>
        <source>Exported the selection to %1.</source>
        <translation>Auswahl nach %1 exportiert.</translation>
    </message>
    <message>
        <source>The bytes a miner&apos;s submission carries each round: the update of the selected experts in the default bf16 encoding (f32 doubles it, int8 about halves it; `teft encodings` shows each)</source>
        <translation>Die Bytes, die die Einreichung eines Miners pro Runde überträgt: das Update der ausgewählten Experten in der Standardkodierung bf16 (f32 verdoppelt es, int8 halbiert es etwa; `teft encodings` zeigt jede)</translation>
    </message>
</context>
<context>
    <name>teft::ui::SelectionDocument</name>
    <message>
        <source>Clear selection</source>
        <translation>Auswahl aufheben</translation>
    </message>
    <message>
        <source>Cannot import %1: %2</source>
        <translation>%1 kann nicht importiert werden: %2</translation>
    </message>
    <message>
        <source>The selection in %1 does not fit this model:
%2</source>
        <translation>Die Auswahl in %1 passt nicht zu diesem Modell:
%2</translation>
    </message>
    <message>
        <source>Import %1</source>
        <translation>%1 importieren</translation>
    </message>
</context>
<context>
    <name>teft::ui::SelectionSummaryModel</name>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>Experts</source>
        <translation>Experten</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>Bytes</translation>
    </message>
</context>
<context>
    <name>teft::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Compute device:</source>
        <translation>Rechengerät:</translation>
    </message>
    <message>
        <source>All cores (%1)</source>
        <translation>Alle Kerne (%1)</translation>
    </message>
    <message>
        <source>CPU threads:</source>
        <translation>CPU-Threads:</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Data directory:</source>
        <translation>Datenverzeichnis:</translation>
    </message>
    <message>
        <source>Choose the data directory</source>
        <translation>Datenverzeichnis auswählen</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>A new data directory or language takes effect after a restart.</source>
        <translation>Ein neues Datenverzeichnis oder eine neue Sprache wird nach einem Neustart wirksam.</translation>
    </message>
    <message>
        <source>%1 is a file, not a directory.</source>
        <translation>%1 ist eine Datei, kein Verzeichnis.</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Appearance:</source>
        <translation>Erscheinungsbild:</translation>
    </message>
</context>
<context>
    <name>teft::ui::StartPage</name>
    <message>
        <source>&lt;h1&gt;TEFT Studio&lt;/h1&gt;</source>
        <translation>&lt;h1&gt;TEFT Studio&lt;/h1&gt;</translation>
    </message>
    <message>
        <source>Adapt a Mixture-of-Experts model to a new domain by training only the experts its tokens are routed to. 1. Load a model and a dataset. 2. See the routing and choose the experts. 3. Train them as a miner, or score miners&apos; submissions as a validator. 4. Merge the result into a full checkpoint.</source>
        <translation>Passen Sie ein Mixture-of-Experts-Modell an eine neue Domäne an, indem Sie nur die Experten trainieren, an die deren Tokens geroutet werden. 1. Laden Sie ein Modell und einen Datensatz. 2. Sehen Sie sich das Routing an und wählen Sie die Experten aus. 3. Trainieren Sie sie als Miner oder bewerten Sie als Validator die Einreichungen der Miner. 4. Führen Sie das Ergebnis zu einem vollständigen Checkpoint zusammen.</translation>
    </message>
    <message>
        <source>New Project…</source>
        <translation>Neues Projekt…</translation>
    </message>
    <message>
        <source>Open the Built-in Demo</source>
        <translation>Integrierte Demo öffnen</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Recent projects&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;Zuletzt verwendete Projekte&lt;/h3&gt;</translation>
    </message>
    <message>
        <source>No projects yet. Create one, or open the built-in demo.</source>
        <translation>Noch keine Projekte. Erstellen Sie eines oder öffnen Sie die integrierte Demo.</translation>
    </message>
    <message>
        <source>%1 — %2 (last used %3)</source>
        <translation>%1 — %2 (zuletzt verwendet %3)</translation>
    </message>
</context>
<context>
    <name>teft::ui::StudioApplication</name>
    <message>
        <source>an unknown error</source>
        <translation>ein unbekannter Fehler</translation>
    </message>
    <message>
        <source>TEFT Studio</source>
        <translation>TEFT Studio</translation>
    </message>
    <message>
        <source>An operation failed unexpectedly:

%1

The application keeps running; your projects and the job store are as they were before the operation. The details are in the log.</source>
        <translation>Ein Vorgang ist unerwartet fehlgeschlagen:

%1

Die Anwendung läuft weiter; Ihre Projekte und der Job-Speicher sind so wie vor dem Vorgang. Die Details stehen im Protokoll.</translation>
    </message>
</context>
<context>
    <name>teft::ui::SubmissionTableModel</name>
    <message>
        <source>verified</source>
        <translation>verifiziert</translation>
    </message>
    <message>
        <source>refused: %1</source>
        <translation>zurückgewiesen: %1</translation>
    </message>
    <message>
        <source>yes (override)</source>
        <translation>ja (manuell)</translation>
    </message>
    <message>
        <source>no (override)</source>
        <translation>nein (manuell)</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Miner</source>
        <translation>Miner</translation>
    </message>
    <message>
        <source>Verification</source>
        <translation>Verifizierung</translation>
    </message>
    <message>
        <source>Base loss</source>
        <translation>Basisverlust</translation>
    </message>
    <message>
        <source>New loss</source>
        <translation>Neuer Verlust</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>Rang</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Gewicht</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Akzeptiert</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>k. A.</translation>
    </message>
    <message>
        <source>%1 ± %2</source>
        <translation>%1 ± %2</translation>
    </message>
    <message>
        <source>%1 (tied with %2)</source>
        <translation>%1 (gleichauf mit %2)</translation>
    </message>
    <message>
        <source>s_i: token-weighted mean of base loss − new loss over the held-out batches, ± its standard error</source>
        <translation>s_i: tokengewichteter Mittelwert von Basisverlust − neuem Verlust über die Held-out-Batches, ± sein Standardfehler</translation>
    </message>
    <message>
        <source>Significant: the one-sided %1 % lower bound is %2 &gt; 0.</source>
        <translation>Signifikant: Die einseitige untere Schranke (%1 %) ist %2 &gt; 0.</translation>
    </message>
    <message>
        <source>Not significant: the one-sided %1 % lower bound is %2 ≤ 0; it scores 0.</source>
        <translation>Nicht signifikant: Die einseitige untere Schranke (%1 %) ist %2 ≤ 0; die Bewertung ist 0.</translation>
    </message>
    <message>
        <source>Not significant: fewer than 2 held-out batches, no error estimate; it scores 0.</source>
        <translation>Nicht signifikant: weniger als 2 Held-out-Batches, keine Fehlerschätzung; die Bewertung ist 0.</translation>
    </message>
    <message>
        <source>Held-out target tokens the score rests on</source>
        <translation>Held-out-Tokens des Ziels, auf denen die Bewertung beruht</translation>
    </message>
    <message>
        <source>Tied within noise: the difference to these is not significant</source>
        <translation>Im Rauschen gleichauf: Der Unterschied zu diesen ist nicht signifikant</translation>
    </message>
    <message>
        <source>s_i ± error</source>
        <translation>s_i ± Fehler</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
</context>
<context>
    <name>teft::ui::TaskProgressBar</name>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>Fertig.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>Fehlgeschlagen.</translation>
    </message>
</context>
<context>
    <name>teft::ui::ToggleExpertCommand</name>
    <message>
        <source>Deselect expert %1 of layer %2</source>
        <translation>Experte %1 in Schicht %2 abwählen</translation>
    </message>
    <message>
        <source>Select expert %1 of layer %2</source>
        <translation>Experte %1 in Schicht %2 auswählen</translation>
    </message>
</context>
<context>
    <name>teft::ui::ValidatorController</name>
    <message>
        <source>Cannot score the submissions</source>
        <translation>Die Einreichungen können nicht bewertet werden</translation>
    </message>
    <message>
        <source>Open a project first.</source>
        <translation>Öffnen Sie zuerst ein Projekt.</translation>
    </message>
    <message>
        <source>This project has no expert selection: save an expert selection on the Experts page first.</source>
        <translation>Dieses Projekt hat keine Expertenauswahl: Speichern Sie zuerst eine Expertenauswahl auf der Seite „Experten“.</translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 ist kein Ordner.</translation>
    </message>
    <message>
        <source>Scoring failed</source>
        <translation>Bewertung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Outer step failed</source>
        <translation>Äußerer Schritt fehlgeschlagen</translation>
    </message>
    <message>
        <source>%1 is not a verified submission of this round.</source>
        <translation>%1 ist keine verifizierte Einreichung dieser Runde.</translation>
    </message>
    <message numerus="yes">
        <source>Round %1 scored: %n submission(s).</source>
        <translation>
            <numerusform>Runde %1 bewertet: %n Einreichung.</numerusform>
            <numerusform>Runde %1 bewertet: %n Einreichungen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Run the outer step?</source>
        <translation>Äußeren Schritt ausführen?</translation>
    </message>
    <message numerus="yes">
        <source>The outer step applies the weighted average of %n accepted submission(s) to the project&apos;s Φ and starts round %1. It cannot be undone, and this round&apos;s table is cleared.</source>
        <translation>
            <numerusform>Der äußere Schritt wendet den gewichteten Mittelwert von %n akzeptierten Einreichung auf das Φ des Projekts an und startet Runde %1. Das lässt sich nicht rückgängig machen, und die Tabelle dieser Runde wird geleert.</numerusform>
            <numerusform>Der äußere Schritt wendet den gewichteten Mittelwert von %n akzeptierten Einreichungen auf das Φ des Projekts an und startet Runde %1. Das lässt sich nicht rückgängig machen, und die Tabelle dieser Runde wird geleert.</numerusform>
        </translation>
    </message>
    <message>
        <source>Run outer step</source>
        <translation>Äußeren Schritt ausführen</translation>
    </message>
    <message>
        <source>Outer step of round %1 applied to the project&apos;s Φ.</source>
        <translation>Äußerer Schritt von Runde %1 auf das Φ des Projekts angewendet.</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>abgeschlossen</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>gestoppt</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>unterbrochen</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>in Warteschlange</translation>
    </message>
    <message>
        <source>No submission is ticked.</source>
        <translation>Es ist keine Einreichung angehakt.</translation>
    </message>
    <message>
        <source>The submissions cannot be listed: %1</source>
        <translation>Die Einreichungen können nicht aufgelistet werden: %1</translation>
    </message>
    <message>
        <source>Cannot add the submission</source>
        <translation>Die Einreichung kann nicht hinzugefügt werden</translation>
    </message>
    <message>
        <source>Cannot add the submissions</source>
        <translation>Die Einreichungen können nicht hinzugefügt werden</translation>
    </message>
    <message>
        <source>%1 holds no submission folder (a submission is a folder holding manifest.json and experts.safetensors).</source>
        <translation>%1 enthält keine Einreichung (eine Einreichung ist ein Ordner mit manifest.json und experts.safetensors).</translation>
    </message>
    <message>
        <source>Cannot remove the submission</source>
        <translation>Die Einreichung kann nicht entfernt werden</translation>
    </message>
</context>
<context>
    <name>teft::ui::ValidatorPage</name>
    <message>
        <source>Top-k, equal weights</source>
        <translation>Top-k, gleiche Gewichte</translation>
    </message>
    <message>
        <source>Proportional to s_i</source>
        <translation>Proportional zu s_i</translation>
    </message>
    <message>
        <source>How many of the best-scoring submissions are averaged</source>
        <translation>Wie viele der am besten bewerteten Einreichungen gemittelt werden</translation>
    </message>
    <message>
        <source>&amp;Accept selected</source>
        <translation>Ausgewählte a&amp;kzeptieren</translation>
    </message>
    <message>
        <source>&amp;Reject selected</source>
        <translation>Ausgewählte a&amp;blehnen</translation>
    </message>
    <message>
        <source>Clear overrides</source>
        <translation>Manuelle Entscheidungen zurücksetzen</translation>
    </message>
    <message>
        <source>Run &amp;outer step</source>
        <translation>Äußeren Schritt aus&amp;führen</translation>
    </message>
    <message>
        <source>Apply the weighted average of the accepted updates to Φ (SGD with Nesterov momentum)</source>
        <translation>Den gewichteten Mittelwert der akzeptierten Updates auf Φ anwenden (SGD mit Nesterov-Momentum)</translation>
    </message>
    <message>
        <source>Aggregation:</source>
        <translation>Aggregation:</translation>
    </message>
    <message>
        <source>k:</source>
        <translation>k:</translation>
    </message>
    <message>
        <source>Score s_i per miner</source>
        <translation>Bewertung s_i pro Miner</translation>
    </message>
    <message>
        <source>Validation loss per round</source>
        <translation>Validierungsverlust pro Runde</translation>
    </message>
    <message>
        <source>Round</source>
        <translation>Runde</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Verlust</translation>
    </message>
    <message numerus="yes">
        <source>Round %1: %n submission(s)</source>
        <translation>
            <numerusform>Runde %1: %n Einreichung</numerusform>
            <numerusform>Runde %1: %n Einreichungen</numerusform>
        </translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Akzeptiert</translation>
    </message>
    <message>
        <source>Not accepted</source>
        <translation>Nicht akzeptiert</translation>
    </message>
    <message>
        <source>s_i</source>
        <translation>s_i</translation>
    </message>
    <message>
        <source>%1 accepted for aggregation, %2 refused by verification.</source>
        <translation>%1 zur Aggregation akzeptiert, %2 von der Verifizierung zurückgewiesen.</translation>
    </message>
    <message>
        <source>Open submissions &amp;folder…</source>
        <translation>Einreichungs&amp;ordner öffnen…</translation>
    </message>
    <message>
        <source>Verify and score every submission in a folder against the project&apos;s current Φ</source>
        <translation>Jede Einreichung in einem Ordner gegen das aktuelle Φ des Projekts verifizieren und bewerten</translation>
    </message>
    <message>
        <source>Folder of submissions</source>
        <translation>Ordner mit Einreichungen</translation>
    </message>
    <message>
        <source>Outer learning rate of the Nesterov step (DiLoCo: 0.7)</source>
        <translation>Äußere Lernrate des Nesterov-Schritts (DiLoCo: 0,7)</translation>
    </message>
    <message>
        <source>Outer momentum, kept across rounds (DiLoCo: 0.9)</source>
        <translation>Äußeres Momentum, über Runden hinweg beibehalten (DiLoCo: 0,9)</translation>
    </message>
    <message>
        <source>Held-out batches:</source>
        <translation>Held-out-Batches:</translation>
    </message>
    <message>
        <source>× rows:</source>
        <translation>× Zeilen:</translation>
    </message>
    <message>
        <source>Outer learning rate:</source>
        <translation>Äußere Lernrate:</translation>
    </message>
    <message>
        <source>Momentum:</source>
        <translation>Momentum:</translation>
    </message>
    <message>
        <source>Held-out batches every submission is scored on (the same seeded batches for all); a score&apos;s standard error comes from their spread, so at least 2, and more narrow it</source>
        <translation>Held-out-Batches, auf denen jede Einreichung bewertet wird (für alle dieselben, mit festem Seed); der Standardfehler einer Bewertung ergibt sich aus ihrer Streuung, daher mindestens 2, und mehr verringern ihn</translation>
    </message>
    <message>
        <source>No project open. Open or create a project, then open a folder of submissions to score them.</source>
        <translation>Kein Projekt geöffnet. Öffnen oder erstellen Sie ein Projekt und öffnen Sie dann einen Ordner mit Einreichungen, um sie zu bewerten.</translation>
    </message>
    <message>
        <source>Open or create a project first: the outer step updates the project&apos;s Φ</source>
        <translation>Öffnen oder erstellen Sie zuerst ein Projekt: Der äußere Schritt aktualisiert das Φ des Projekts</translation>
    </message>
    <message>
        <source>Score a folder of submissions first: the outer step needs accepted submissions</source>
        <translation>Bewerten Sie zuerst einen Ordner mit Einreichungen: Der äußere Schritt benötigt akzeptierte Einreichungen</translation>
    </message>
    <message>
        <source>Submissions</source>
        <translation>Einreichungen</translation>
    </message>
    <message>
        <source>Train a run on the Train page or add a submission.</source>
        <translation>Trainieren Sie einen Lauf auf der Seite „Trainieren“ oder fügen Sie eine Einreichung hinzu.</translation>
    </message>
    <message>
        <source>Submission</source>
        <translation>Einreichung</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Herkunft</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Add &amp;submission…</source>
        <translation>&amp;Einreichung hinzufügen…</translation>
    </message>
    <message>
        <source>List a submission folder from anywhere with this project (nothing is copied)</source>
        <translation>Den Ordner einer Einreichung von beliebigem Ort in die Liste dieses Projekts aufnehmen (es wird nichts kopiert)</translation>
    </message>
    <message>
        <source>Add folder of su&amp;bmissions…</source>
        <translation>Ei&amp;nreichungsordner hinzufügen…</translation>
    </message>
    <message>
        <source>List every submission inside a folder with this project (nothing is copied)</source>
        <translation>Alle Einreichungen in einem Ordner in die Liste dieses Projekts aufnehmen (es wird nichts kopiert)</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>En&amp;tfernen</translation>
    </message>
    <message>
        <source>Remove the selected imported submissions from the list (no file is deleted)</source>
        <translation>Die ausgewählten importierten Einreichungen aus der Liste entfernen (es wird keine Datei gelöscht)</translation>
    </message>
    <message>
        <source>S&amp;core selected</source>
        <translation>Ausgewählte be&amp;werten</translation>
    </message>
    <message>
        <source>Verify and score the ticked submissions against the project&apos;s current Φ</source>
        <translation>Die angehakten Einreichungen gegen das aktuelle Φ des Projekts verifizieren und bewerten</translation>
    </message>
    <message>
        <source>Submission folder</source>
        <translation>Ordner der Einreichung</translation>
    </message>
    <message>
        <source>Round %1: no submissions scored yet. Tick submissions above and press Score selected.</source>
        <translation>Runde %1: noch keine Einreichungen bewertet. Haken Sie oben Einreichungen an und klicken Sie auf „Ausgewählte bewerten“.</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>fehlt</translation>
    </message>
    <message>
        <source>no submission yet</source>
        <translation>noch keine Einreichung</translation>
    </message>
    <message>
        <source>%1, no submission yet</source>
        <translation>%1, noch keine Einreichung</translation>
    </message>
    <message>
        <source>This folder no longer exists (moved or deleted?): remove it from the list or put it back</source>
        <translation>Dieser Ordner existiert nicht mehr (verschoben oder gelöscht?): Entfernen Sie ihn aus der Liste oder stellen Sie ihn wieder her</translation>
    </message>
    <message>
        <source>The run has not written its submission (yet)</source>
        <translation>Der Lauf hat seine Einreichung (noch) nicht geschrieben</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>importiert</translation>
    </message>
    <message>
        <source>own run</source>
        <translation>eigener Lauf</translation>
    </message>
    <message>
        <source>S&amp;core selected (%1)</source>
        <translation>Ausgewählte be&amp;werten (%1)</translation>
    </message>
    <message>
        <source>Close &amp;network round…</source>
        <translation>&amp;Netzwerkrunde schließen…</translation>
    </message>
    <message>
        <source>Score the TEFT network&apos;s open round straight from its store, take the outer step and publish the signed result (on the Network page)</source>
        <translation>Die offene Runde des TEFT-Netzwerks direkt aus seinem Speicher bewerten, den äußeren Schritt ausführen und das signierte Ergebnis veröffentlichen (auf der Seite Netzwerk)</translation>
    </message>
</context>
</TS>
