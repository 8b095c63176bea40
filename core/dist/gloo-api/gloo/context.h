#pragma once
// See ../README.md. ProcessGroupGloo.hpp holds contexts by shared_ptr and sets their timeout in
// an inline member; the engine never calls it (the definition is in libtorch_cpu.so).

#include <chrono>

namespace gloo {

class Context {
public:
    void setTimeout(std::chrono::milliseconds timeout);
};

} // namespace gloo
