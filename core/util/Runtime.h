#pragma once

#include <cstdint>
#include <string>

namespace c10 {
struct Device;
}

namespace teft {

// Torch's process-wide settings. LibTorch starts with one intra-op thread here: the apps call
// configureThreads() at start-up (0 = all cores).
void configureThreads(int threads);
int intraOpThreads();

struct DeviceInfo {
    std::string name;             // "cpu" or "cuda:0"
    std::string description;      // e.g. "NVIDIA H100 80GB HBM3" or "CPU, 2 threads"
    std::int64_t memoryTotal = 0; // bytes (0 when unknown)
    std::int64_t memoryFree = 0;  // bytes (0 when unknown)
    bool isCuda = false;
};

// True when the CUDA backend is loaded (core/util/CudaBackend.h) and LibTorch sees a GPU. Ask
// this, never torch::cuda directly: it loads the backend first.
bool cudaAvailable();
int cudaDeviceCount();
// "auto" picks cuda:0 when present, else cpu. Throws teft::Error for an unknown or missing
// device, naming it.
std::string resolveDevice(const std::string& requested);
DeviceInfo describeDevice(const std::string& device);

} // namespace teft
