// The engine's tokenizer against the independent Hugging Face references, on the real Qwen3 and
// DeepSeek-V3 tokenizers (testDataDir()/qwen3, testDataDir()/deepseek_v3; their rows SKIP, naming
// the missing file, where the shared test data is absent) and always on two byte-level BPE
// tokenizers that tests/reference/make_tokenizers.py trains with `tokenizers` in the same layouts
// ("qwen3_style", "deepseek_v3_style").
//
// tests/reference/tokenizer_cases.py generates thousands of strings per tokenizer (all Unicode
// planes, whitespace runs, numbers, code, contractions, added tokens inside text, invalid UTF-8
// byte strings, random id sequences) and writes what `tokenizers` (encode with and without special
// tokens, decode with and without skipping them) and transformers (add_special_tokens=True, and
// its decode) produce; every one must be identical here.
//
// Invalid UTF-8 (which Python's str cannot hold): the engine encodes each maximal invalid subpart as
// U+FFFD, so its ids for the raw bytes must equal what `tokenizers` gives for the lossily decoded
// string (bytes.decode("utf-8", errors="replace"), the same rule as Rust's from_utf8_lossy).
//
// transformers 5 and these folders: AutoTokenizer loads DeepSeek-V3 as LlamaTokenizer
// (tokenizer_config.json's tokenizer_class) and replaces its ByteLevel pre-tokenizer with
// Metaspace (huggingface/transformers#45488); the script then takes PreTrainedTokenizerFast and
// says so in the header. transformers 5 also ignores add_bos_token / add_eos_token when a
// tokenizer.json exists, so with add_special_tokens=True neither tokenizer gets a BOS (the
// post-processors are ByteLevel), which is what the engine does.
//
// Needs the project's Python environment (scripts/python-env.sh); fails when it is missing.
#include "core/text/Tokenizer.h"
#include "support/TestSupport.h"

#include <QString>
#include <QtTest>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

using nlohmann::json;
using Ids = std::vector<int32_t>;
namespace fs = std::filesystem;

namespace {

const char* const kNames[] = {"qwen3_style", "deepseek_v3_style", "qwen3", "deepseek_v3"};

struct Case {
    int index = 0;
    std::string kind;
    bool decodeOnly = false;
    std::string input; // the exact bytes to encode (raw invalid UTF-8 for invalid_utf8 cases)
    std::string text;  // the string the Python libraries saw
    bool invalidUtf8 = false;
    Ids ids, idsSpecial, hfIds;
    std::string decoded, decodedSkip, hfDecoded;
    bool hasHf = false;
};

struct Reference {
    json header;
    std::vector<Case> cases;
};

std::string unhex(const std::string& h)
{
    std::string out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    return out;
}

// Printable, ASCII-only form of a string for failure messages (invalid UTF-8 shown as U+FFFD).
std::string show(const std::string& s, std::size_t max = 160)
{
    std::string out = json(s.substr(0, max)).dump(-1, ' ', true, json::error_handler_t::replace);
    if (s.size() > max)
        out += "...(" + std::to_string(s.size()) + " bytes)";
    return out;
}

// Ids from `from` on (a short window), for failure messages.
std::string window(const Ids& ids, std::size_t from)
{
    std::string out = from ? "[..." : "[";
    for (std::size_t i = from; i < ids.size() && i < from + 10; ++i)
        out += (i > from ? "," : "") + std::to_string(ids[i]);
    return out + (ids.size() > from + 10 ? ",...]" : "]") + " (" + std::to_string(ids.size()) + " ids)";
}

// Counts mismatches and keeps the first few as short, readable examples (Qt truncates long
// failure messages).
struct Mismatches {
    std::string what;
    int count = 0;
    int checked = 0;
    std::vector<std::string> examples;

    void note(const Case& c, const std::string& got, const std::string& want)
    {
        if (examples.size() < 3)
            examples.push_back("  #" + std::to_string(c.index) + " [" + c.kind + "] " +
                               (c.decodeOnly ? "ids " + window(c.ids, 0) : "text " + show(c.input, 40)) +
                               "\n    engine: " + got + "\n    want:   " + want);
    }
    void check(const Case& c, const Ids& got, const Ids& want)
    {
        ++checked;
        if (got == want)
            return;
        ++count;
        std::size_t k = 0;
        while (k < got.size() && k < want.size() && got[k] == want[k])
            ++k;
        const std::size_t from = k > 2 ? k - 2 : 0;
        note(c, window(got, from), window(want, from));
    }
    void check(const Case& c, const std::string& got, const std::string& want)
    {
        ++checked;
        if (got == want)
            return;
        ++count;
        std::size_t k = 0;
        while (k < got.size() && k < want.size() && got[k] == want[k])
            ++k;
        const std::size_t from = k > 8 ? k - 8 : 0; // may cut a character: show() marks it U+FFFD
        note(c, "at byte " + std::to_string(k) + ": " + show(got.substr(from), 40), show(want.substr(from), 40));
    }
    std::string report() const
    {
        std::string s = what + ": " + std::to_string(count) + " of " + std::to_string(checked) + " differ";
        for (const auto& e : examples)
            s += "\n" + e;
        return s;
    }
};

Reference readReference(const fs::path& file)
{
    Reference r;
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + file.string());
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        const json j = json::parse(line);
        if (j.contains("header")) {
            r.header = j["header"];
            continue;
        }
        Case c;
        c.index = j.at("i").get<int>();
        c.kind = j.at("kind").get<std::string>();
        c.decodeOnly = c.kind == "decode";
        c.ids = j.at("ids").get<Ids>();
        c.decoded = j.at("decoded").get<std::string>();
        c.decodedSkip = j.at("decoded_skip").get<std::string>();
        if (j.contains("hf_decoded")) {
            c.hasHf = true;
            c.hfDecoded = j["hf_decoded"].get<std::string>();
        }
        if (!c.decodeOnly) {
            c.text = j.at("text").get<std::string>();
            c.idsSpecial = j.at("ids_special").get<Ids>();
            c.input = j.contains("bytes_hex") ? unhex(j["bytes_hex"].get<std::string>()) : c.text;
            c.invalidUtf8 = c.input != c.text; // raw bytes the libraries saw lossily decoded
            if (c.hasHf)
                c.hfIds = j.at("hf_ids").get<Ids>();
        }
        r.cases.push_back(std::move(c));
    }
    return r;
}

} // namespace

class TestTokenizerReference : public QObject {
    Q_OBJECT

    std::map<std::string, Reference> m_refs;
    std::map<std::string, teft::Tokenizer> m_tokenizers;
    teft::test::ReferenceTokenizers m_available;

    void addRows()
    {
        QTest::addColumn<QString>("name");
        for (const char* n : kNames)
            QTest::newRow(n) << QString(n);
    }

private slots:
    void initTestCase()
    {
        try {
            m_available = teft::test::referenceTokenizers(teft::test::freshDir("tokenizers"));
            const fs::path out = teft::test::freshDir("reference");
            teft::test::writeTokenizerCases(m_available, out, 5000, true);
            for (const auto& [n, dir] : m_available.folders) {
                m_refs[n] = readReference(out / (n + ".jsonl"));
                m_tokenizers.emplace(n, teft::Tokenizer::fromFile(dir));
            }
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        if (!m_available.missing.empty())
            qWarning("%s: the rows of the real tokenizers SKIP", m_available.missing.c_str());
    }

    void referenceIsComplete_data() { addRows(); }
    void referenceIsComplete()
    {
        QFETCH(QString, name);
        if (!m_available.has(name.toStdString()))
            QSKIP(qPrintable(QString::fromStdString(m_available.missing)));
        const Reference& ref = m_refs.at(name.toStdString());
        std::map<std::string, int> kinds;
        for (const auto& c : ref.cases)
            ++kinds[c.kind.substr(0, c.kind.find(':'))];
        QVERIFY2(ref.cases.size() >= 5000, "fewer cases than expected");
        for (const char* k : {"fixed", "added_token", "mixed", "plane", "whitespace", "numbers", "code", "contractions",
                              "special", "normalization", "long", "random_any", "invalid_utf8", "cli_doc", "decode"})
            QVERIFY2(kinds[k] > 0, k);
        QVERIFY(ref.header.contains("transformers"));
        qInfo("%s: %zu cases; transformers %s via %s%s", qPrintable(name), ref.cases.size(),
              ref.header["transformers"].get<std::string>().c_str(), ref.header["hf_loader"].get<std::string>().c_str(),
              ref.header.contains("hf_loader_reason")
                  ? (" (" + ref.header["hf_loader_reason"].get<std::string>() + ")").c_str()
                  : "");
    }

    // Ids identical to tokenizers.Tokenizer.encode, without and with special tokens.
    void encodeMatchesTokenizers_data() { addRows(); }
    void encodeMatchesTokenizers()
    {
        QFETCH(QString, name);
        if (!m_available.has(name.toStdString()))
            QSKIP(qPrintable(QString::fromStdString(m_available.missing)));
        const Reference& ref = m_refs.at(name.toStdString());
        const teft::Tokenizer& tok = m_tokenizers.at(name.toStdString());
        Mismatches plain{"encode(add_special_tokens=false) vs tokenizers"};
        Mismatches special{"encode(add_special_tokens=true) vs tokenizers"};
        std::vector<std::string> inputs;
        std::vector<Ids> want;
        for (const auto& c : ref.cases) {
            if (c.decodeOnly)
                continue;
            plain.check(c, tok.encode(c.input, false), c.ids);
            special.check(c, tok.encode(c.input, true), c.idsSpecial);
            inputs.push_back(c.input);
            want.push_back(c.ids);
        }
        QVERIFY2(plain.count == 0, plain.report().c_str());
        QVERIFY2(special.count == 0, special.report().c_str());
        // The batch path (worker threads, warm caches) gives the same ids.
        QVERIFY(tok.encodeBatch(inputs, 2) == want);
    }

    // Text identical to tokenizers.Tokenizer.decode, without and with skipping special tokens.
    void decodeMatchesTokenizers_data() { addRows(); }
    void decodeMatchesTokenizers()
    {
        QFETCH(QString, name);
        if (!m_available.has(name.toStdString()))
            QSKIP(qPrintable(QString::fromStdString(m_available.missing)));
        const Reference& ref = m_refs.at(name.toStdString());
        const teft::Tokenizer& tok = m_tokenizers.at(name.toStdString());
        Mismatches plain{"decode(skip_special_tokens=false) vs tokenizers"};
        Mismatches skip{"decode(skip_special_tokens=true) vs tokenizers"};
        for (const auto& c : ref.cases) {
            plain.check(c, tok.decode(c.ids, false), c.decoded);
            skip.check(c, tok.decode(c.decodeOnly ? c.ids : c.idsSpecial, true), c.decodedSkip);
        }
        QVERIFY2(plain.count == 0, plain.report().c_str());
        QVERIFY2(skip.count == 0, skip.report().c_str());
    }

    // What transformers gives with add_special_tokens=True (bos/eos as transformers applies them),
    // and its decode.
    void matchesTransformers_data() { addRows(); }
    void matchesTransformers()
    {
        QFETCH(QString, name);
        if (!m_available.has(name.toStdString()))
            QSKIP(qPrintable(QString::fromStdString(m_available.missing)));
        const Reference& ref = m_refs.at(name.toStdString());
        const teft::Tokenizer& tok = m_tokenizers.at(name.toStdString());
        Mismatches ids{"encode(add_special_tokens=true) vs transformers " + ref.header.value("hf_loader", "")};
        Mismatches text{"decode vs transformers " + ref.header.value("hf_loader", "")};
        for (const auto& c : ref.cases) {
            QVERIFY(c.hasHf);
            if (!c.decodeOnly)
                ids.check(c, tok.encode(c.input, true), c.hfIds);
            text.check(c, tok.decode(c.decodeOnly ? c.ids : c.hfIds, false), c.hfDecoded);
        }
        QVERIFY2(ids.count == 0, ids.report().c_str());
        QVERIFY2(text.count == 0, text.report().c_str());
    }

    // Special tokens as transformers 5 adds them for these folders: none (the post-processors are
    // ByteLevel; add_bos_token of DeepSeek-V3's tokenizer_config.json is not applied when a
    // tokenizer.json exists). The bos/eos ids still come from tokenizer_config.json.
    void specialTokenSemantics()
    {
        // The trained tokenizers in the same layouts: the same rules, their own ids.
        const auto& qwenStyle = m_tokenizers.at("qwen3_style");
        const auto& dsStyle = m_tokenizers.at("deepseek_v3_style");
        QCOMPARE(qwenStyle.encode("Hello", true), qwenStyle.encode("Hello", false));
        QCOMPARE(dsStyle.encode("Hello", true), dsStyle.encode("Hello", false));
        QVERIFY(!qwenStyle.bosId());
        QCOMPARE(dsStyle.bosId(), std::optional<int32_t>(0));
        QCOMPARE(dsStyle.eosId(), std::optional<int32_t>(1));
        QCOMPARE(qwenStyle.eosId(), qwenStyle.tokenToId("<|im_end|>"));
        if (!m_available.has("qwen3") || !m_available.has("deepseek_v3"))
            QSKIP(qPrintable(QString::fromStdString(m_available.missing)));

        const auto& qwen = m_tokenizers.at("qwen3");
        const auto& ds = m_tokenizers.at("deepseek_v3");
        QCOMPARE(qwen.encode("Hello", true), qwen.encode("Hello", false));
        QCOMPARE(ds.encode("Hello", true), ds.encode("Hello", false));
        QVERIFY(!qwen.bosId());
        QCOMPARE(ds.bosId(), std::optional<int32_t>(0));
        QCOMPARE(ds.eosId(), std::optional<int32_t>(1));
        QCOMPARE(ds.idToToken(0), std::string("<\xEF\xBD\x9C"
                                              "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>"));
        QCOMPARE(ds.encode("<\xEF\xBD\x9C"
                           "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>Hi"),
                 (Ids{0, 23166}));
    }

    // Invalid UTF-8: every maximal invalid subpart is encoded as U+FFFD, i.e. like the lossily
    // decoded string, whose ids the reference holds.
    void invalidUtf8_data() { addRows(); }
    void invalidUtf8()
    {
        QFETCH(QString, name);
        if (!m_available.has(name.toStdString()))
            QSKIP(qPrintable(QString::fromStdString(m_available.missing)));
        const Reference& ref = m_refs.at(name.toStdString());
        const teft::Tokenizer& tok = m_tokenizers.at(name.toStdString());
        int n = 0;
        Mismatches lossy{"encode(invalid bytes) vs encode(lossy string)"};
        for (const auto& c : ref.cases) {
            if (!c.invalidUtf8)
                continue;
            ++n;
            lossy.check(c, tok.encode(c.input), tok.encode(c.text));
        }
        QVERIFY(n >= 100);
        QVERIFY2(lossy.count == 0, lossy.report().c_str());
        // The rule, by hand: ED A0 80 (a surrogate) is three subparts, E4 BD (truncated) one,
        // F4 90 80 80 (above U+10FFFF) four, C0 80 (overlong) two.
        const std::string fffd = "\xEF\xBF\xBD";
        QCOMPARE(tok.encode("a\xED\xA0\x80"
                            "b"),
                 tok.encode("a" + fffd + fffd + fffd + "b"));
        QCOMPARE(tok.encode("a\xE4\xBD"
                            "b"),
                 tok.encode("a" + fffd + "b"));
        QCOMPARE(tok.encode("\xF4\x90\x80\x80"), tok.encode(fffd + fffd + fffd + fffd));
        QCOMPARE(tok.encode("\xC0\x80"), tok.encode(fffd + fffd));
    }
};

QTEST_GUILESS_MAIN(TestTokenizerReference)
#include "test_tokenizer_reference.moc"
