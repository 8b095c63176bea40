# LibTorch comes from the official torch wheel in the project's Python environment
# (scripts/python-env.sh; ~/.cache/teft-studio/venv unless TEFT_VENV says otherwise), found through
# torch.utils.cmake_prefix_path. Every other dependency is a Debian 12 package
# (scripts/setup.sh installs them).
set(TEFT_TORCH_VERSION 2.11.0)
if(NOT TEFT_PYTHON)
  if(DEFINED ENV{TEFT_VENV})
    set(_teft_venv "$ENV{TEFT_VENV}")
  elseif(DEFINED ENV{XDG_CACHE_HOME})
    set(_teft_venv "$ENV{XDG_CACHE_HOME}/teft-studio/venv")
  else()
    set(_teft_venv "$ENV{HOME}/.cache/teft-studio/venv")
  endif()
  if(EXISTS "${_teft_venv}/bin/python")
    set(_teft_python "${_teft_venv}/bin/python")
  endif()
endif()
set(TEFT_PYTHON "${_teft_python}" CACHE FILEPATH
    "Python of the project's environment: its torch wheel provides LibTorch; tests and benchmarks run the references with it")
if(NOT TEFT_PYTHON)
  message(FATAL_ERROR "No Python environment with the torch wheel: run scripts/python-env.sh "
                      "(or pass -DTEFT_PYTHON=/path/to/venv/bin/python)")
endif()
execute_process(
  COMMAND "${TEFT_PYTHON}" -c "import torch, torch.utils; print(torch.utils.cmake_prefix_path); print(torch.__version__)"
  OUTPUT_VARIABLE _teft_torch_out RESULT_VARIABLE _teft_torch_rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _teft_torch_rc EQUAL 0)
  message(FATAL_ERROR "${TEFT_PYTHON} cannot import torch: run scripts/python-env.sh")
endif()
string(REPLACE "\n" ";" _teft_torch_out "${_teft_torch_out}")
list(GET _teft_torch_out 0 TEFT_TORCH_CMAKE_PREFIX)
list(GET _teft_torch_out 1 TEFT_TORCH_WHEEL_VERSION)
if(NOT TEFT_TORCH_WHEEL_VERSION MATCHES "^${TEFT_TORCH_VERSION}")
  message(FATAL_ERROR "${TEFT_PYTHON} has torch ${TEFT_TORCH_WHEEL_VERSION}; TEFT Studio is built and tested on "
                      "${TEFT_TORCH_VERSION} (scripts/python-env.sh installs it)")
endif()
list(PREPEND CMAKE_PREFIX_PATH "${TEFT_TORCH_CMAKE_PREFIX}")
# The wheel's LibTorch has CUDA 13.0: its CMake package needs the CUDA toolkit (headers, nvcc) of
# the same release, /usr/local/cuda on our machines.
if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
  set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
endif()
find_package(Threads REQUIRED)
find_package(Torch REQUIRED)
message(STATUS "TEFT: LibTorch ${TEFT_TORCH_WHEEL_VERSION} from ${TORCH_INSTALL_PREFIX}")
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
# Unicode normalization (NFC/NFKC) and character properties for the tokenizer.
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)

# The wheel's include folder carries its own {fmt} (12.x) beside LibTorch's headers; spdlog from
# Debian is built against Debian's {fmt} 9. LibTorch's public API headers do not use {fmt}, so
# <fmt/...> must resolve to Debian's everywhere: a folder holding only a link to it is searched
# before LibTorch's (teft_core adds it first, for every target).
get_target_property(_teft_fmt_inc fmt::fmt INTERFACE_INCLUDE_DIRECTORIES)
find_path(TEFT_FMT_INCLUDE_DIR fmt/format.h PATHS ${_teft_fmt_inc} /usr/include NO_DEFAULT_PATH REQUIRED)
set(TEFT_FMT_FIRST_DIR "${PROJECT_BINARY_DIR}/fmt-first")
file(MAKE_DIRECTORY "${TEFT_FMT_FIRST_DIR}")
file(CREATE_LINK "${TEFT_FMT_INCLUDE_DIR}/fmt" "${TEFT_FMT_FIRST_DIR}/fmt" SYMBOLIC)

# Torch's exported flags include -D_GLIBCXX_USE_CXX11_ABI; keep them, but not as a global
# variable on every target: they are attached to the core library and flow from there.
if(TORCH_CXX_FLAGS)
  separate_arguments(TEFT_TORCH_CXX_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")
endif()

# CUDA: the wheel's LibTorch always has it. The programs link its CPU libraries only and load
# the CUDA half at run time (cuda/, core/util/CudaBackend.h).

set(TEFT_QT_TEST_COMPONENTS Core Test)
if(TEFT_BUILD_TESTS OR NOT TEFT_HEADLESS)
  if(TEFT_HEADLESS)
    find_package(Qt6 6.4 REQUIRED COMPONENTS Core Test)
  else()
    find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui Widgets Charts Svg Test LinguistTools)
  endif()
  set(CMAKE_AUTOMOC ON)
  set(CMAKE_AUTORCC ON)
  set(CMAKE_AUTOUIC OFF)
endif()
