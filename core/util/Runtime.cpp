#include "core/util/Runtime.h"

#include "core/util/CudaBackend.h"
#include "core/util/Error.h"

#include <fstream>
#include <thread>
#include <torch/torch.h>

namespace teft {

void configureThreads(int threads)
{
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);
}

int intraOpThreads() { return torch::get_num_threads(); }

// The CUDA backend is loaded before LibTorch is first asked about CUDA (it caches the answer).
bool cudaAvailable() { return cudaBackend().loaded && torch::cuda::is_available(); }

int cudaDeviceCount() { return cudaAvailable() ? static_cast<int>(torch::cuda::device_count()) : 0; }

std::string resolveDevice(const std::string& requested)
{
    if (requested.empty() || requested == "auto")
        return cudaAvailable() ? "cuda:0" : "cpu";
    if (requested == "cpu")
        return "cpu";
    if (requested.rfind("cuda", 0) == 0) {
        if (!cudaAvailable())
            throw DeviceError("Device '" + requested + "' was requested but no CUDA GPU is available (" +
                              (cudaBackend().loaded ? std::string("the CUDA backend is loaded; no GPU was found")
                                                    : cudaBackend().message) +
                              ")");
        const auto idx = requested.size() > 5 ? std::stoi(requested.substr(5)) : 0;
        if (idx < 0 || idx >= static_cast<int>(torch::cuda::device_count()))
            throw DeviceError("Device '" + requested +
                              "' does not exist: " + std::to_string(torch::cuda::device_count()) + " GPU(s) present");
        return "cuda:" + std::to_string(idx);
    }
    throw Error("Unknown device '" + requested + "' (use auto, cpu or cuda[:N])");
}

DeviceInfo describeDevice(const std::string& device)
{
    DeviceInfo info;
    info.name = resolveDevice(device);
    if (info.name == "cpu") {
        info.description = "CPU, " + std::to_string(intraOpThreads()) + " threads";
        std::ifstream meminfo("/proc/meminfo");
        std::string key;
        std::int64_t kb = 0;
        std::string unit;
        while (meminfo >> key >> kb >> unit) {
            if (key == "MemTotal:")
                info.memoryTotal = kb * 1024;
            else if (key == "MemAvailable:")
                info.memoryFree = kb * 1024;
        }
        return info;
    }
    info.isCuda = true;
    const auto props = cudaDeviceProperties(std::stoi(info.name.substr(5)));
    info.description = props.name;
    info.memoryTotal = props.memoryTotal;
    info.memoryFree = props.memoryFree;
    return info;
}

} // namespace teft
