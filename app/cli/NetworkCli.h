#pragma once

// Options and helpers shared by the network commands (cmd_network.cpp) and `teft train --publish`.

#include "app/cli/Cli.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace teft::net {
class Network;
class ObjectStore;
struct SubmitResult;
} // namespace teft::net

namespace teft::cli {

// --store URL (required), --endpoint URL, --region R, --profile P.
std::vector<Option> storeOptions();
// The store named by the URL option (default --store) with --endpoint, --region, --profile.
std::unique_ptr<net::ObjectStore> openStore(const Invocation& inv, const std::string& urlOption = "store");
// The store's network; an error saying how to create one when the store holds none.
std::unique_ptr<net::Network> connectNetwork(net::ObjectStore& store, JobControl* control);
// --key-dir DIR (absolute), else MinerKey::defaultKeyDir().
std::filesystem::path keyDirOption(const Invocation& inv);

nlohmann::json submitResultJson(const net::SubmitResult& r);
std::string submitResultText(const net::SubmitResult& r, const std::string& store);

} // namespace teft::cli
