// Precompiled header of the engine: the heavy third-party headers only.
#pragma once
#include <torch/torch.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <filesystem>
#include <string>
#include <vector>
