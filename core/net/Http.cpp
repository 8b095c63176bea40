#include "core/net/Http.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <curl/curl.h>
#include <mutex>
#include <stdexcept>
#include <unistd.h>

namespace teft::net {

namespace {

void globalInit()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One easy handle per thread: connections (and TLS sessions) are reused between its requests.
struct ThreadHandle {
    CURL* curl = nullptr;
    ~ThreadHandle()
    {
        if (curl)
            curl_easy_cleanup(curl);
    }
};

CURL* threadHandle()
{
    globalInit();
    thread_local ThreadHandle handle;
    if (!handle.curl) {
        handle.curl = curl_easy_init();
        if (!handle.curl)
            throw std::runtime_error("libcurl could not create a handle");
    } else {
        curl_easy_reset(handle.curl);
    }
    return handle.curl;
}

struct Transfer {
    const HttpRequest* request = nullptr;
    HttpResponse* response = nullptr;
    const HttpProgress* progress = nullptr;
    std::uint64_t sent = 0;
    bool writeFailed = false;
    int writeErrno = 0;
    bool cancelled = false;
    CURL* curl = nullptr;
};

std::size_t readBody(char* buffer, std::size_t size, std::size_t count, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    const HttpRequest& r = *t->request;
    const std::uint64_t total = r.bodyFd >= 0 ? r.bodyLength : r.bodyBytes.size();
    const std::size_t n = std::min<std::uint64_t>(size * count, total - t->sent);
    if (n == 0)
        return 0;
    if (r.bodyFd >= 0) {
        const ssize_t got = ::pread(r.bodyFd, buffer, n, off_t(r.bodyOffset + t->sent));
        if (got <= 0)
            return CURL_READFUNC_ABORT;
        t->sent += std::uint64_t(got);
        return std::size_t(got);
    }
    std::copy_n(r.bodyBytes.data() + t->sent, n, buffer);
    t->sent += n;
    return n;
}

std::size_t writeBody(char* data, std::size_t size, std::size_t count, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    if (t->request->sinkFd >= 0 && status >= 200 && status < 300) {
        std::size_t done = 0;
        while (done < n) {
            const ssize_t w = ::write(t->request->sinkFd, data + done, n - done);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                t->writeFailed = true;
                t->writeErrno = errno;
                return 0;
            }
            done += std::size_t(w);
        }
        t->response->sunkBytes += n;
    } else {
        t->response->body.append(data, n);
    }
    return n;
}

std::size_t writeHeader(char* data, std::size_t size, std::size_t count, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    std::string line(data, n);
    if (line.rfind("HTTP/", 0) == 0) {
        t->response->headers.clear(); // a new response (after 100 Continue or a redirect)
        return n;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos)
        return n;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    const auto b = value.find_first_not_of(" \t");
    const auto e = value.find_last_not_of(" \t\r\n");
    t->response->headers[name] = b == std::string::npos ? std::string() : value.substr(b, e - b + 1);
    return n;
}

int onProgress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    auto* t = static_cast<Transfer*>(user);
    if (!t->progress || !*t->progress)
        return 0;
    const bool upload = t->request->bodyFd >= 0 || !t->request->bodyBytes.empty();
    const bool ok = upload ? (*t->progress)(std::uint64_t(ulnow), std::uint64_t(ultotal))
                           : (*t->progress)(std::uint64_t(dlnow), std::uint64_t(dltotal));
    if (!ok) {
        t->cancelled = true;
        return 1;
    }
    return 0;
}

} // namespace

HttpOutcome httpPerform(const HttpRequest& request, const HttpLimits& limits, const HttpProgress& progress)
{
    CURL* curl = threadHandle();
    HttpOutcome outcome;
    Transfer t;
    t.request = &request;
    t.response = &outcome.response;
    t.progress = &progress;
    t.curl = curl;

    char errorBuffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, long(limits.connectTimeoutSeconds));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, long(limits.lowSpeedSeconds));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, limits.lowSpeedBytesPerSecond);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, writeBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, writeHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);

    const bool hasBody = request.bodyFd >= 0 || !request.bodyBytes.empty();
    if (request.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (request.method == "GET") {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "PUT" || (request.method == "POST" && hasBody)) {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, readBody);
        curl_easy_setopt(curl, CURLOPT_READDATA, &t);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                         curl_off_t(request.bodyFd >= 0 ? request.bodyLength : request.bodyBytes.size()));
        if (request.method == "POST")
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "POST");
    } else if (request.method == "POST") {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
    } else {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers)
        headers = curl_slist_append(headers, (name + ": " + value).c_str());
    // No "Expect: 100-continue" round trip (and no Content-Type curl would invent for a POST).
    headers = curl_slist_append(headers, "Expect:");
    headers = curl_slist_append(headers, "Content-Type:");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

    const CURLcode code = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &outcome.response.status);

    if (code == CURLE_OK)
        return outcome;
    outcome.error = errorBuffer[0] ? std::string(errorBuffer) : std::string(curl_easy_strerror(code));
    if (t.cancelled || code == CURLE_ABORTED_BY_CALLBACK)
        outcome.result = HttpOutcome::Result::Cancelled;
    else if (t.writeFailed || code == CURLE_WRITE_ERROR) {
        outcome.result = HttpOutcome::Result::LocalWrite;
        if (t.writeFailed)
            outcome.error = std::string("cannot write the download: ") + std::strerror(t.writeErrno);
    } else if (code == CURLE_OPERATION_TIMEDOUT)
        outcome.result = HttpOutcome::Result::TimedOut;
    else
        outcome.result = HttpOutcome::Result::Connection;
    return outcome;
}

} // namespace teft::net
