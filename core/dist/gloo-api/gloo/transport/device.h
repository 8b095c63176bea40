#pragma once
// See ../../README.md. Devices and unbound buffers are only held by pointer.

namespace gloo::transport {

class Device;
class UnboundBuffer;

} // namespace gloo::transport
