# oneDNN, the benchmark's peer: optional, and found without its CMake package.
#
# Debian's dnnl-config.cmake calls find_package(OpenCL REQUIRED) (oneDNN 2.6 is
# built with an OpenCL GPU runtime), so on a machine without OpenCL headers the
# package stops the whole configure, although the CPU engine the benchmark uses
# needs none of OpenCL. So the library and header are looked up directly and a
# small program must compile, link and create a CPU engine; anything less leaves
# WINO_ONEDNN_FOUND off and the benchmark runs without peers.
#
# Defines, when usable: the imported target wino::onednn (oneDNN plus OpenMP,
# whose thread count the peer sets per call) and WINO_ONEDNN_FOUND.
option(WINO_ONEDNN "Benchmark against oneDNN when it is installed" ON)
set(WINO_ONEDNN_FOUND OFF)
if (NOT WINO_ONEDNN)
    message(STATUS "oneDNN: off (WINO_ONEDNN=OFF); the benchmark runs without peers")
    return()
endif ()

find_path(WINO_ONEDNN_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
find_library(WINO_ONEDNN_LIBRARY NAMES dnnl)
find_package(OpenMP QUIET COMPONENTS CXX)
if (NOT WINO_ONEDNN_INCLUDE_DIR OR NOT WINO_ONEDNN_LIBRARY OR NOT OpenMP_CXX_FOUND)
    message(STATUS "oneDNN: not found (header ${WINO_ONEDNN_INCLUDE_DIR}, library ${WINO_ONEDNN_LIBRARY}, "
                   "OpenMP ${OpenMP_CXX_FOUND}); the benchmark runs without peers")
    return()
endif ()

# Try it: a header that includes what this machine lacks, or a library of the
# wrong architecture, fails here instead of in the build.
include(CheckCXXSourceRuns)
set(CMAKE_REQUIRED_INCLUDES "${WINO_ONEDNN_INCLUDE_DIR}")
set(CMAKE_REQUIRED_LIBRARIES "${WINO_ONEDNN_LIBRARY}" OpenMP::OpenMP_CXX)
set(CMAKE_REQUIRED_QUIET ON)
check_cxx_source_runs([[
#include "oneapi/dnnl/dnnl.hpp"
int main() { dnnl::engine e(dnnl::engine::kind::cpu, 0); return dnnl::engine::get_count(dnnl::engine::kind::cpu) > 0 ? 0 : 1; }
]] WINO_ONEDNN_WORKS)
unset(CMAKE_REQUIRED_INCLUDES)
unset(CMAKE_REQUIRED_LIBRARIES)
unset(CMAKE_REQUIRED_QUIET)
if (NOT WINO_ONEDNN_WORKS)
    message(STATUS "oneDNN: ${WINO_ONEDNN_LIBRARY} found but a test program failed to build or run; "
                   "the benchmark runs without peers")
    return()
endif ()

add_library(wino::onednn INTERFACE IMPORTED)
target_include_directories(wino::onednn INTERFACE "${WINO_ONEDNN_INCLUDE_DIR}")
target_link_libraries(wino::onednn INTERFACE "${WINO_ONEDNN_LIBRARY}" OpenMP::OpenMP_CXX)
set(WINO_ONEDNN_FOUND ON)
message(STATUS "oneDNN: ${WINO_ONEDNN_LIBRARY} (the benchmark's peer)")
