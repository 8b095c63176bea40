#include "core/text/Tokenizer.h"
#include "core/io/StrictJson.h"

// Hugging Face semantics, down to the Unicode data of tokenizers 0.23: regex classes (\p{..}, \s)
// of Unicode 16.0 as Oniguruma has them (Regex.cpp), normalization with Unicode 9.0 data as the
// unicode-normalization-alignments crate has it (Unicode.cpp). With add_special_tokens only the
// tokenizer.json post-processor adds tokens, as transformers 5 does when a tokenizer.json exists
// (add_bos_token / add_eos_token of tokenizer_config.json are then ignored there too).
// tests/core/test_tokenizer_reference.cpp holds the engine to tokenizers and transformers.

#include "core/text/AddedVocabulary.h"
#include "core/text/BatchWorkers.h"
#include "core/text/BpeModel.h"
#include "core/text/Decoder.h"
#include "core/text/JsonFields.h"
#include "core/text/Normalizer.h"
#include "core/text/PostProcessor.h"
#include "core/text/PreTokenizer.h"
#include "core/text/Unicode.h"
#include "core/text/WordCache.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sstream>
#include <thread>

namespace teft {

using text::PreToken;
using text::TextSegment;

struct TokenizerImpl {
    std::unique_ptr<text::Normalizer> normalizer;
    std::unique_ptr<text::PreTokenizer> preTokenizer;
    std::unique_ptr<text::BpeModel> model;
    std::unique_ptr<text::Decoder> decoder;
    std::unique_ptr<text::PostProcessor> postProcessor;
    text::AddedVocabulary added;
    std::optional<int32_t> bos, eos, pad;
    std::string chatTemplate;
    std::string fingerprint;
    int32_t vocabSize = 0;
    uint64_t uid = 0; // tells the per-thread word caches of different tokenizers apart

    void encodeInto(std::string_view text, std::vector<int32_t>& out) const;
    void encodeSegment(std::string normalized, bool atStart, text::WordCache& cache, std::vector<int32_t>& out) const;
    void encodeWord(const std::string& word, text::WordCache& cache, std::vector<int32_t>& out) const;
};

namespace {

std::atomic<uint64_t> g_nextUid{1};

// Pre-tokens longer than this are rare and not worth caching.
constexpr std::size_t kMaxCachedWordBytes = 256;

// Each thread keeps the caches of the few tokenizers it used last, so that alternating between
// two tokenizers does not throw a cache away on every call.
text::WordCache& threadWordCache(uint64_t owner)
{
    struct Entry {
        uint64_t owner = 0;
        uint64_t lastUse = 0;
        std::unique_ptr<text::WordCache> cache;
    };
    thread_local std::array<Entry, 4> caches;
    thread_local uint64_t clock = 0;
    ++clock;
    Entry* victim = &caches[0];
    for (Entry& e : caches) {
        if (e.owner == owner) {
            e.lastUse = clock;
            return *e.cache;
        }
        if (e.lastUse < victim->lastUse)
            victim = &e;
    }
    if (!victim->cache)
        victim->cache = std::make_unique<text::WordCache>();
    else
        victim->cache->clear();
    victim->owner = owner;
    victim->lastUse = clock;
    return *victim->cache;
}

// A special token named in tokenizer_config.json: a string, or {"content": ...}.
std::optional<std::string> configToken(const nlohmann::json& config, const char* key)
{
    auto it = config.find(key);
    if (it == config.end() || it->is_null())
        return std::nullopt;
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
        return (*it)["content"].get<std::string>();
    throw FormatError("tokenizer_config.json: '" + std::string(key) + "' must be a string or {\"content\": ...}");
}

std::optional<int32_t> lookup(const TokenizerImpl& impl, std::string_view token)
{
    if (const auto* t = impl.added.byContent(token))
        return t->id;
    return impl.model->tokenToId(token);
}

std::optional<int32_t> firstPresent(const TokenizerImpl& impl, std::initializer_list<const char*> names)
{
    for (const char* n : names)
        if (auto id = lookup(impl, n))
            return id;
    return std::nullopt;
}

} // namespace

void TokenizerImpl::encodeWord(const std::string& word, text::WordCache& cache, std::vector<int32_t>& out) const
{
    if (word.size() > kMaxCachedWordBytes) {
        model->encodeWord(word, out);
        return;
    }
    const uint64_t h = text::WordCache::hash(word);
    if (cache.find(word, h, out))
        return;
    const std::size_t mark = out.size();
    model->encodeWord(word, out);
    cache.insert(word, h, out.data() + mark, out.size() - mark);
}

void TokenizerImpl::encodeSegment(std::string normalized, bool atStart, text::WordCache& cache,
                                  std::vector<int32_t>& out) const
{
    if (normalized.empty())
        return;
    thread_local std::vector<PreToken> pieces;
    pieces.clear();
    pieces.push_back({std::move(normalized), atStart});
    if (preTokenizer)
        preTokenizer->split(pieces);
    for (const auto& p : pieces)
        encodeWord(p.text, cache, out);
}

void TokenizerImpl::encodeInto(std::string_view input, std::vector<int32_t>& out) const
{
    std::string repaired;
    if (!text::isValidUtf8(input)) {
        repaired = text::repairUtf8(input);
        input = repaired;
    }
    text::WordCache& cache = threadWordCache(uid);
    std::vector<TextSegment> raw;
    added.split(input, false, raw);
    std::vector<TextSegment> inner;
    for (const auto& seg : raw) {
        if (seg.id >= 0) {
            out.push_back(seg.id);
            continue;
        }
        std::string s(input.substr(seg.begin, seg.end - seg.begin));
        if (normalizer)
            normalizer->normalize(s);
        const bool atStart = seg.begin == 0;
        if (!added.hasNormalizedTokens()) {
            encodeSegment(std::move(s), atStart, cache, out);
            continue;
        }
        inner.clear();
        added.split(s, true, inner);
        for (const auto& in : inner) {
            if (in.id >= 0)
                out.push_back(in.id);
            else
                encodeSegment(s.substr(in.begin, in.end - in.begin), atStart && in.begin == 0, cache, out);
        }
    }
}

namespace {

std::shared_ptr<TokenizerImpl> buildTokenizer(const std::string& tokenizerJson, const std::string& tokenizerConfigJson,
                                              const std::string& fallbackChatTemplate)
{
    // Hugging Face's files, read as its (Rust serde / Python json) readers do: a repeated key keeps
    // the last value.
    const nlohmann::json j = parseJsonStrict(tokenizerJson, "tokenizer.json", DuplicateKeys::LastWins);
    if (!j.is_object())
        throw FormatError("tokenizer.json must hold a JSON object");
    nlohmann::json config = nlohmann::json::object();
    if (!tokenizerConfigJson.empty()) {
        config = parseJsonStrict(tokenizerConfigJson, "tokenizer_config.json", DuplicateKeys::LastWins);
        if (!config.is_object())
            throw FormatError("tokenizer_config.json must hold a JSON object");
    }

    auto impl = std::make_shared<TokenizerImpl>();
    auto field = [&](const char* key) -> const nlohmann::json& {
        static const nlohmann::json null;
        auto it = j.find(key);
        return it == j.end() ? null : *it;
    };
    if (!j.contains("model"))
        throw FormatError("tokenizer.json: missing 'model'");
    impl->normalizer = text::Normalizer::fromJson(field("normalizer"));
    impl->preTokenizer = text::PreTokenizer::fromJson(field("pre_tokenizer"));
    impl->model = std::make_unique<text::BpeModel>(j["model"]);
    impl->decoder = text::Decoder::fromJson(field("decoder"));
    impl->postProcessor = text::PostProcessor::fromJson(field("post_processor"));
    impl->added = text::AddedVocabulary(field("added_tokens"), impl->normalizer.get());
    impl->uid = g_nextUid.fetch_add(1);

    // Dense ids, as the model's vocabulary (BpeModel): an added token far beyond it would make
    // vocabSize() (and every table sized by it) huge, and INT32_MAX + 1 overflows.
    const std::int64_t modelLimit = impl->model->idLimit();
    const std::int64_t denseLimit = 2 * (modelLimit + static_cast<std::int64_t>(impl->added.tokens().size())) + 65536;
    std::int64_t limit = modelLimit;
    for (const auto& t : impl->added.tokens()) {
        if (t.id >= denseLimit)
            throw FormatError("tokenizer.json: added token '" + t.content + "' has id " + std::to_string(t.id) +
                              ", far beyond the vocabulary's " + std::to_string(modelLimit) +
                              " ids (ids must be dense, as 0..N-1)");
        limit = std::max<std::int64_t>(limit, std::int64_t{t.id} + 1);
    }
    impl->vocabSize = static_cast<int32_t>(limit);
    // The post-processor's special tokens must be tokens: encode() would hand out ids no
    // embedding row has.
    if (impl->postProcessor) {
        std::vector<int32_t> specials;
        impl->postProcessor->process(specials, true);
        for (int32_t id : specials)
            if (id < 0 || id >= impl->vocabSize)
                throw FormatError("tokenizer.json: post_processor adds the token id " + std::to_string(id) +
                                  ", which is not in the vocabulary (ids 0.." + std::to_string(impl->vocabSize - 1) +
                                  ")");
    }

    if (!tokenizerConfigJson.empty()) {
        auto resolve = [&](const char* key) -> std::optional<int32_t> {
            const auto name = configToken(config, key);
            if (!name)
                return std::nullopt;
            auto id = lookup(*impl, *name);
            if (!id)
                spdlog::warn("tokenizer_config.json: {} '{}' is not in the vocabulary", key, *name);
            return id;
        };
        impl->bos = resolve("bos_token");
        impl->eos = resolve("eos_token");
        impl->pad = resolve("pad_token");
        if (auto it = config.find("chat_template"); it != config.end()) {
            if (it->is_string()) {
                impl->chatTemplate = it->get<std::string>();
            } else if (it->is_array()) { // [{name, template}]: the one named "default", else the first
                for (const auto& t : *it)
                    if (t.is_object() && t.contains("name") && t["name"] == "default" && t.contains("template") &&
                        t["template"].is_string())
                        impl->chatTemplate = t["template"].get<std::string>();
                if (impl->chatTemplate.empty() && !it->empty() && (*it)[0].contains("template") &&
                    (*it)[0]["template"].is_string())
                    impl->chatTemplate = (*it)[0]["template"].get<std::string>();
            }
        }
    } else {
        // No config: the usual names of the special tokens.
        impl->bos = firstPresent(*impl, {"<s>", "<|begin_of_text|>", "<bos>", "<|startoftext|>"});
        impl->eos = firstPresent(*impl, {"</s>", "<|endoftext|>", "<|end_of_text|>", "<eos>"});
        impl->pad = firstPresent(*impl, {"<pad>", "<|pad|>"});
    }

    Sha256 h;
    h.update(tokenizerJson);
    if (!tokenizerConfigJson.empty())
        h.update(tokenizerConfigJson);
    impl->fingerprint = h.hex();
    if (impl->chatTemplate.empty())
        impl->chatTemplate = fallbackChatTemplate;
    return impl;
}

} // namespace

Tokenizer Tokenizer::fromJson(const std::string& tokenizerJson, const std::string& tokenizerConfigJson)
{
    return Tokenizer(buildTokenizer(tokenizerJson, tokenizerConfigJson, {}));
}

Tokenizer Tokenizer::fromFile(const std::filesystem::path& pathOrDir)
{
    namespace fs = std::filesystem;
    fs::path json = pathOrDir;
    std::error_code ec;
    if (fs::is_directory(pathOrDir, ec))
        json = pathOrDir / "tokenizer.json";
    if (!fs::is_regular_file(json, ec))
        throw Error("no tokenizer.json at " + json.string());
    const fs::path configPath = json.parent_path() / "tokenizer_config.json";
    std::string config;
    if (fs::is_regular_file(configPath, ec))
        config = readFile(configPath);
    std::string jinja; // newer model folders keep the template in its own file
    if (fs::is_regular_file(json.parent_path() / "chat_template.jinja", ec))
        jinja = readFile(json.parent_path() / "chat_template.jinja");
    try {
        return Tokenizer(buildTokenizer(readFile(json), config, jinja));
    } catch (const FormatError& e) {
        throw FormatError(json.string() + ": " + e.what());
    }
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool addSpecialTokens) const
{
    std::vector<int32_t> ids;
    ids.reserve(text.size() / 2 + 4);
    m_impl->encodeInto(text, ids);
    if (m_impl->postProcessor)
        m_impl->postProcessor->process(ids, addSpecialTokens);
    return ids;
}

std::vector<std::vector<int32_t>> Tokenizer::encodeBatch(const std::vector<std::string>& texts, int threads,
                                                         bool addSpecialTokens) const
{
    std::vector<std::vector<int32_t>> out(texts.size());
    int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    n = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(n), texts.size()));
    if (n <= 1) {
        for (std::size_t i = 0; i < texts.size(); ++i)
            out[i] = encode(texts[i], addSpecialTokens);
        return out;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failureMutex;
    auto work = [&] {
        try {
            for (std::size_t i; (i = next.fetch_add(1)) < texts.size();)
                out[i] = encode(texts[i], addSpecialTokens);
        } catch (...) {
            std::lock_guard<std::mutex> lock(failureMutex);
            if (!failure)
                failure = std::current_exception();
            next = texts.size();
        }
    };
    text::runOnWorkers(n, work);
    if (failure)
        std::rethrow_exception(failure);
    return out;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skipSpecialTokens) const
{
    std::vector<std::string> pieces;
    pieces.reserve(ids.size());
    for (int32_t id : ids) {
        if (const auto* t = m_impl->added.byId(id)) {
            if (!(skipSpecialTokens && t->special))
                pieces.push_back(t->content);
        } else if (const std::string* tok = m_impl->model->idToToken(id)) {
            pieces.push_back(*tok);
        }
        // Ids outside the vocabulary (e.g. embedding padding rows) are skipped, as HF does.
    }
    if (!m_impl->decoder) {
        std::string joined;
        for (std::size_t i = 0; i < pieces.size(); ++i)
            joined += (i ? " " : "") + pieces[i];
        return joined;
    }
    m_impl->decoder->decodeChain(pieces);
    std::string out;
    for (const auto& p : pieces)
        out += p;
    return out;
}

int32_t Tokenizer::vocabSize() const { return m_impl->vocabSize; }

std::optional<int32_t> Tokenizer::tokenToId(std::string_view token) const { return lookup(*m_impl, token); }

std::string Tokenizer::idToToken(int32_t id) const
{
    if (const auto* t = m_impl->added.byId(id))
        return t->content;
    if (const std::string* tok = m_impl->model->idToToken(id))
        return *tok;
    return {};
}

std::vector<std::string> Tokenizer::tokens(const std::vector<int32_t>& ids) const
{
    std::vector<std::string> out;
    out.reserve(ids.size());
    for (int32_t id : ids)
        out.push_back(idToToken(id));
    return out;
}

std::optional<int32_t> Tokenizer::bosId() const { return m_impl->bos; }
std::optional<int32_t> Tokenizer::eosId() const { return m_impl->eos; }
std::optional<int32_t> Tokenizer::padId() const { return m_impl->pad; }
std::string Tokenizer::chatTemplate() const { return m_impl->chatTemplate; }
std::string Tokenizer::fingerprint() const { return m_impl->fingerprint; }

} // namespace teft
