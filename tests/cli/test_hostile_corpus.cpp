// The hostile-submission corpus (tests/hostile/corpus, README.md there) replayed through the
// validator's real entry point, `teft validate`: the corpus is copied to a scratch folder, the
// cases git cannot hold (links, FIFOs, sparse and oversized files) are made there, and one round
// is validated over all of them; every submission must get the verdict expected.json names, with
// a message naming the problem, and no other row may appear. One case altered back to honest (the
// tampered byte restored) must be accepted, so that a verifier refusing everything fails here.
#include "core/util/AtomicFile.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sys/stat.h>

namespace fs = std::filesystem;
using nlohmann::json;

class TestHostileCorpus : public QObject {
    Q_OBJECT

    fs::path m_corpus = teft::test::sourceDir() / "tests" / "hostile" / "corpus";

    // Turns the valid submission `dir` into what the case describes (expected.json "materialise").
    static void materialise(const fs::path& subs, const std::string& name, const json& m)
    {
        const fs::path dir = subs / name;
        const std::string action = m.at("action").get<std::string>();
        if (action == "folder_symlink") {
            fs::create_directory_symlink(m.at("target").get<std::string>(), dir);
            return;
        }
        if (action == "rename") { // to a name given as hex bytes (not UTF-8: JSON cannot hold it)
            const std::string hex = m.at("to_hex").get<std::string>();
            std::string bytes;
            for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
                bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
            fs::rename(dir, subs / bytes);
            return;
        }
        const fs::path file = dir / m.at("file").get<std::string>();
        if (action == "symlink") {
            fs::remove(file);
            fs::create_symlink(m.at("target").get<std::string>(), file);
        } else if (action == "fifo") {
            fs::remove(file);
            QCOMPARE(::mkfifo(file.c_str(), 0600), 0);
        } else if (action == "sparse") { // a hole after the file's own bytes
            fs::resize_file(file, fs::file_size(file) + m.at("bytes").get<std::uint64_t>());
        } else if (action == "pad") { // real bytes: trailing spaces after valid JSON
            std::ofstream(file, std::ios::app) << std::string(m.at("bytes").get<std::size_t>(), ' ');
        } else {
            QFAIL(("unknown materialise action " + action).c_str());
        }
    }

private slots:
    void everyCaseGetsItsVerdict()
    {
        QVERIFY2(fs::exists(m_corpus / "expected.json"), m_corpus.c_str());
        const json expected = json::parse(teft::readFile(m_corpus / "expected.json"));
        const fs::path work = teft::test::freshDir("replay");
        const fs::path subs = work / "subs";
        fs::copy(m_corpus / "submissions", subs, fs::copy_options::recursive);
        fs::create_directories(work / "state");
        fs::copy_file(m_corpus / "state" / "receipts.json", work / "state" / "receipts.json");
        // A valid signature outside the submission folder, for the link that points out of it.
        fs::create_directories(work / "outside");
        fs::copy_file(subs / "symlink-out" / "signature.json", work / "outside" / "signature.json");

        std::map<std::string, std::pair<std::string, std::string>> want; // name -> verdict, needle
        for (const auto& [name, c] : expected.at("cases").items()) {
            const json m = c.value("materialise", json());
            want[m.is_object() ? m.value("report_name", name) : name] = {c.at("verdict").get<std::string>(),
                                                                         c.at("message_contains").get<std::string>()};
            if (!m.is_null())
                materialise(subs, name, m);
        }
        // The tampered case with its byte flipped back is the honest submission it was.
        const json& restore = expected.at("cases").at("tampered-tensor").at("restore");
        fs::copy(subs / "tampered-tensor", subs / "restored-tampered-tensor", fs::copy_options::recursive);
        {
            const fs::path f = subs / "restored-tampered-tensor" / restore.at("file").get<std::string>();
            std::fstream s(f, std::ios::in | std::ios::out | std::ios::binary);
            const auto offset = static_cast<std::streamoff>(restore.at("offset").get<std::uint64_t>());
            s.seekg(offset);
            char c = 0;
            s.get(c);
            s.seekp(offset);
            s.put(static_cast<char>(c ^ restore.at("xor").get<int>()));
        }
        want["restored-tampered-tensor"] = {"accepted", "passed all checks"};

        const auto r = teft::test::runProcess(TEFT_CLI_PATH, {"validate",
                                                              (m_corpus / "model").string(),
                                                              "--data",
                                                              (m_corpus / "heldout.txt").string(),
                                                              "--seq-len",
                                                              "16",
                                                              "--held-out",
                                                              "0.5",
                                                              "--selection",
                                                              (m_corpus / "selection.json").string(),
                                                              "--submissions",
                                                              subs.string(),
                                                              "--state",
                                                              (work / "state").string(),
                                                              "--known-miners",
                                                              (m_corpus / "known_miners.json").string(),
                                                              "--eval-batches",
                                                              "2",
                                                              "--eval-batch-size",
                                                              "4",
                                                              "--device",
                                                              "cpu",
                                                              "--json",
                                                              "--quiet",
                                                              "--threads",
                                                              "1",
                                                              "--data-dir",
                                                              (work / "data").string()});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const json report = json::parse(r.out);
        std::map<std::string, json> rows;
        for (const auto& row : report.at("submissions"))
            rows[row.at("name").get<std::string>()] = row;
        for (const auto& [name, v] : want) {
            QVERIFY2(rows.count(name), ("no report row for case " + name).c_str());
            const json& row = rows.at(name);
            const std::string verdict = row.at("verdict").get<std::string>();
            const std::string message = row.value("message", "");
            const std::string what = name + ": got " + verdict + " (" + message + "), expected " + v.first +
                                     " with a message containing \"" + v.second + "\"";
            QVERIFY2(verdict == v.first, what.c_str());
            QVERIFY2(message.find(v.second) != std::string::npos, what.c_str());
        }
        for (const auto& [name, row] : rows)
            QVERIFY2(want.count(name), ("a report row no case expects: " + name).c_str());
        // The link out of the folder was not followed into a write, and the corpus is untouched.
        QVERIFY(fs::is_regular_file(work / "outside" / "signature.json"));
    }
};

QTEST_GUILESS_MAIN(TestHostileCorpus)
#include "test_hostile_corpus.moc"
