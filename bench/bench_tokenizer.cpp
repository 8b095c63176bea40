// Tokenizer encode throughput (MB/s of UTF-8 input) on a few MB of mixed text — prose, code,
// numbers, JSON, CJK, Cyrillic, emoji — with the real Qwen3 tokenizer: one thread with a cold and
// a warm word cache, then encodeBatch on all hardware threads.
//
//   scripts/fetch-test-data.sh && build/bench/bench_tokenizer [TOKENIZER_DIR] [MEGABYTES]
#include "core/text/Tokenizer.h"
#include "core/text/Unicode.h"

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <random>
#include <thread>

namespace {

std::string pick(std::mt19937_64& rng, const std::vector<std::string>& v) { return v[rng() % v.size()]; }

std::string syllableWord(std::mt19937_64& rng)
{
    static const char* syllables[] = {"ka",  "lo", "ter", "mi",  "sun", "dra",  "vel", "qui", "on", "est",
                                      "ran", "bo", "ph",  "str", "ing", "ment", "ex",  "ul",  "ze", "nor"};
    std::string w;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i)
        w += syllables[rng() % 20];
    return w;
}

// A word from a made-up lexicon of 50,000 words with Zipf-distributed frequencies (as in real
// text: a few words are very common, most are rare).
std::string randomWord(std::mt19937_64& rng)
{
    static const std::vector<std::string> lexicon = [] {
        std::mt19937_64 r(7);
        std::vector<std::string> words;
        for (int i = 0; i < 50000; ++i)
            words.push_back(syllableWord(r));
        return words;
    }();
    static const std::vector<double> cumulative = [] {
        std::vector<double> c;
        double sum = 0;
        for (int i = 0; i < 50000; ++i)
            c.push_back(sum += 1.0 / (i + 1));
        return c;
    }();
    const double u = std::uniform_real_distribution<double>(0, cumulative.back())(rng);
    const auto it = std::lower_bound(cumulative.begin(), cumulative.end(), u);
    return lexicon[static_cast<std::size_t>(it - cumulative.begin())];
}

// One document of a few KB in one of several styles.
std::string document(std::mt19937_64& rng)
{
    static const std::vector<std::string> common = {"the",   "of",      "and",     "to",       "in",       "is",
                                                    "that",  "for",     "it",      "as",       "was",      "with",
                                                    "be",    "by",      "on",      "not",      "he",       "this",
                                                    "are",   "or",      "his",     "from",     "at",       "which",
                                                    "but",   "have",    "an",      "had",      "they",     "you",
                                                    "model", "expert",  "routing", "training", "gradient", "token",
                                                    "layer", "weights", "data",    "loss"};
    static const std::vector<std::string> code = {"for (int i = 0; i < n; ++i) {\n",
                                                  "    total += values[i] * 2;\n",
                                                  "}\n",
                                                  "def run(self, x):\n",
                                                  "        return torch.relu(x) + 1\n",
                                                  "#include <vector>\n",
                                                  "if (err != nullptr) return -1;\n",
                                                  "    // TODO: handle the empty case\n",
                                                  "const auto it = map.find(key);\n",
                                                  "\treturn {a, b};\n"};
    std::string s;
    const int style = static_cast<int>(rng() % 6);
    while (s.size() < 2000 + rng() % 4000) {
        switch (style) {
        case 0: // English-like prose
        case 1:
            s += (rng() % 5 == 0 ? randomWord(rng) : pick(rng, common));
            s += rng() % 12 == 0 ? ". " : rng() % 25 == 0 ? ",\n" : " ";
            break;
        case 2: // code
            s += pick(rng, code);
            break;
        case 3: // numbers and JSON records
            s += "{\"id\": " + std::to_string(rng() % 1000000) + ", \"value\": " + std::to_string(rng() % 1000) + "." +
                 std::to_string(rng() % 100) + ", \"name\": \"" + randomWord(rng) + "\"}\n";
            break;
        case 4: // CJK with punctuation
            for (int i = 0; i < 20; ++i)
                teft::text::appendUtf8(s, 0x4E00 + static_cast<char32_t>(rng() % 3000));
            s += "，";
            break;
        default: // Cyrillic words (the lexicon transliterated), accents and emoji
            for (char ch : randomWord(rng))
                teft::text::appendUtf8(s, 0x430 + static_cast<char32_t>(ch - 'a'));
            s += rng() % 3 == 0 ? " café " : " ";
            if (rng() % 8 == 0)
                teft::text::appendUtf8(s, 0x1F600 + static_cast<char32_t>(rng() % 64));
            break;
        }
    }
    return s;
}

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// CPU time of this thread: steadier than wall time on a shared machine.
double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

} // namespace

int main(int argc, char** argv)
{
    std::string dir = argc > 1 ? argv[1] : "";
    if (dir.empty()) {
        const char* env = std::getenv("TEFT_TESTDATA_DIR");
        dir = std::string(env ? env : "build/testdata") + "/qwen3";
    }
    const double megabytes = argc > 2 ? std::atof(argv[2]) : 4.0;
    try {
        std::mt19937_64 rng(42);
        std::vector<std::string> docs;
        std::size_t bytes = 0;
        while (bytes < megabytes * 1e6) {
            docs.push_back(document(rng));
            bytes += docs.back().size();
        }
        const double mb = static_cast<double>(bytes) / 1e6;
        std::printf("corpus: %zu documents, %.2f MB\n", docs.size(), mb);

        auto t0 = std::chrono::steady_clock::now();
        const teft::Tokenizer tok = teft::Tokenizer::fromFile(dir);
        std::printf("load %s: %.2f s\n", dir.c_str(), seconds(t0));

        std::size_t tokens = 0;
        t0 = std::chrono::steady_clock::now();
        double c0 = threadCpuSeconds();
        for (const auto& d : docs)
            tokens += tok.encode(d).size();
        const double cold = seconds(t0), coldCpu = threadCpuSeconds() - c0;
        t0 = std::chrono::steady_clock::now();
        c0 = threadCpuSeconds();
        for (const auto& d : docs)
            tok.encode(d);
        const double warm = seconds(t0), warmCpu = threadCpuSeconds() - c0;
        std::printf("1 thread, cold cache: %.1f MB/s wall, %.1f MB/s of CPU time (%zu tokens, %.2f bytes/token)\n",
                    mb / cold, mb / coldCpu, tokens, static_cast<double>(bytes) / static_cast<double>(tokens));
        std::printf("1 thread, warm cache: %.1f MB/s wall, %.1f MB/s of CPU time\n", mb / warm, mb / warmCpu);

        const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        t0 = std::chrono::steady_clock::now();
        const auto batch = tok.encodeBatch(docs, threads);
        const double all = seconds(t0);
        t0 = std::chrono::steady_clock::now();
        tok.encodeBatch(docs, threads);
        const double allWarm = seconds(t0);
        std::printf("%d threads (encodeBatch): %.1f MB/s first call, %.1f MB/s second call (warm caches)\n", threads,
                    mb / all, mb / allWarm);
        bool same = batch.size() == docs.size();
        for (std::size_t i = 0; same && i < docs.size(); i += 97)
            same = batch[i] == tok.encode(docs[i]);
        if (!same) {
            std::fprintf(stderr, "bench_tokenizer: encodeBatch and encode disagree\n");
            return 1;
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_tokenizer: %s\n", e.what());
        return 1;
    }
}
