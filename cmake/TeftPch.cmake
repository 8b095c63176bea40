# The engine's precompiled header (core/pch.h) holds <torch/torch.h>: ~0.7 GB that every
# compiler run using it has to load, which costs more than it saves in a file that never touches
# LibTorch (core/text/Regex.cpp: 13.6 s with it, 4.0 s without). So a source keeps the precompiled
# header only when it reaches LibTorch's headers, directly or through the project's own headers.
#
# The rule is derived from the sources at configure time (no list to maintain): the quoted
# includes ("core/...", "support/...", or relative to the including file) are followed
# transitively; a file reaching #include <torch/...>, <ATen/...>, <c10/...> or <caffe2/...> keeps
# the precompiled header, any other .cpp gets SKIP_PRECOMPILE_HEADERS. It is checked by the build
# itself: a file that skips it but forgets an include it uses fails to compile (so every file
# must include what it uses), and a file whose headers start using torch after the last
# configure still compiles, only without the precompiled header until CMake runs again.

# _teft_pch_direct(<file> <roots> <out-torch> <out-includes>): whether <file> itself includes a
# LibTorch header, and the project files its quoted includes resolve to (memoised per run).
function(_teft_pch_direct file roots out_torch out_includes)
  get_property(known GLOBAL PROPERTY "_TEFT_PCH_SCANNED:${file}" SET)
  if(NOT known)
    file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    set(torch OFF)
    set(resolved "")
    get_filename_component(dir "${file}" DIRECTORY)
    foreach(line IN LISTS lines)
      if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*<(torch|ATen|c10|caffe2)/")
        set(torch ON)
      elseif(line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
        set(name "${CMAKE_MATCH_1}")
        foreach(root IN ITEMS "${dir}" ${roots})
          if(EXISTS "${root}/${name}" AND NOT IS_DIRECTORY "${root}/${name}")
            get_filename_component(path "${root}/${name}" ABSOLUTE)
            list(APPEND resolved "${path}")
            break()
          endif()
        endforeach()
      endif()
    endforeach()
    set_property(GLOBAL PROPERTY "_TEFT_PCH_SCANNED:${file}" ON)
    set_property(GLOBAL PROPERTY "_TEFT_PCH_TORCH:${file}" ${torch})
    set_property(GLOBAL PROPERTY "_TEFT_PCH_INCLUDES:${file}" "${resolved}")
  endif()
  get_property(torch GLOBAL PROPERTY "_TEFT_PCH_TORCH:${file}")
  get_property(resolved GLOBAL PROPERTY "_TEFT_PCH_INCLUDES:${file}")
  set(${out_torch} ${torch} PARENT_SCOPE)
  set(${out_includes} "${resolved}" PARENT_SCOPE)
endfunction()

# teft_pch_only_where_torch(<source>...): marks the .cpp files among <source> that do not reach
# LibTorch's headers with SKIP_PRECOMPILE_HEADERS. Call it in the directory that creates their
# target (source properties are per directory). Quoted includes resolve against the including
# file's folder, the repository root and the calling CMakeLists.txt's folder.
function(teft_pch_only_where_torch)
  set(roots "${PROJECT_SOURCE_DIR}" "${CMAKE_CURRENT_SOURCE_DIR}")
  foreach(src IN LISTS ARGN)
    if(NOT src MATCHES "\\.(cpp|cc|cxx)$")
      continue()
    endif()
    get_filename_component(src "${src}" ABSOLUTE)
    set(queue "${src}")
    set(seen "${src}")
    set(reaches OFF)
    while(queue AND NOT reaches)
      list(POP_FRONT queue file)
      _teft_pch_direct("${file}" "${roots}" torch includes)
      if(torch)
        set(reaches ON)
      endif()
      foreach(inc IN LISTS includes)
        if(NOT inc IN_LIST seen)
          list(APPEND seen "${inc}")
          list(APPEND queue "${inc}")
        endif()
      endforeach()
    endwhile()
    if(NOT reaches)
      set_property(SOURCE "${src}" PROPERTY SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
endfunction()
