#pragma once

// A moto S3 server (`python -m moto.server`, the project's Python environment) on a free port of
// 127.0.0.1, for the tests that need a real S3 endpoint. With signature checking, the first four
// requests (tests/net/s3_helper.py setup: an IAM user, its access key, its policy and the bucket)
// need no signature and every later one is verified against that user's secret. moto 5.2.1
// verifies a signature against the path and query as it re-quotes them, so a listing whose prefix
// holds a '/' fails with SignatureDoesNotMatch although correctly signed (docs/protocol.md,
// "Testing against moto"): tests that list such prefixes run without signature checking (the same
// IAM user and bucket, any signature accepted). boto3 (s3_helper.py) is the independent client.
// Header-only: include it in one test executable.

#include "support/TestSupport.h"

#include <QProcess>
#include <QString>
#include <QStringList>

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace teft::test {

inline bool tcpPortAnswers(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(std::uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

class MotoServer {
public:
    MotoServer() = default;
    MotoServer(const MotoServer&) = delete;
    MotoServer& operator=(const MotoServer&) = delete;
    ~MotoServer() { stop(); }

    // Starts the server and creates `bucket` with an IAM user; throws std::runtime_error saying
    // what failed (run scripts/python-env.sh for moto[server] and boto3).
    void start(const std::string& bucket, bool checkSignatures = true)
    {
        m_port = freeTcpPort();
        m_endpoint = "http://127.0.0.1:" + std::to_string(m_port);
        auto env = QProcessEnvironment::systemEnvironment();
        if (checkSignatures)
            env.insert("INITIAL_NO_AUTH_ACTION_COUNT", "4");
        m_process.setProcessEnvironment(env);
        // The server ends with the test even when it crashes.
        m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        const QStringList args{"-m", "moto.server", "-H", "127.0.0.1", "-p", QString::number(m_port)};
        m_process.start(QString::fromStdString(python()), args);
        if (!m_process.waitForStarted(30000))
            throw std::runtime_error("cannot start " + python() + " -m moto.server");
        for (int i = 0; i < 600 && !tcpPortAnswers(m_port); ++i) {
            if (m_process.state() != QProcess::Running)
                throw std::runtime_error("moto.server ended: " + m_process.readAll().toStdString() +
                                         " (run scripts/python-env.sh for moto[server] and boto3)");
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (!tcpPortAnswers(m_port))
            throw std::runtime_error("moto.server does not answer on port " + std::to_string(m_port));
        m_accessKey = "AKIAIOSFODNN7EXAMPLE";
        m_secret = "setup";
        const auto keys = nlohmann::json::parse(boto({"setup", bucket}));
        m_accessKey = keys.at("access_key_id").get<std::string>();
        m_secret = keys.at("secret_access_key").get<std::string>();
    }

    void stop()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(5000)) {
                m_process.kill();
                m_process.waitForFinished(5000);
            }
        }
    }

    // Runs tests/net/s3_helper.py COMMAND ARGS... as the IAM user; its stdout. Throws with its
    // output when it fails.
    std::string boto(const std::vector<std::string>& args) const
    {
        std::vector<std::string> all{(sourceDir() / "tests/net/s3_helper.py").string(), "--endpoint", m_endpoint};
        all.insert(all.end(), args.begin(), args.end());
        const auto r = runProcess(python(), all, 120000, credentials());
        if (r.exitCode != 0)
            throw std::runtime_error("s3_helper.py " + args.front() + " failed: " + r.out + r.err);
        return r.out;
    }

    // The environment every AWS tool reads to reach this server as its IAM user, with nothing
    // from the machine's own ~/.aws leaking in (AWS_PROFILE is left alone: boto3 takes an empty
    // one for a profile named "").
    std::vector<std::pair<std::string, std::string>> credentials() const
    {
        return {{"AWS_ACCESS_KEY_ID", m_accessKey},
                {"AWS_SECRET_ACCESS_KEY", m_secret},
                {"AWS_SESSION_TOKEN", ""},
                {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/teft-test-credentials"},
                {"AWS_CONFIG_FILE", "/nonexistent/teft-test-config"}};
    }

    const std::string& endpoint() const { return m_endpoint; }
    const std::string& accessKey() const { return m_accessKey; }
    const std::string& secret() const { return m_secret; }

private:
    QProcess m_process;
    int m_port = 0;
    std::string m_endpoint;
    std::string m_accessKey;
    std::string m_secret;
};

} // namespace teft::test
