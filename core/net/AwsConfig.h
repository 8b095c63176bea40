#pragma once

// Where AWS tools find credentials, region and endpoint (the AWS CLI's and SDKs' order), for the
// S3 store. docs/protocol.md ("Credentials") lists the order.

#include "core/net/ObjectStore.h"

#include <filesystem>
#include <map>
#include <string>

namespace teft::net {

// An INI file's sections: name -> key -> value (keys lower-cased, values trimmed). A missing file
// gives an empty map.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
IniSections readIniFile(const std::filesystem::path& path);

struct AwsSettings {
    AwsCredentials credentials;
    std::string region;
    std::string endpoint;
    std::string profile;
};

// Credentials: options.credentials; else AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+
// AWS_SESSION_TOKEN); else the profile (options.profile, AWS_PROFILE, "default") from
// AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) section [NAME], then AWS_CONFIG_FILE
// (~/.aws/config) section [profile NAME] ([default] for the default profile).
// Region: options.region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region, "us-east-1".
// Endpoint: options.endpoint, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's endpoint_url,
// https://s3.<region>.amazonaws.com.
// Throws ObjectStoreError(Credentials) naming every place it looked when no credentials are found.
AwsSettings resolveAwsSettings(const ObjectStoreOptions& options);

} // namespace teft::net
