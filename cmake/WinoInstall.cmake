# `cmake --install <build> --prefix P`: the headers, libwino.a with every
# variant library and the one Halide runtime, the `wino` command, a CMake
# package (find_package(wino) -> wino::wino) and a pkg-config file (wino.pc).
#
# The package is written here, not exported from the build's targets: those
# carry Halide's own CMake targets (Halide::Runtime), and an app that links
# wino needs neither Halide nor its package, only the archives, oneTBB,
# OpenMP (where the build had it), threads and libdl. The archives are listed in link order: libwino.a, which
# calls the variants, the variants, then the runtime they share.
include(GNUInstallDirs)

get_property(_wino_libs GLOBAL PROPERTY WINO_HALIDE_LIBS)
get_property(_wino_runtime GLOBAL PROPERTY WINO_RUNTIME)
set(_wino_archives wino ${_wino_libs} ${_wino_runtime})

install(TARGETS wino_cli RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(FILES runtime/include/wino/wino.h runtime/include/wino/shape.h runtime/include/wino/profile.h
              runtime/include/wino/aligned.h
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/wino")
# OpenMP, when the runtime was built with it (its second thread pool).
set(_wino_openmp_dependency "")
set(_wino_openmp_target "")
set(_wino_openmp_pc "")
if (OpenMP_CXX_FOUND)
    set(_wino_openmp_dependency "find_dependency(OpenMP COMPONENTS CXX)")
    set(_wino_openmp_target "OpenMP::OpenMP_CXX;")
    set(_wino_openmp_pc " ${OpenMP_CXX_FLAGS}")
endif ()
set(_wino_cmake_paths "")  # for the CMake package: paths under the installed prefix
set(_wino_pc_libs "")      # for pkg-config: -l<name>
foreach (archive IN LISTS _wino_archives)
    install(FILES "$<TARGET_FILE:${archive}>" DESTINATION "${CMAKE_INSTALL_LIBDIR}")
    string(APPEND _wino_cmake_paths "\${_wino_prefix}/${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:${archive}>;")
    string(APPEND _wino_pc_libs " -l$<TARGET_FILE_BASE_NAME:${archive}>")
endforeach ()

file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/package/winoConfig.cmake" CONTENT
"# wino's CMake package (written by cmake/WinoInstall.cmake): find_package(wino) gives wino::wino.
include(CMakeFindDependencyMacro)
find_dependency(Threads)
find_dependency(TBB)
${_wino_openmp_dependency}
get_filename_component(_wino_prefix \"\${CMAKE_CURRENT_LIST_DIR}/../../..\" ABSOLUTE)
if (NOT TARGET wino::wino)
    add_library(wino::wino INTERFACE IMPORTED)
    set_target_properties(wino::wino PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES \"\${_wino_prefix}/${CMAKE_INSTALL_INCLUDEDIR}\"
        INTERFACE_COMPILE_FEATURES cxx_std_17
        INTERFACE_LINK_LIBRARIES \"${_wino_cmake_paths}TBB::tbb;${_wino_openmp_target}Threads::Threads;${CMAKE_DL_LIBS}\")
endif ()
")
include(CMakePackageConfigHelpers)
write_basic_package_version_file("${CMAKE_BINARY_DIR}/package/winoConfigVersion.cmake"
                                 VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMajorVersion)
install(FILES "${CMAKE_BINARY_DIR}/package/winoConfig.cmake" "${CMAKE_BINARY_DIR}/package/winoConfigVersion.cmake"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/cmake/wino")

# pkg-config, for builds without CMake: pkg-config --cflags --libs wino
file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/package/wino.pc" CONTENT
"prefix=\${pcfiledir}/../..
includedir=\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}
libdir=\${prefix}/${CMAKE_INSTALL_LIBDIR}

Name: wino
Description: Halide schedules of Winograd and direct 3x3 convolution, with a runtime that picks among them
Version: ${PROJECT_VERSION}
Cflags: -I\${includedir} -std=c++17
Libs: -L\${libdir}${_wino_pc_libs} -ltbb${_wino_openmp_pc} -lpthread -l${CMAKE_DL_LIBS}
")
install(FILES "${CMAKE_BINARY_DIR}/package/wino.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
