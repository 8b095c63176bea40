# Every dependency comes from a Debian 12 package (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(Torch REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
# Unicode normalization (NFC/NFKC) and character properties for the tokenizer.
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)

# Torch's exported flags include -D_GLIBCXX_USE_CXX11_ABI; keep them, but not as a global
# variable on every target: they are attached to the core library and flow from there.
if(TORCH_CXX_FLAGS)
  separate_arguments(TEFT_TORCH_CXX_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")
endif()

# CUDA: the GPU path is enabled when the LibTorch we build against was built with CUDA
# (e.g. the official LibTorch CUDA archive pointed to through CMAKE_PREFIX_PATH).
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(TEFT_HAVE_CUDA ON)
  message(STATUS "TEFT: LibTorch has CUDA, GPU path enabled")
else()
  set(TEFT_HAVE_CUDA OFF)
  message(STATUS "TEFT: LibTorch is CPU-only, GPU path disabled")
endif()

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
