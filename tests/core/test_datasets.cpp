// Dataset readers (JSONL, chat, plain text, CSV/TSV, folders, auto-detection), streaming through
// bounded buffers, bad-data accounting and strict mode, and the demo corpus.
#include "core/data/ChatTemplate.h"
#include "core/data/DatasetReader.h"
#include "core/data/LineReader.h"
#include "core/demo/DemoCorpus.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <set>

using namespace teft;
namespace fs = std::filesystem;

namespace {

void writeBytes(const fs::path& p, const std::string& bytes)
{
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << bytes;
}

std::vector<TextRecord> readAll(const DatasetSpec& spec, DataQualityReport* report = nullptr)
{
    DatasetReader reader(spec);
    std::vector<TextRecord> out;
    TextRecord r;
    while (reader.next(r))
        out.push_back(r);
    if (report)
        *report = reader.report();
    return out;
}

DatasetSpec specOf(std::vector<fs::path> paths)
{
    DatasetSpec s;
    s.paths = std::move(paths);
    return s;
}

template <typename F>
std::string errorOf(F&& f)
{
    try {
        f();
    } catch (const teft::Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("unexpected exception: ") + e.what();
    }
    return {};
}

#define QCOMPARE_STR(a, b) QCOMPARE(QString::fromStdString(a), QString::fromStdString(b))

} // namespace

class TestDatasets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void jsonlTextFieldWithLines()
    {
        const auto dir = test::freshDir("jsonl");
        writeBytes(dir / "a.jsonl", "{\"text\": \"first\", \"id\": 1}\n"
                                    "\n"
                                    "{\"id\": 2, \"text\": \"second \\u00e9\\n line\"}\r\n"
                                    "{\"text\": \"third\"}"); // no final newline
        const auto recs = readAll(specOf({dir / "a.jsonl"}));
        QCOMPARE(recs.size(), std::size_t(3));
        QCOMPARE_STR(recs[0].text, "first");
        QCOMPARE(recs[0].line, std::int64_t(1));
        QCOMPARE_STR(recs[1].text, "second \xC3\xA9\n line");
        QCOMPARE(recs[1].line, std::int64_t(3));
        QCOMPARE_STR(recs[2].text, "third");
        QCOMPARE(recs[2].line, std::int64_t(4));
        QCOMPARE_STR(recs[2].file, (dir / "a.jsonl").string());
    }

    void jsonlChosenAndNestedField()
    {
        const auto dir = test::freshDir("jsonl-field");
        writeBytes(dir / "b.jsonl", "{\"body\": \"one\", \"meta\": {\"body\": \"deep one\"}}\n"
                                    "{\"body\": \"two\", \"meta\": {\"body\": \"deep two\"}}\n");
        auto spec = specOf({dir / "b.jsonl"});
        spec.field = "body";
        auto recs = readAll(spec);
        QCOMPARE(recs.size(), std::size_t(2));
        QCOMPARE_STR(recs[1].text, "two");
        spec.field = "meta.body";
        recs = readAll(spec);
        QCOMPARE(recs.size(), std::size_t(2));
        QCOMPARE_STR(recs[0].text, "deep one");
    }

    void chatMessagesRenderedThroughTemplates()
    {
        const auto dir = test::freshDir("chat");
        writeBytes(dir / "c.jsonl",
                   "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", "
                   "\"content\": \"2+2?\"}, {\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": "
                   "\"4\"}]}]}\n");
        auto spec = specOf({dir / "c.jsonl"});
        auto recs = readAll(spec);
        QCOMPARE(recs.size(), std::size_t(1));
        QCOMPARE_STR(recs[0].text, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
                                   "<|im_start|>assistant\n4<|im_end|>\n");
        spec.chatTemplate = "plain";
        recs = readAll(spec);
        QCOMPARE_STR(recs[0].text, "system: Be brief.\nuser: 2+2?\nassistant: 4\n");
        spec.chatTemplate = "jinja-magic";
        const std::string err = errorOf([&] { readAll(spec); });
        QVERIFY2(err.find("unknown chat template 'jinja-magic'") != std::string::npos, err.c_str());
    }

    void plainTextDocumentSplits()
    {
        const auto dir = test::freshDir("text");
        writeBytes(dir / "t.txt", "Para one line one\nline two\n\n\n  \nPara two\n\nPara three\n\n");
        auto spec = specOf({dir / "t.txt"});
        spec.docSplit = DocSplit::BlankLine;
        auto recs = readAll(spec);
        QCOMPARE(recs.size(), std::size_t(3));
        QCOMPARE_STR(recs[0].text, "Para one line one\nline two");
        QCOMPARE(recs[0].line, std::int64_t(1));
        QCOMPARE_STR(recs[1].text, "Para two");
        QCOMPARE(recs[1].line, std::int64_t(6));
        QCOMPARE_STR(recs[2].text, "Para three");
        QCOMPARE(recs[2].line, std::int64_t(8));

        spec.docSplit = DocSplit::File;
        recs = readAll(spec);
        QCOMPARE(recs.size(), std::size_t(1));
        QCOMPARE_STR(recs[0].text, "Para one line one\nline two\n\n\n  \nPara two\n\nPara three");

        spec.docSplit = DocSplit::Line;
        recs = readAll(spec);
        QCOMPARE(recs.size(), std::size_t(4));
        QCOMPARE_STR(recs[1].text, "line two");
        QCOMPARE(recs[1].line, std::int64_t(2));
    }

    void csvQuotingPerRfc4180()
    {
        const auto dir = test::freshDir("csv");
        writeBytes(dir / "d.csv", "id,text,label\r\n"
                                  "1,plain value,a\r\n"
                                  "2,\"with, comma and \"\"quotes\"\"\",b\r\n"
                                  "3,\"spans\ntwo lines\",c\r\n"
                                  "4,,d\r\n"
                                  "5,last,e");
        auto spec = specOf({dir / "d.csv"});
        DataQualityReport report;
        auto recs = readAll(spec, &report);
        QCOMPARE(recs.size(), std::size_t(4));
        QCOMPARE_STR(recs[0].text, "plain value");
        QCOMPARE_STR(recs[1].text, "with, comma and \"quotes\"");
        QCOMPARE_STR(recs[2].text, "spans\ntwo lines");
        QCOMPARE(recs[2].line, std::int64_t(4));
        QCOMPARE_STR(recs[3].text, "last");
        QCOMPARE(recs[3].line, std::int64_t(7));
        QCOMPARE(report.count(BadDataKind::Empty), std::int64_t(1)); // row 4
        spec.column = "2";                                           // by index
        recs = readAll(spec);
        QCOMPARE_STR(recs[0].text, "a");
        spec.column = "label";
        recs = readAll(spec);
        QCOMPARE(recs.size(), std::size_t(6 - 1));
    }

    void tsvColumn()
    {
        const auto dir = test::freshDir("tsv");
        writeBytes(dir / "e.tsv", "text\tscore\nalpha beta\t1\n\"quoted\ttab\"\t2\n");
        const auto recs = readAll(specOf({dir / "e.tsv"}));
        QCOMPARE(recs.size(), std::size_t(2));
        QCOMPARE_STR(recs[0].text, "alpha beta");
        QCOMPARE_STR(recs[1].text, "quoted\ttab");
    }

    void foldersSortedRecursiveAndAutoDetected()
    {
        const auto dir = test::freshDir("folder");
        writeBytes(dir / "b" / "2.txt", "from b/2");
        writeBytes(dir / "a.jsonl", "{\"text\": \"from a\"}\n");
        writeBytes(dir / "b" / "1.csv", "text\nfrom b/1\n");
        writeBytes(dir / "c" / "deep" / "x.md", "from c/deep/x");
        writeBytes(dir / ".hidden" / "h.txt", "hidden");
        writeBytes(dir / ".skip.txt", "hidden file");
        writeBytes(dir / "README", "no extension inside a folder: not data");
        auto spec = specOf({dir});
        spec.docSplit = DocSplit::File;
        const auto recs = readAll(spec);
        std::vector<std::string> texts;
        for (const auto& r : recs)
            texts.push_back(r.text);
        const std::vector<std::string> expected{"from a", "from b/1", "from b/2", "from c/deep/x"};
        QVERIFY(texts == expected);

        // Linked folders are followed once; a link cycle does not loop.
        fs::create_directory_symlink(dir / "b", dir / "c" / "link-to-b");
        fs::create_directory_symlink(dir, dir / "b" / "link-to-root");
        texts.clear();
        for (const auto& r : readAll(spec))
            texts.push_back(r.text);
        const std::vector<std::string> withLink{"from a", "from b/1", "from b/2", "from c/deep/x"};
        QVERIFY(texts == withLink);
        fs::remove(dir / "b" / "link-to-root");
        fs::remove(dir / "c" / "link-to-b");

        // A link out of the folder (to a file or a folder elsewhere) is an error naming both ends.
        const auto outside = teft::test::freshDir("outside");
        writeBytes(outside / "secret.txt", "not part of the dataset");
        for (const auto& [link, target] :
             {std::pair{dir / "c" / "leak.txt", outside / "secret.txt"}, std::pair{dir / "c" / "leak", outside}}) {
            if (fs::is_directory(target))
                fs::create_directory_symlink(target, link);
            else
                fs::create_symlink(target, link);
            try {
                readAll(spec);
                QFAIL("a link out of the dataset folder was followed");
            } catch (const teft::FormatError& e) {
                QVERIFY2(QString(e.what()).contains("outside the folder") &&
                             QString(e.what()).contains(QString::fromStdString(link.string())),
                         e.what());
            }
            fs::remove(link);
        }

        // A file named explicitly is sniffed when its extension says nothing.
        writeBytes(dir / "noext", "  {\"text\": \"sniffed json\"}\n");
        writeBytes(dir / "noext2", "just words\n");
        QCOMPARE_STR(toString(detectFormat(dir / "noext")), toString(DataFormat::Jsonl));
        QCOMPARE_STR(toString(detectFormat(dir / "noext2")), toString(DataFormat::Text));
        writeBytes(dir / "x.TSV", "text\n");
        QCOMPARE_STR(toString(detectFormat(dir / "x.TSV")), toString(DataFormat::Tsv));
        QCOMPARE_STR(readAll(specOf({dir / "noext"}))[0].text, "sniffed json");
        std::string err0;

        // Compressed files and JSON arrays are refused with a hint, not read as garbage.
        writeBytes(dir / "z.jsonl", std::string("\x1f\x8b\x08\x00rest", 8));
        err0 = errorOf([&] { readAll(specOf({dir / "z.jsonl"})); });
        QVERIFY2(err0.find("z.jsonl is compressed") != std::string::npos, err0.c_str());
        writeBytes(dir / "arr.json", "[\n  {\"text\": \"a\"},\n  {\"text\": \"b\"}\n]\n");
        err0 = errorOf([&] { readAll(specOf({dir / "arr.json"})); });
        QVERIFY2(err0.find("arr.json holds one JSON array, not JSON Lines") != std::string::npos, err0.c_str());

        // Missing paths and empty folders are refused, naming them.
        std::string err = errorOf([&] { readAll(specOf({dir / "nope.jsonl"})); });
        QVERIFY2(err.find("nope.jsonl does not exist") != std::string::npos, err.c_str());
        fs::create_directories(dir / "empty");
        err = errorOf([&] { readAll(specOf({dir / "empty"})); });
        QVERIFY2(err.find("empty has no .jsonl") != std::string::npos, err.c_str());
        err = errorOf([&] { parseDataFormat("parquet"); });
        QVERIFY2(err.find("unknown data format 'parquet'") != std::string::npos, err.c_str());
    }

    void lineReaderStreamsThroughASmallBuffer()
    {
        // Lines far longer than the buffer, and many of them: content must come back exactly.
        const auto dir = test::freshDir("stream");
        std::string content;
        std::vector<std::string> lines;
        for (int i = 0; i < 300; ++i) {
            std::string line(static_cast<std::size_t>((i * 37) % 500), static_cast<char>('a' + i % 26));
            line += std::to_string(i);
            lines.push_back(line);
            content += line + (i % 3 == 0 ? "\r\n" : "\n");
        }
        writeBytes(dir / "s.txt", content);
        LineReader reader(dir / "s.txt", 64);
        std::string line;
        bool tooLong = false;
        std::size_t n = 0;
        while (reader.next(line, 1 << 20, tooLong)) {
            QVERIFY(n < lines.size());
            QCOMPARE_STR(line, lines[n]);
            QVERIFY(!tooLong);
            ++n;
            QCOMPARE(reader.lineNumber(), static_cast<std::int64_t>(n));
        }
        QCOMPARE(n, lines.size());
        QCOMPARE(reader.bytesRead(), static_cast<std::int64_t>(content.size()));
    }

    void jsonlLargerThanAnyBuffer()
    {
        // 3 MiB file with one 1.5 MiB record: bigger than the 1 MiB read buffer.
        const auto dir = test::freshDir("big");
        std::string big;
        for (int i = 0; big.size() < (3u << 19); ++i)
            big += "word" + std::to_string(i) + ' ';
        std::string file;
        for (int i = 0; i < 2000; ++i)
            file += nlohmann::json{{"text", "small " + std::to_string(i)}}.dump() + "\n";
        file += nlohmann::json{{"text", big}}.dump() + "\n";
        for (int i = 0; i < 2000; ++i)
            file += nlohmann::json{{"text", "after " + std::to_string(i)}}.dump() + "\n";
        writeBytes(dir / "big.jsonl", file);
        auto spec = specOf({dir / "big.jsonl"});
        DatasetReader reader(spec);
        TextRecord r;
        std::size_t n = 0;
        bool sawBig = false;
        while (reader.next(r)) {
            if (n == 2000) {
                QCOMPARE(r.text.size(), big.size());
                QVERIFY(r.text == big);
                QCOMPARE(r.line, std::int64_t(2001));
                sawBig = true;
            }
            ++n;
        }
        QVERIFY(sawBig);
        QCOMPARE(n, std::size_t(4001));
        QCOMPARE(reader.bytesRead(), static_cast<std::int64_t>(file.size()));

        // With a record cap below its size, the big record is refused as too large, not read.
        spec.maxDocumentBytes = 1 << 20;
        DataQualityReport report;
        const auto recs = readAll(spec, &report);
        QCOMPARE(recs.size(), std::size_t(4000));
        QCOMPARE(report.count(BadDataKind::TooLarge), std::int64_t(1));
        QCOMPARE(report.examples().at(0).line, std::int64_t(2001));
    }

    void badJsonlCountedWithFileAndLine()
    {
        const auto dir = test::freshDir("bad");
        writeBytes(dir / "bad.jsonl", "{\"text\": \"good 1\"}\n"                 // 1
                                      "{\"text\": \"unterminated}\n"             // 2 invalid JSON
                                      "{\"title\": \"no text\"}\n"               // 3 missing field
                                      "{\"text\": 42}\n"                         // 4 wrong type
                                      "{\"text\": \"bad \xff byte\"}\n"          // 5 invalid UTF-8
                                      "[1, 2]\n"                                 // 6 not an object
                                      "{\"text\": \"   \"}\n"                    // 7 empty
                                      "{\"text\": \"good 2\"}\n"                 // 8
                                      "{\"messages\": [{\"content\": \"x\"}]}\n" // 9 chat without role
                                      "{\"text\": null}\n");                     // 10 wrong type
        auto spec = specOf({dir / "bad.jsonl"});
        DataQualityReport report;
        const auto recs = readAll(spec, &report);
        QCOMPARE(recs.size(), std::size_t(2));
        QCOMPARE_STR(recs[1].text, "good 2");
        QCOMPARE(report.count(BadDataKind::InvalidJson), std::int64_t(2));
        QCOMPARE(report.count(BadDataKind::MissingField), std::int64_t(1));
        QCOMPARE(report.count(BadDataKind::WrongType), std::int64_t(3));
        QCOMPARE(report.count(BadDataKind::InvalidUtf8), std::int64_t(1));
        QCOMPARE(report.count(BadDataKind::Empty), std::int64_t(1));
        QCOMPARE(report.total(), std::int64_t(8));
        std::map<std::int64_t, BadDataKind> byLine;
        for (const auto& e : report.examples()) {
            QCOMPARE_STR(e.file, (dir / "bad.jsonl").string());
            byLine[e.line] = e.kind;
        }
        QCOMPARE_STR(toString(byLine.at(2)), toString(BadDataKind::InvalidJson));
        QCOMPARE_STR(toString(byLine.at(3)), toString(BadDataKind::MissingField));
        QCOMPARE_STR(toString(byLine.at(4)), toString(BadDataKind::WrongType));
        QCOMPARE_STR(toString(byLine.at(5)), toString(BadDataKind::InvalidUtf8));
        QCOMPARE_STR(toString(byLine.at(6)), toString(BadDataKind::InvalidJson));
        QCOMPARE_STR(toString(byLine.at(9)), toString(BadDataKind::WrongType));
        const std::string summary = report.summary();
        QVERIFY2(summary.find("bad.jsonl:5: byte 0xff at offset 14 is not UTF-8") != std::string::npos,
                 summary.c_str());
        QVERIFY2(summary.find("field 'text' is number, not a string") != std::string::npos, summary.c_str());

        // Strict: the first bad record is fatal, naming file:line and what is wrong.
        spec.strict = true;
        const std::string err = errorOf([&] { readAll(spec); });
        QVERIFY2(err.find("bad.jsonl:2: invalid JSON") != std::string::npos, err.c_str());
        bool formatError = false;
        try {
            readAll(spec);
        } catch (const FormatError&) {
            formatError = true;
        }
        QVERIFY(formatError);
    }

    void badDelimitedAndTextCounted()
    {
        const auto dir = test::freshDir("bad-csv");
        writeBytes(dir / "r.csv", "text,n\n"
                                  "ok,1\n"
                                  "too,many,fields\n" // 3 ragged
                                  "bad \xc3\x28,2\n"  // 4 invalid UTF-8
                                  "fine,3\n"
                                  "\"never closed,4\n"
                                  "more\n"); // 6 open quote to EOF
        DataQualityReport report;
        auto recs = readAll(specOf({dir / "r.csv"}), &report);
        QCOMPARE(recs.size(), std::size_t(2));
        QCOMPARE(report.count(BadDataKind::BadRow), std::int64_t(2));
        QCOMPARE(report.count(BadDataKind::InvalidUtf8), std::int64_t(1));
        std::set<std::int64_t> lines;
        for (const auto& e : report.examples())
            lines.insert(e.line);
        QVERIFY(lines == (std::set<std::int64_t>{3, 4, 6}));

        writeBytes(dir / "nocol.csv", "body,n\nx,1\n");
        recs = readAll(specOf({dir / "nocol.csv"}), &report);
        QVERIFY(recs.empty());
        QCOMPARE(report.count(BadDataKind::MissingField), std::int64_t(1));
        QVERIFY2(report.whyEmpty().find("no column 'text' (the header has: body, n)") != std::string::npos,
                 report.whyEmpty().c_str());

        writeBytes(dir / "t.txt", "good para\n\nbad \xed\xa0\x80 surrogate\nsame para\n\nlast para\n");
        recs = readAll(specOf({dir / "t.txt"}), &report);
        QCOMPARE(recs.size(), std::size_t(2));
        QCOMPARE(report.count(BadDataKind::InvalidUtf8), std::int64_t(1));
        QCOMPARE(report.examples().at(0).line, std::int64_t(3));
    }

    void whyEmptySaysWhy()
    {
        DataQualityReport r;
        for (int i = 0; i < 120; ++i)
            r.add({BadDataKind::MissingField, "a.jsonl", i + 1, "no field 'text'"});
        const std::string why = r.whyEmpty();
        QVERIFY2(why.find("120 records had no field 'text' (first at a.jsonl:1)") != std::string::npos, why.c_str());
        QCOMPARE(r.examples().size(), DataQualityReport::kMaxExamples);
        const auto back = DataQualityReport::fromJson(r.toJson());
        QCOMPARE(back.count(BadDataKind::MissingField), std::int64_t(120));
        QCOMPARE(back.examples().size(), r.examples().size());
    }

    void specRoundTripsThroughJson()
    {
        DatasetSpec spec;
        spec.paths = {"a.jsonl", "dir"};
        spec.format = DataFormat::Csv;
        spec.column = "body";
        spec.docSplit = DocSplit::Line;
        spec.strict = true;
        spec.chatTemplate = "plain";
        const auto back = datasetSpecFromJson(toJson(spec));
        QCOMPARE(back.paths.size(), std::size_t(2));
        QCOMPARE_STR(back.paths[1].string(), "dir");
        QCOMPARE_STR(toString(back.format), "csv");
        QCOMPARE_STR(back.column, "body");
        QCOMPARE_STR(toString(back.docSplit), "line");
        QVERIFY(back.strict);
        QCOMPARE_STR(back.chatTemplate, "plain");
        std::string err = errorOf([] { datasetSpecFromJson({{"paths", {"x"}}, {"format", "xml"}}); });
        QVERIFY2(err.find("unknown data format 'xml'") != std::string::npos, err.c_str());
        err = errorOf([] { datasetSpecFromJson({{"paths", {"x"}}, {"strict", "yes"}}); });
        QVERIFY2(err.find("dataset.strict has the wrong type") != std::string::npos, err.c_str());
        err = errorOf([] { datasetSpecFromJson({{"format", "csv"}}); });
        QVERIFY2(err.find("dataset.paths is missing") != std::string::npos, err.c_str());
    }

    void previewReturnsFirstRecords()
    {
        const auto dir = test::freshDir("preview");
        std::string file;
        for (int i = 0; i < 50; ++i)
            file += (i == 3 ? std::string("not json") : nlohmann::json{{"text", "doc " + std::to_string(i)}}.dump()) +
                    "\n";
        writeBytes(dir / "p.jsonl", file);
        DataQualityReport report;
        const auto recs = previewDataset(specOf({dir / "p.jsonl"}), 5, &report);
        QCOMPARE(recs.size(), std::size_t(5));
        QCOMPARE_STR(recs[3].text, "doc 4");
        QCOMPARE(recs[3].line, std::int64_t(5));
        QCOMPARE(report.count(BadDataKind::InvalidJson), std::int64_t(1));
    }

    void demoCorpusDeterministicFromSeed()
    {
        JobControl control;
        const auto a = test::freshDir("demo-a"), b = test::freshDir("demo-b"), c = test::freshDir("demo-c");
        DemoCorpusOptions opt;
        opt.seed = 7;
        opt.mbPerDomain = 0.05;
        const auto fa = writeDemoCorpus(a, opt, control);
        writeDemoCorpus(b, opt, control);
        opt.seed = 8;
        writeDemoCorpus(c, opt, control);
        QCOMPARE(fa.size(), demoDomains().size());
        QVERIFY(demoDomains().size() >= 5);
        for (const auto& f : fa) {
            const std::string name = f.domain + ".jsonl";
            const std::string bytesA = readFile(a / name);
            QCOMPARE(static_cast<std::int64_t>(bytesA.size()), f.bytes);
            QVERIFY(f.bytes >= static_cast<std::int64_t>(0.05 * 1024 * 1024));
            QVERIFY2(bytesA == readFile(b / name), name.c_str());
            QVERIFY2(bytesA != readFile(c / name), name.c_str());
            // Every line is {"text": ...} and a readable record.
            const auto recs = readAll(specOf({a / name}));
            QCOMPARE(static_cast<std::int64_t>(recs.size()), f.documents);
            QCOMPARE_STR(recs[3].text, demoDocument(f.domain, 7, 3));
        }
        std::string err = errorOf([&] { demoDocument("poetry", 1, 0); });
        QVERIFY2(err.find("unknown demo domain 'poetry'") != std::string::npos, err.c_str());
        opt.mbPerDomain = 0;
        err = errorOf([&] { writeDemoCorpus(c, opt, control); });
        QVERIFY2(err.find("MB per domain") != std::string::npos, err.c_str());
    }

    void demoCorpusArithmeticIsCorrect()
    {
        // Every equation line must hold: recompute it here.
        for (std::uint64_t i = 0; i < 200; ++i) {
            const std::string doc = demoDocument("arithmetic", 3, i);
            std::istringstream in(doc);
            std::string line;
            while (std::getline(in, line)) {
                long long a, b, c, r;
                char op;
                if (std::sscanf(line.c_str(), "(%lld + %lld) * %lld = %lld", &a, &b, &c, &r) == 4)
                    QCOMPARE((a + b) * c, r);
                else if (std::sscanf(line.c_str(), "%lld + %lld - %lld = %lld", &a, &b, &c, &r) == 4)
                    QCOMPARE(a + b - c, r);
                else if (std::sscanf(line.c_str(), "%lld %c %lld = %lld", &a, &op, &b, &r) == 4) {
                    const long long want = op == '+' ? a + b : op == '-' ? a - b : op == '*' ? a * b : a / b;
                    QVERIFY2(want == r, line.c_str());
                    if (op == '/')
                        QCOMPARE(a % b, 0LL);
                } else {
                    QFAIL(("unparsed arithmetic line: " + line).c_str());
                }
            }
        }
    }

    void demoDomainsStatisticallyDistinct()
    {
        // Nearest-centroid classification on byte histograms: documents of each domain must be
        // closer to their own domain's centroid (built from other documents) than to any other.
        const auto& domains = demoDomains();
        auto histogram = [](const std::string& s) {
            std::vector<double> h(256, 0.0);
            for (unsigned char c : s)
                h[c] += 1.0;
            double norm = 0;
            for (double v : h)
                norm += v * v;
            for (double& v : h)
                v /= std::sqrt(norm);
            return h;
        };
        std::vector<std::vector<double>> centroid(domains.size(), std::vector<double>(256, 0.0));
        for (std::size_t d = 0; d < domains.size(); ++d)
            for (std::uint64_t i = 0; i < 100; ++i) {
                const auto h = histogram(demoDocument(domains[d], 11, i));
                for (int k = 0; k < 256; ++k)
                    centroid[d][k] += h[k] / 100.0;
            }
        int correct = 0, total = 0;
        for (std::size_t d = 0; d < domains.size(); ++d)
            for (std::uint64_t i = 1000; i < 1100; ++i) {
                const auto h = histogram(demoDocument(domains[d], 11, i));
                std::size_t best = 0;
                double bestScore = -1;
                for (std::size_t e = 0; e < domains.size(); ++e) {
                    double dot = 0, norm = 0;
                    for (int k = 0; k < 256; ++k) {
                        dot += h[k] * centroid[e][k];
                        norm += centroid[e][k] * centroid[e][k];
                    }
                    const double score = dot / std::sqrt(norm);
                    if (score > bestScore)
                        bestScore = score, best = e;
                }
                correct += best == d;
                ++total;
            }
        QVERIFY2(correct >= total * 98 / 100, (std::to_string(correct) + "/" + std::to_string(total)).c_str());
    }
};

QTEST_APPLESS_MAIN(TestDatasets)
#include "test_datasets.moc"
