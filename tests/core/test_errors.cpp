// Typed engine errors: every teft::Error carries a kind, errorKindOf() classifies the exceptions
// torch and the standard library throw (real throws, not hand-made lookalikes where the system
// can produce the real one), the engine throws the typed errors where it detects the condition,
// and the one JSON reader reports broken files in its documented format.
#include "core/io/StrictJson.h"
#include "core/train/TrainCheckpoint.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/ErrorKind.h"
#include "core/util/Log.h"
#include "core/util/Runtime.h"
#include "core/util/StaleTemporaries.h"
#include "support/FileSizeLimit.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <sys/resource.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

using namespace teft;
namespace fs = std::filesystem;

namespace {

// Runs f and returns the kind of what it throws; fails the test when nothing is thrown.
template <typename F>
ErrorKind kindOfThrow(F&& f)
{
    try {
        f();
    } catch (const std::exception& e) {
        return errorKindOf(e);
    }
    QTest::qFail("nothing was thrown", __FILE__, __LINE__);
    return ErrorKind::General;
}

// Runs f and returns the FormatError's message; "<no FormatError thrown>" otherwise.
template <typename F>
std::string formatErrorOf(F&& f)
{
    try {
        f();
    } catch (const FormatError& e) {
        return e.what();
    }
    return "<no FormatError thrown>";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

using teft::test::FileSizeLimit;

} // namespace

class TestErrors : public QObject {
    Q_OBJECT

private slots:
    void everySubclassCarriesItsKind()
    {
        QCOMPARE(Error("x").kind(), ErrorKind::General);
        QCOMPARE(FormatError("x").kind(), ErrorKind::BadInput);
        QCOMPARE(UsageError("x").kind(), ErrorKind::Usage);
        QCOMPARE(OutOfMemoryError("x").kind(), ErrorKind::OutOfMemory);
        QCOMPARE(NonFiniteError("x").kind(), ErrorKind::NonFinite);
        QCOMPARE(DeviceError("x").kind(), ErrorKind::DeviceUnavailable);
        QCOMPARE(NetworkError("x").kind(), ErrorKind::Network);
        QCOMPARE(StorageError("x").kind(), ErrorKind::Storage);
        QCOMPARE(Cancelled().kind(), ErrorKind::Cancelled);
        QCOMPARE(std::string(Cancelled().what()), std::string("cancelled"));

        // The kind survives catching by the base class, and the message is untouched.
        try {
            throw StorageError("Cannot write /x: No space left on device");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::Storage);
            QCOMPARE(std::string(e.what()), std::string("Cannot write /x: No space left on device"));
        }
        // Kinds are told apart by type, never by text: an Error whose message mentions NaN,
        // memory or CUDA is still General.
        QCOMPARE(errorKindOf(Error("no information about the CUDA device memory, NaN")), ErrorKind::General);
    }

    void kindNamesAreDistinct()
    {
        const ErrorKind all[] = {ErrorKind::General,     ErrorKind::BadInput,  ErrorKind::Usage,
                                 ErrorKind::OutOfMemory, ErrorKind::NonFinite, ErrorKind::DeviceUnavailable,
                                 ErrorKind::Network,     ErrorKind::Storage,   ErrorKind::Cancelled};
        std::set<std::string> names;
        for (ErrorKind k : all)
            names.insert(errorKindName(k));
        QCOMPARE(names.size(), std::size(all));
        QCOMPARE(std::string(errorKindName(ErrorKind::OutOfMemory)), std::string("out-of-memory"));
        QCOMPARE(std::string(errorKindName(ErrorKind::DeviceUnavailable)), std::string("device-unavailable"));
    }

    void torchOutOfMemoryIsOutOfMemory()
    {
        // What LibTorch's allocators throw (TORCH_CHECK_WITH(OutOfMemoryError, ...)).
        QCOMPARE(kindOfThrow(
                     [] { TORCH_CHECK_WITH(OutOfMemoryError, false, "CUDA out of memory. Tried to allocate"); }),
                 ErrorKind::OutOfMemory);
        // A plain TORCH_CHECK is not, whatever it says.
        QCOMPARE(kindOfThrow([] { TORCH_CHECK(false, "out of memory"); }), ErrorKind::General);
        // A real CPU allocation far beyond any machine (1 PiB): LibTorch's CPU allocator throws a
        // plain c10::Error for it, recognised by its fixed text.
#ifndef __SANITIZE_ADDRESS__ // ASan's allocator answers such a request itself (null or abort), not LibTorch's
        QCOMPARE(kindOfThrow([] { (void)torch::empty({std::int64_t(1) << 50}, torch::kUInt8); }),
                 ErrorKind::OutOfMemory);
#endif
    }

    void badAllocIsOutOfMemory()
    {
        QCOMPARE(kindOfThrow([] { throw std::bad_alloc(); }), ErrorKind::OutOfMemory);
#ifdef __SANITIZE_ADDRESS__
        QSKIP("AddressSanitizer aborts on an allocation beyond the address space instead of throwing bad_alloc");
#endif
        // A real one from the library (more than the address space; an out-of-line call, which the
        // compiler cannot elide as it may a plain new-expression).
        QCOMPARE(kindOfThrow([] {
                     std::string s;
                     s.reserve(s.max_size() - 1);
                 }),
                 ErrorKind::OutOfMemory);
    }

    void torchNonFiniteAndNetworkErrors()
    {
        QCOMPARE(kindOfThrow([] { TORCH_CHECK_WITH(EnforceFiniteError, false, "loss is NaN"); }), ErrorKind::NonFinite);
        QCOMPARE(kindOfThrow([] { TORCH_CHECK_WITH(DistNetworkError, false, "connection reset"); }),
                 ErrorKind::Network);
    }

    void diskRefusalsAreStorage()
    {
        // The errno values of a refusing disk, and some that mean a wrong path instead.
        for (int e : {ENOSPC, EROFS, EACCES, EPERM, EIO, EFBIG})
            QVERIFY2(isStorageErrno(e), std::to_string(e).c_str());
        for (int e : {ENOENT, ENOTDIR, EEXIST, EINVAL, 0})
            QVERIFY2(!isStorageErrno(e), std::to_string(e).c_str());
#ifdef EDQUOT
        QVERIFY(isStorageErrno(EDQUOT));
#endif

        // An ENOSPC filesystem_error as std::filesystem reports a full disk.
        QCOMPARE(kindOfThrow([] {
                     throw fs::filesystem_error("cannot copy file", fs::path("/data/a"), fs::path("/data/b"),
                                                std::make_error_code(std::errc::no_space_on_device));
                 }),
                 ErrorKind::Storage);
        // A missing file is not a disk problem.
        QCOMPARE(kindOfThrow([] { (void)fs::file_size("/nonexistent/teft/file"); }), ErrorKind::General);

        // A real ENOSPC: /dev/full refuses every write that way.
        const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            const ssize_t n = ::write(fd, "x", 1);
            const int err = errno;
            ::close(fd);
            QCOMPARE(n, ssize_t(-1));
            QCOMPARE(err, ENOSPC);
            QCOMPARE(kindOfThrow([err] { throw std::system_error(err, std::generic_category(), "write /dev/full"); }),
                     ErrorKind::Storage);
        }

        // A real filesystem_error from the OS: growing a file past the process's size limit.
        const fs::path dir = test::freshDir("storage");
        const fs::path file = dir / "grown.bin";
        std::ofstream(file) << "x";
        {
            FileSizeLimit limit(4096);
            QVERIFY(limit.ok());
            QCOMPARE(kindOfThrow([&] { fs::resize_file(file, 1 << 20); }), ErrorKind::Storage);
        }
    }

    void atomicFileWriteFailureIsStorageError()
    {
        const fs::path dir = test::freshDir("atomic");
        const std::string big(64 * 1024, 'x');
        {
            FileSizeLimit limit(4096);
            QVERIFY(limit.ok());
            try {
                writeFileAtomically(dir / "big.bin", big);
                QFAIL("a write past the file-size limit succeeded");
            } catch (const StorageError& e) {
                QVERIFY2(contains(e.what(), "Cannot write " + (dir / "big.bin").string()), e.what());
                QCOMPARE(e.kind(), ErrorKind::Storage);
            }
        }
        QVERIFY(!fs::exists(dir / "big.bin")); // the atomic writer left nothing behind

        // A path that cannot exist (a folder inside a file) is the caller's mistake, not the disk's.
        std::ofstream(dir / "plain") << "x";
        try {
            writeFileAtomically(dir / "plain" / "inside.json", "{}");
            QFAIL("created a file inside a file");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::General);
            QVERIFY2(contains(e.what(), "Cannot create"), e.what());
        }
    }

    void cudaUnavailableIsDeviceUnavailable()
    {
        // The texts LibTorch writes when CUDA cannot be used.
        QCOMPARE(kindOfThrow([] {
                     TORCH_CHECK(false, "Found no NVIDIA driver on your system. Please check that you have an "
                                        "NVIDIA GPU and installed a driver");
                 }),
                 ErrorKind::DeviceUnavailable);
        QCOMPARE(kindOfThrow([] { TORCH_CHECK(false, "CUDA error: no CUDA-capable device is detected"); }),
                 ErrorKind::DeviceUnavailable);
        // An error on a working GPU is not.
        QCOMPARE(kindOfThrow([] { TORCH_CHECK(false, "CUDA error: an illegal memory access was encountered"); }),
                 ErrorKind::General);

        if (!torch::cuda::is_available()) {
            // What this process really gets asking LibTorch for a CUDA tensor without CUDA (the
            // engine loads its CUDA backend only through util/Runtime; this test never does).
            try {
                (void)torch::zeros({1}, torch::Device(torch::kCUDA));
                QFAIL("created a CUDA tensor without CUDA");
            } catch (const std::exception& e) {
                QVERIFY2(errorKindOf(e) == ErrorKind::DeviceUnavailable, e.what());
            }
        }
        if (!cudaAvailable()) {
            try {
                (void)resolveDevice("cuda");
                QFAIL("resolved cuda without a GPU");
            } catch (const Error& e) {
                QCOMPARE(e.kind(), ErrorKind::DeviceUnavailable);
                QVERIFY2(contains(e.what(), "no CUDA GPU is available"), e.what());
            }
        } else {
            try {
                (void)resolveDevice("cuda:" + std::to_string(cudaDeviceCount()));
                QFAIL("resolved a GPU index that does not exist");
            } catch (const Error& e) {
                QCOMPARE(e.kind(), ErrorKind::DeviceUnavailable);
            }
        }
        // A misspelt device is a usage mistake, not a missing device.
        try {
            (void)resolveDevice("gpu");
            QFAIL("resolved 'gpu'");
        } catch (const Error& e) {
            QVERIFY(e.kind() != ErrorKind::DeviceUnavailable);
        }
    }

    void currentErrorKindInsideCatch()
    {
        try {
            throw NetworkError("peer unreachable");
        } catch (...) {
            QCOMPARE(currentErrorKind(), ErrorKind::Network);
        }
        try {
            throw 42;
        } catch (...) {
            QCOMPARE(currentErrorKind(), ErrorKind::General);
        }
        QCOMPARE(currentErrorKind(), ErrorKind::General); // nothing in flight
    }

    void jsonSyntaxErrorsNameFileLineAndColumn()
    {
        const fs::path dir = test::freshDir("json");
        const fs::path file = dir / "broken.json";
        std::ofstream(file) << "{\n  \"a\": 1,\n  \"b\": nope\n}\n";
        const std::string msg = formatErrorOf([&] { (void)readJsonFile(file); });
        QVERIFY2(contains(msg, file.string() + ": not valid JSON (line 3, column "), msg.c_str());
        QVERIFY2(contains(msg, "invalid literal"), msg.c_str());
        QVERIFY2(!contains(msg, "[json.exception"), msg.c_str()); // the parser's tag is not for users
        QVERIFY2(msg.back() == ')', msg.c_str());

        // `what` replaces the path in the message.
        const std::string named = formatErrorOf([&] { (void)readJsonFile(file, "The selection"); });
        QVERIFY2(contains(named, "The selection: not valid JSON (line 3"), named.c_str());

        // Text in memory reports the same way; truncation is at the end of the text.
        const std::string text = formatErrorOf([] { (void)parseJsonStrict("[1, 2", "ids"); });
        QVERIFY2(contains(text, "ids: not valid JSON (line 1, column 5: "), text.c_str());
        const std::string utf8 = formatErrorOf([] { (void)parseJsonStrict("{\"a\xff\": 1}", "x"); });
        QVERIFY2(contains(utf8, "x: not valid JSON (line 1, column "), utf8.c_str());
        // A number beyond a double's range (found by tests/fuzz: it escaped as nlohmann's
        // out_of_range), in both readers.
        for (auto rule : {DuplicateKeys::Refuse, DuplicateKeys::LastWins}) {
            const std::string big = formatErrorOf([&] { (void)parseJsonStrict("{\"a\": [1e999]}", "big", rule); });
            QVERIFY2(contains(big, "big: not valid JSON (number overflow parsing '1e999')"), big.c_str());
        }
    }

    void jsonDuplicateKeysRefusedOrLastWins()
    {
        const std::string text = R"({"a": 1, "b": {"c": 2, "c": 3}})";
        const std::string msg = formatErrorOf([&] { (void)parseJsonStrict(text, "m.json"); });
        QVERIFY2(contains(msg, "m.json lists the key \"c\" twice"), msg.c_str());
        // The same key in two objects is no repetition.
        QCOMPARE(parseJsonStrict(R"([{"a": 1}, {"a": 2}])", "x")[1]["a"].get<int>(), 2);
        // Files of other tools keep their readers' rule: the last value wins.
        const auto permissive = parseJsonStrict(text, "m.json", DuplicateKeys::LastWins);
        QCOMPARE(permissive["b"]["c"].get<int>(), 3);
        // The permissive reader is no laxer about syntax.
        QVERIFY(contains(formatErrorOf([] { (void)parseJsonStrict("{} x", "t", DuplicateKeys::LastWins); }),
                         "t: not valid JSON"));
    }

    // A writer killed between writing its temporary and renaming it leaves the temporary behind
    // (for a training checkpoint, optimizer-sized): the next save removes those of dead writers,
    // never one of a live process.
    void staleTemporariesAreRemoved()
    {
        const pid_t child = ::fork();
        if (child == 0)
            ::_exit(0);
        QVERIFY(child > 0);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child); // reaped: no process has this pid now
        const std::string dead = std::to_string(child);
        const auto dir = teft::test::freshDir("stale");
        const auto deadFile = dir / ("state-3.safetensors.tmp-" + dead + "-0");
        const auto ownFile = dir / ("state-4.safetensors.tmp-" + std::to_string(::getpid()) + "-0");
        const auto liveFile = dir / "state-5.safetensors.tmp-1-0"; // pid 1 is always running
        const auto deadFolder = dir / (".miner-0.tmp-" + dead);
        for (const auto& f : {deadFile, ownFile, liveFile})
            std::ofstream(f) << "partial";
        std::filesystem::create_directories(deadFolder / "inner");
        QCOMPARE(teft::staleTemporaryTarget(deadFile.filename().string()),
                 std::optional<std::string>("state-3.safetensors"));
        QVERIFY(!teft::staleTemporaryTarget(ownFile.filename().string()));
        QVERIFY(!teft::staleTemporaryTarget("state-3.safetensors"));

        teft::TrainProgressState state;
        state.step = 6;
        teft::saveTrainCheckpoint(dir, state, {{"w", torch::ones({2})}}, {});
        QVERIFY(!std::filesystem::exists(deadFile));
        QVERIFY(!std::filesystem::exists(deadFolder));
        QVERIFY(std::filesystem::exists(ownFile));
        QVERIFY(std::filesystem::exists(liveFile));
        QVERIFY(teft::loadTrainCheckpoint(dir).has_value());
    }

    // A log file that cannot be written any more (a full disk) loses no message for the other
    // sinks (spdlog stopped at the failing sink and printed "[*** LOG ERROR ***]").
    void unwritableLogFileLosesNothingElse()
    {
        const auto dir = teft::test::freshDir("log");
        teft::log::init(dir, false, spdlog::level::info, "test.log");
        auto seen = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);
        teft::log::addSink(seen);
        int logErrors = 0; // spdlog's own handler prints "[*** LOG ERROR ***]" for each
        spdlog::default_logger()->set_error_handler([&](const std::string&) { ++logErrors; });
        {
            FileSizeLimit limit(256);
            QVERIFY(limit.ok());
            for (int i = 0; i < 200; ++i) {
                spdlog::warn("line {} of a run whose log file is full", i); // warn flushes at once
                spdlog::default_logger()->flush();
            }
        }
        QCOMPARE(seen->last_raw().size(), std::size_t(200));
        QCOMPARE(logErrors, 0);
        QVERIFY(std::filesystem::file_size(dir / "test.log") <= 256);
        teft::log::removeSink(seen);
    }

    void jsonMissingFileIsNamed()
    {
        const fs::path missing = test::freshDir("missing") / "config.json";
        try {
            (void)readJsonFile(missing);
            QFAIL("read a missing file");
        } catch (const FormatError& e) {
            QFAIL(e.what());
        } catch (const Error& e) {
            QVERIFY2(contains(e.what(), missing.string()), e.what());
            QVERIFY2(contains(e.what(), "no such file"), e.what());
        }
        std::ofstream(missing) << R"({"ok": true})";
        QVERIFY(readJsonFile(missing)["ok"].get<bool>());
    }
};

QTEST_APPLESS_MAIN(TestErrors)
#include "test_errors.moc"
