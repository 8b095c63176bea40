#include "core/net/AwsConfig.h"

#include <cstdlib>
#include <fstream>

namespace teft::net {
namespace fs = std::filesystem;

namespace {

std::string env(const char* name)
{
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string trim(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string lower(std::string s)
{
    for (char& c : s)
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    return s;
}

fs::path homeFile(const char* variable, const char* name)
{
    const std::string v = env(variable);
    if (!v.empty()) {
        if (v.rfind("~/", 0) == 0 && !env("HOME").empty())
            return fs::path(env("HOME")) / v.substr(2);
        return v;
    }
    const std::string home = env("HOME");
    return (home.empty() ? fs::path(".") : fs::path(home)) / ".aws" / name;
}

std::string lookup(const IniSections& ini, const std::string& section, const std::string& key)
{
    const auto s = ini.find(section);
    if (s == ini.end())
        return {};
    const auto k = s->second.find(key);
    return k == s->second.end() ? std::string() : k->second;
}

} // namespace

IniSections readIniFile(const fs::path& path)
{
    IniSections out;
    std::ifstream in(path);
    if (!in)
        return out;
    std::string line, section;
    bool inSection = false;
    while (std::getline(in, line)) {
        const std::string t = trim(line);
        if (t.empty() || t[0] == '#' || t[0] == ';')
            continue;
        if (t.front() == '[' && t.back() == ']') {
            section = trim(t.substr(1, t.size() - 2));
            // "[profile  dev]" and "[profile dev]" are the same section.
            if (section.rfind("profile", 0) == 0 && section.size() > 7 && (section[7] == ' ' || section[7] == '\t'))
                section = "profile " + trim(section.substr(8));
            out[section];
            inSection = true;
            continue;
        }
        const auto eq = t.find('=');
        // Continuation lines (nested "s3 =" blocks) start with whitespace; TEFT reads none of them.
        if (!inSection || eq == std::string::npos || line[0] == ' ' || line[0] == '\t')
            continue;
        out[section][lower(trim(t.substr(0, eq)))] = trim(t.substr(eq + 1));
    }
    return out;
}

AwsSettings resolveAwsSettings(const ObjectStoreOptions& options)
{
    AwsSettings s;
    s.profile = !options.profile.empty()      ? options.profile
                : !env("AWS_PROFILE").empty() ? env("AWS_PROFILE")
                                              : "default";
    const fs::path credentialsFile = homeFile("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    const fs::path configFile = homeFile("AWS_CONFIG_FILE", "config");
    const IniSections credentials = readIniFile(credentialsFile);
    const IniSections config = readIniFile(configFile);
    const std::string configSection = s.profile == "default" ? "default" : "profile " + s.profile;
    auto fromConfig = [&](const std::string& key) { return lookup(config, configSection, key); };

    if (options.credentials) {
        s.credentials = *options.credentials;
        if (s.credentials.source.empty())
            s.credentials.source = "given";
    } else if (!env("AWS_ACCESS_KEY_ID").empty() || !env("AWS_SECRET_ACCESS_KEY").empty()) {
        if (env("AWS_ACCESS_KEY_ID").empty() || env("AWS_SECRET_ACCESS_KEY").empty())
            throw ObjectStoreError(StoreFailure::Credentials,
                                   std::string("Incomplete AWS credentials in the environment: ") +
                                       (env("AWS_ACCESS_KEY_ID").empty() ? "AWS_ACCESS_KEY_ID"
                                                                         : "AWS_SECRET_ACCESS_KEY") +
                                       " is not set (set both, or unset both to use the profile files)");
        s.credentials.accessKeyId = env("AWS_ACCESS_KEY_ID");
        s.credentials.secretAccessKey = env("AWS_SECRET_ACCESS_KEY");
        s.credentials.sessionToken = env("AWS_SESSION_TOKEN");
        s.credentials.source = "environment (AWS_ACCESS_KEY_ID)";
    } else {
        struct Place {
            const IniSections* ini;
            std::string section;
            fs::path file;
        };
        const Place places[] = {{&credentials, s.profile, credentialsFile}, {&config, configSection, configFile}};
        for (const Place& p : places) {
            const std::string id = lookup(*p.ini, p.section, "aws_access_key_id");
            const std::string secret = lookup(*p.ini, p.section, "aws_secret_access_key");
            if (id.empty() && secret.empty())
                continue;
            if (id.empty() || secret.empty())
                throw ObjectStoreError(StoreFailure::Credentials,
                                       "Incomplete AWS credentials for profile '" + s.profile + "' in " +
                                           p.file.string() + ": section [" + p.section + "] has no " +
                                           (id.empty() ? "aws_access_key_id" : "aws_secret_access_key"));
            s.credentials.accessKeyId = id;
            s.credentials.secretAccessKey = secret;
            s.credentials.sessionToken = lookup(*p.ini, p.section, "aws_session_token");
            s.credentials.source = "profile '" + s.profile + "' in " + p.file.string();
            break;
        }
        if (s.credentials.accessKeyId.empty())
            throw ObjectStoreError(
                StoreFailure::Credentials,
                "No AWS credentials found: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and profile '" +
                    s.profile + "' (AWS_PROFILE) has no aws_access_key_id / aws_secret_access_key in " +
                    credentialsFile.string() + " [" + s.profile + "] nor in " + configFile.string() + " [" +
                    configSection + "]");
    }

    for (const std::string& r : {options.region, env("AWS_REGION"), env("AWS_DEFAULT_REGION"), fromConfig("region")})
        if (!r.empty()) {
            s.region = r;
            break;
        }
    if (s.region.empty())
        s.region = "us-east-1";
    for (const std::string& e :
         {options.endpoint, env("AWS_ENDPOINT_URL_S3"), env("AWS_ENDPOINT_URL"), fromConfig("endpoint_url")})
        if (!e.empty()) {
            s.endpoint = e;
            break;
        }
    if (s.endpoint.empty())
        s.endpoint = "https://s3." + s.region + ".amazonaws.com";
    while (!s.endpoint.empty() && s.endpoint.back() == '/')
        s.endpoint.pop_back();
    return s;
}

} // namespace teft::net
