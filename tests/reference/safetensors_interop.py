#!/usr/bin/env python3
"""The `safetensors` package's side of tests/core/test_safetensors_interop.cpp.

  safetensors_interop.py write OUT
      Writes, with the safetensors package, OUT/torch.safetensors (safetensors.torch.save_file:
      every dtype torch can store: BF16, F16, F32, F64, F8_E4M3, F8_E5M2, F8_E4M3FNUZ, F8_E5M2FNUZ,
      F8_E8M0, F4, I8..I64, U8..U64, BOOL, C64, plus empty tensors, scalars and metadata) and
      OUT/numpy.safetensors (safetensors.numpy.save_file), and OUT/expected.json describing them:
        {"files": {"torch.safetensors": {"metadata": {...}, "tensors": {name: {"dtype": "BF16",
         "shape": [...], "bytes_hex": "...", "f64_hex": "..."}}}}}
      bytes_hex is the tensor's little-endian data; f64_hex (when torch can convert the dtype) is the
      values as float64 (complex: real and imaginary parts interleaved).

  safetensors_interop.py check FILE EXPECTED_JSON
      Loads FILE (written by the engine) with safetensors.torch.load_file, safe_open(...).metadata()
      and, when every dtype has a numpy type, safetensors.numpy.load_file, and compares names,
      dtypes, shapes, bytes and metadata with EXPECTED_JSON ({"metadata": {...}, "tensors": {name:
      {"dtype", "shape", "bytes_hex"}}}). Prints {"ok": ..., "checked": n, "problems": [...]} and
      exits 1 when something differs.
"""

import json
import struct
import sys

import numpy as np
import torch
from safetensors import safe_open
import safetensors.numpy
import safetensors.torch

# safetensors dtype name -> torch dtype (the package's own table, spelled out independently).
TORCH = {
    "BOOL": torch.bool, "U8": torch.uint8, "I8": torch.int8, "I16": torch.int16, "U16": torch.uint16,
    "I32": torch.int32, "U32": torch.uint32, "I64": torch.int64, "U64": torch.uint64, "F16": torch.float16,
    "BF16": torch.bfloat16, "F32": torch.float32, "F64": torch.float64, "C64": torch.complex64,
    "F8_E4M3": torch.float8_e4m3fn, "F8_E5M2": torch.float8_e5m2, "F8_E4M3FNUZ": torch.float8_e4m3fnuz,
    "F8_E5M2FNUZ": torch.float8_e5m2fnuz,
}
if hasattr(torch, "float8_e8m0fnu"):
    TORCH["F8_E8M0"] = torch.float8_e8m0fnu
if hasattr(torch, "float4_e2m1fn_x2"):
    TORCH["F4"] = torch.float4_e2m1fn_x2  # two elements per byte: the file's shape counts elements
NUMPY = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16, "U16": np.uint16, "I32": np.int32,
         "U32": np.uint32, "I64": np.int64, "U64": np.uint64, "F16": np.float16, "F32": np.float32,
         "F64": np.float64, "C64": np.complex64}


def raw_bytes(t):
    return t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def f64(t):
    if t.dtype == TORCH.get("F4"):
        return None
    if t.is_complex():
        t = torch.view_as_real(t)
    return t.to(torch.float64).contiguous().numpy().tobytes()


def describe(t, dtype_name, shape=None):
    d = {"dtype": dtype_name, "shape": list(t.shape) if shape is None else shape, "bytes_hex": raw_bytes(t).hex()}
    v = f64(t)
    if v is not None:
        d["f64_hex"] = v.hex()
    return d


def random_tensor(gen, dtype_name, shape):
    """Every bit pattern is fair game (NaNs, infinities, subnormals), except BOOL (0 or 1)."""
    dt = TORCH[dtype_name]
    if dtype_name == "BOOL":
        return torch.randint(0, 2, shape, generator=gen, dtype=torch.uint8).to(torch.bool)
    if dtype_name == "F4":  # shape counts elements, torch's bytes
        return torch.randint(0, 256, [*shape[:-1], shape[-1] // 2], generator=gen, dtype=torch.uint8).view(dt)
    size = torch.empty(0, dtype=dt).element_size()
    n = 1
    for s in shape:
        n *= s
    b = torch.randint(0, 256, (n * size,), generator=gen, dtype=torch.uint8)
    return b.view(dt).reshape(shape)


def write(out):
    import os
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(1234)
    tensors, expected = {}, {}
    for k, name in enumerate(sorted(TORCH)):
        shape = [3, 8] if k % 2 else [16]
        t = random_tensor(gen, name, shape)
        tensors["random." + name] = t
        expected["random." + name] = describe(t, name, shape)
    # Meaningful values, converted by torch (saturating / NaN where a type cannot hold them).
    special = torch.tensor([0.0, -0.0, 1.0, -1.0, 0.5, 3.140625, 1e-3, 65504.0, 448.0, 57344.0, 1e-40,
                            float("inf"), float("-inf"), float("nan"), 1e30, -2.5])
    for name in ["BF16", "F16", "F32", "F64", "F8_E4M3", "F8_E5M2", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "F8_E8M0"]:
        if name in TORCH:
            t = special.to(TORCH[name])
            tensors["special." + name] = t
            expected["special." + name] = describe(t, name)
    ints = torch.tensor([0, 1, -1, 2**31 - 1, -2**31, 2**62, -2**63, 2**63 - 1], dtype=torch.int64)
    tensors["special.I64"] = ints
    expected["special.I64"] = describe(ints, "I64")
    u64 = torch.tensor([0, 1, 2**63 - 1], dtype=torch.int64).to(torch.uint64)
    tensors["special.U64"] = u64
    expected["special.U64"] = describe(u64, "U64")
    # Empty tensors and scalars.
    for name, t, dtn in [("empty.F32", torch.empty(0), "F32"), ("empty.BF16.3x0", torch.empty(3, 0, dtype=torch.bfloat16), "BF16"),
                         ("empty.I64.0x5", torch.empty(0, 5, dtype=torch.int64), "I64"),
                         ("empty.F8_E4M3", torch.empty(0, dtype=torch.float8_e4m3fn), "F8_E4M3"),
                         ("scalar.F32", torch.tensor(2.5), "F32"), ("scalar.BF16", torch.tensor(-1.5, dtype=torch.bfloat16), "BF16"),
                         ("scalar.I64", torch.tensor(-(2**40)), "I64"), ("scalar.BOOL", torch.tensor(True), "BOOL"),
                         ("scalar.F8_E5M2", torch.tensor(0.75).to(torch.float8_e5m2), "F8_E5M2")]:
        tensors[name] = t
        expected[name] = describe(t, name.split(".")[1], list(t.shape))
    meta = {"format": "pt", "note": "h\u00e9llo \u2713 \U0001f600", "empty": "", "json": "{\"a\": [1, 2]}"}
    safetensors.torch.save_file(tensors, os.path.join(out, "torch.safetensors"), metadata=meta)
    files = {"torch.safetensors": {"metadata": meta, "tensors": expected}}

    # safetensors.numpy
    rng = np.random.default_rng(99)
    arrays, nexp = {}, {}
    for k, name in enumerate(sorted(NUMPY)):
        shape = [2, 5] if k % 2 else [7]
        if name == "BOOL":
            a = rng.integers(0, 2, size=shape).astype(np.bool_)
        else:
            a = np.frombuffer(rng.bytes(int(np.prod(shape)) * np.dtype(NUMPY[name]).itemsize),
                              dtype=NUMPY[name]).reshape(shape).copy()
        arrays["np." + name] = a
    arrays["np.empty"] = np.zeros((0, 3), dtype=np.float16)
    arrays["np.scalar"] = np.array(7, dtype=np.int32)
    names = {v: k for k, v in NUMPY.items()}
    for key, a in arrays.items():
        t = torch.from_numpy(np.ascontiguousarray(a))
        nexp[key] = describe(t, names[a.dtype.type], list(a.shape))
    nmeta = {"source": "numpy", "format": "np"}
    safetensors.numpy.save_file(arrays, os.path.join(out, "numpy.safetensors"), metadata=nmeta)
    files["numpy.safetensors"] = {"metadata": nmeta, "tensors": nexp}

    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"torch": torch.__version__, "safetensors": safetensors.__version__, "files": files}, f,
                  ensure_ascii=True, indent=1)


def check(path, expected_path):
    want = json.load(open(expected_path, encoding="utf-8"))
    problems = []
    checked = 0
    # The header as written (dtype names exactly as in the file).
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    meta_in_header = header.pop("__metadata__", None)
    loaded = safetensors.torch.load_file(path)
    with safe_open(path, framework="pt") as f:
        meta = f.metadata()
        keys = list(f.keys())
    if meta != want["metadata"]:
        problems.append(f"metadata: safetensors reads {meta!r}, expected {want['metadata']!r}")
    if meta_in_header != (want["metadata"] or None) and meta_in_header != want["metadata"]:
        problems.append(f"__metadata__ in the header is {meta_in_header!r}")
    if sorted(keys) != sorted(want["tensors"]) or sorted(loaded) != sorted(want["tensors"]):
        problems.append(f"names: safetensors reads {sorted(keys)}, expected {sorted(want['tensors'])}")
    np_loaded = None
    if all(w["dtype"] in NUMPY for w in want["tensors"].values()):
        np_loaded = safetensors.numpy.load_file(path)
    for name, w in want["tensors"].items():
        if name not in loaded:
            continue
        checked += 1
        t = loaded[name]
        if header[name]["dtype"] != w["dtype"]:
            problems.append(f"{name}: header dtype {header[name]['dtype']}, expected {w['dtype']}")
        if t.dtype != TORCH.get(w["dtype"]):
            problems.append(f"{name}: torch dtype {t.dtype}, expected {TORCH.get(w['dtype'])} ({w['dtype']})")
        shape = w["shape"] if w["dtype"] != "F4" else [*w["shape"][:-1], w["shape"][-1] // 2]  # torch packs F4
        if list(t.shape) != shape:
            problems.append(f"{name}: shape {list(t.shape)}, expected {shape}")
        got = raw_bytes(t).hex()
        if got != w["bytes_hex"]:
            problems.append(f"{name}: bytes {got[:64]}..., expected {w['bytes_hex'][:64]}...")
        if np_loaded is not None:
            a = np_loaded[name]
            if a.dtype != np.dtype(NUMPY[w["dtype"]]) or list(a.shape) != w["shape"] or \
                    np.ascontiguousarray(a).tobytes().hex() != w["bytes_hex"]:
                problems.append(f"{name}: safetensors.numpy reads {a.dtype} {list(a.shape)} with other bytes")
    print(json.dumps({"ok": not problems, "checked": checked, "numpy": np_loaded is not None,
                      "problems": problems}))
    return 0 if not problems else 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "write":
        write(sys.argv[2])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        return check(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
