// `teft tokenize`: encode text with a model's tokenizer.json, or decode ids back to text.
#include "app/cli/Cli.h"

#include "core/text/Tokenizer.h"

#include <fstream>
#include <iostream>
#include <sstream>

namespace teft::cli {
namespace {

std::string readInput(const Invocation& inv)
{
    if (inv.has("text") == inv.has("file"))
        throw UsageError("give exactly one of --text and --file");
    if (inv.has("text"))
        return inv.get("text");
    const std::string path = inv.get("file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open --file " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Ids as a JSON array or separated by whitespace / commas.
std::vector<int32_t> parseIds(const std::string& s)
{
    std::vector<int32_t> ids;
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && s[first] == '[') {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(s);
        } catch (const nlohmann::json::exception& e) {
            throw UsageError(std::string("ids are not a valid JSON array: ") + e.what());
        }
        for (const auto& v : j) {
            if (!v.is_number_integer())
                throw UsageError("ids must be integers, got " + v.dump());
            ids.push_back(v.get<int32_t>());
        }
        return ids;
    }
    std::string cleaned = s;
    for (char& c : cleaned)
        if (c == ',')
            c = ' ';
    std::istringstream ss(cleaned);
    for (std::string w; ss >> w;) {
        std::size_t used = 0;
        long long v = 0;
        try {
            v = std::stoll(w, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != w.size() || v < INT32_MIN || v > INT32_MAX)
            throw UsageError("'" + w + "' is not a token id");
        ids.push_back(static_cast<int32_t>(v));
    }
    return ids;
}

int runTokenize(Invocation& inv)
{
    const Tokenizer tok = Tokenizer::fromFile(inv.require("tokenizer"));
    const std::string input = readInput(inv);
    if (inv.flag("decode")) {
        const std::string text = tok.decode(parseIds(input), inv.flag("skip-special"));
        if (inv.json())
            inv.printJson({{"text", text}});
        else
            inv.printText(text + "\n");
        return 0;
    }
    const std::vector<int32_t> ids = tok.encode(input, inv.flag("add-special"));
    if (inv.json()) {
        inv.printJson({{"ids", ids}, {"tokens", tok.tokens(ids)}});
        return 0;
    }
    std::string line;
    for (std::size_t i = 0; i < ids.size(); ++i)
        line += (i ? " " : "") + std::to_string(ids[i]);
    inv.printText(line + "\n");
    return 0;
}

} // namespace

TEFT_COMMAND({"tokenize",
              "Encode text to token ids (or decode ids) with a model's tokenizer",
              "Encodes --text or the contents of --file with the tokenizer.json of a model folder and prints "
              "the ids (with --json: {\"ids\": [...], \"tokens\": [...]}). With --decode the input holds ids "
              "(a JSON array or separated by whitespace) and the decoded text is printed.",
              {},
              {{"tokenizer", "DIR", "Model folder holding tokenizer.json (or the file itself)", "", true},
               {"text", "S", "Text to encode (or ids to decode)"},
               {"file", "F", "File whose contents to encode (or ids to decode)"},
               {"decode", "", "Decode ids to text instead of encoding"},
               {"add-special", "", "Add the post-processor's special tokens (e.g. BOS) when encoding"},
               {"skip-special", "", "Leave special tokens out when decoding"}},
              runTokenize});

} // namespace teft::cli
