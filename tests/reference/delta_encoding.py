#!/usr/bin/env python3
"""An independent implementation of the update encodings (core/teft/DeltaEncoding.h), in numpy
bit arithmetic, for tests/core/test_delta_encoding.cpp.

  delta_encoding.py encode IN OUT_DIR
      Reads IN (F32 tensors, safetensors.numpy) and writes OUT_DIR/bf16.safetensors (each value
      rounded to bfloat16 to nearest, ties to even, by integer arithmetic on the float32 bits,
      stored as the upper 16 bits) and OUT_DIR/int8.safetensors (per row of the last dimension:
      scale = float32(max|x|) / float32(127), q = rint(x / scale) clipped to [-127, 127], the
      scales under "<name>.int8_row_scale").

  delta_encoding.py decode IN ENCODING OUT
      Decodes IN (written by the engine) to float32 and writes OUT: bf16 by shifting the bits up;
      int8 as q * scale in float32.
"""

import sys

import numpy as np
import safetensors.numpy

SUFFIX = ".int8_row_scale"


def bf16_bits(x):
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounding = ((u >> 16) & 1) + 0x7FFF
    return ((u + rounding) >> 16).astype(np.uint16)


def rows_of(x):
    if x.ndim <= 1:
        return x.reshape(1, -1)
    return x.reshape(-1, x.shape[-1])


def encode(src, out_dir):
    tensors = safetensors.numpy.load_file(src)
    bf16, int8 = {}, {}
    for name, x in tensors.items():
        x = x.astype(np.float32)
        # safetensors.numpy has no bfloat16: store the bits as I16 and let the test compare bytes.
        bf16[name] = bf16_bits(x).view(np.int16).reshape(x.shape)
        m = rows_of(x)
        if m.size:
            scale = (np.abs(m).max(axis=1).astype(np.float32) / np.float32(127)).astype(np.float32)
        else:
            scale = np.zeros(m.shape[0], dtype=np.float32)
        divisor = np.where(scale > 0, scale, np.float32(1)).astype(np.float32)
        q = np.clip(np.rint(m / divisor[:, None]), -127, 127).astype(np.int8)
        int8[name] = q.reshape(x.shape)
        int8[name + SUFFIX] = scale
    safetensors.numpy.save_file(bf16, f"{out_dir}/bf16.safetensors")
    safetensors.numpy.save_file(int8, f"{out_dir}/int8.safetensors")


def decode(src, encoding, out):
    if encoding == "bf16":
        # numpy cannot load BF16: read the raw bytes through the header.
        import json
        import struct
        with open(src, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
            data = f.read()
        result = {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            assert info["dtype"] == "BF16", (name, info["dtype"])
            begin, end = info["data_offsets"]
            bits = np.frombuffer(data[begin:end], dtype="<u2").astype(np.uint32) << 16
            result[name] = bits.view(np.float32).reshape(info["shape"])
        safetensors.numpy.save_file(result, out)
        return
    tensors = safetensors.numpy.load_file(src)
    result = {}
    for name, q in tensors.items():
        if name.endswith(SUFFIX):
            continue
        scale = tensors[name + SUFFIX].astype(np.float32)
        m = rows_of(q).astype(np.float32)
        result[name] = (m * scale[:, None]).astype(np.float32).reshape(q.shape)
    safetensors.numpy.save_file(result, out)


if __name__ == "__main__":
    if sys.argv[1] == "encode":
        encode(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "decode":
        decode(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
