# wino_variant(): one row of the variant table (top-level CMakeLists.txt).
#
# Each variant is one algorithm compiled with one schedule (and, for Winograd,
# one tile size m) into a static library by add_halide_library. All libraries
# share a single Halide runtime. wino_variants_done() then writes the registry
# include that the runtime API, tests, benchmark and CLI iterate, so adding a
# variant is one table row plus its schedule.

set(WINO_HALIDE_TARGET "host" CACHE STRING "Halide target for every variant (host: this CPU's ISA)")
set(WINO_STMT ON CACHE BOOL "Also emit each variant's lowered loop nest (.stmt, .stmt.html)")
set(WINO_PROFILE ON CACHE BOOL "Also build each pipeline with Halide's profiler, for per-stage times")
# The target the pipelines are compiled for: WINO_HALIDE_TARGET, with Halide's
# address-sanitizer hooks in a sanitizer build.
set(_wino_target "${WINO_HALIDE_TARGET}")
if (WINO_SANITIZE)
    set(_wino_target "${_wino_target}-asan")
endif ()

set_property(GLOBAL PROPERTY WINO_VARIANT_ROWS "")
set_property(GLOBAL PROPERTY WINO_PREPARE_ROWS "")
set_property(GLOBAL PROPERTY WINO_HALIDE_LIBS "")
set_property(GLOBAL PROPERTY WINO_RUNTIME "")
set_property(GLOBAL PROPERTY WINO_PIPELINES_JSON "")

# _wino_halide_library(<name> GENERATOR <g> PARAMS ...): add_halide_library on
# the shared runtime (the first library creates it).
function(_wino_halide_library name)
    cmake_parse_arguments(ARG "PROFILED" "GENERATOR;PREPARE" "PARAMS;FEATURES" ${ARGN})
    get_property(runtime GLOBAL PROPERTY WINO_RUNTIME)
    set(extra "")
    if (runtime)
        list(APPEND extra USE_RUNTIME ${runtime})
    endif ()
    if (WINO_STMT AND NOT ARG_PROFILED)
        list(APPEND extra STMT stmt_file STMT_HTML html_file)
    endif ()
    add_halide_library(${name} FROM wino_generators
                       GENERATOR ${ARG_GENERATOR}
                       TARGETS ${_wino_target}
                       PARAMS ${ARG_PARAMS}
                       FEATURES ${ARG_FEATURES}
                       ${extra})
    if (NOT runtime)
        set_property(GLOBAL PROPERTY WINO_RUNTIME ${name}.runtime)
    endif ()
    if (NOT ARG_PROFILED)
        # For scripts/compile_times.py: how to run this pipeline's generator.
        list(JOIN ARG_PARAMS "\", \"" params)
        if (params)
            set(params "\"${params}\"")
        endif ()
        list(JOIN ARG_FEATURES "-" features)
        set_property(GLOBAL APPEND PROPERTY WINO_PIPELINES_JSON
                     "    {\"name\": \"${name}\", \"generator\": \"${ARG_GENERATOR}\", \"params\": [${params}], \"features\": \"${features}\", \"prepare\": \"${ARG_PREPARE}\"}")
    endif ()
    set_property(GLOBAL APPEND PROPERTY WINO_HALIDE_LIBS ${name})
endfunction()

# _wino_pipeline(<name> ...): the library, and with WINO_PROFILE its twin
# <name>_profiled compiled with Halide's sampling profiler.
function(_wino_pipeline name)
    cmake_parse_arguments(ARG "" "" "FEATURES" ${ARGN})
    _wino_halide_library(${name} ${ARG_UNPARSED_ARGUMENTS} FEATURES ${ARG_FEATURES})
    if (WINO_PROFILE)
        _wino_halide_library(${name}_profiled ${ARG_UNPARSED_ARGUMENTS} FEATURES ${ARG_FEATURES} profile PROFILED)
    endif ()
endfunction()

# wino_variant(<name> <algorithm> <schedule> <m> [key=value ...])
#   algorithm: direct | winograd;  m: Winograd output tile (0 for direct);
#   key=value: the schedule's parameters (schedules/schedules.h ScheduleParams:
#   block=7x1, k_vectors=2, band_kb=256, parallel=bands), passed to the
#   generator; and features=f1,f2: Halide target features this row needs
#   (e.g. large_buffers). Every parameter also reaches the runtime's
#   VariantInfo, so nothing downstream parses names.
# Each algorithm's weight preparation (direct: packing, Winograd: the filter
# transform for m) is its own pipeline, added once and shared.
function(wino_variant name algorithm schedule m)
    set(params "")
    set(features "")
    foreach (arg IN LISTS ARGN)
        if (NOT arg MATCHES "^([a-z_]+)=(.+)$")
            message(FATAL_ERROR "wino_variant(${name}): '${arg}' is not key=value")
        endif ()
        if (CMAKE_MATCH_1 STREQUAL "features")
            string(REPLACE "," ";" features "${CMAKE_MATCH_2}")
        else ()
            list(APPEND params "${arg}")
        endif ()
    endforeach ()
    if (algorithm STREQUAL "direct")
        # Weight packing: its own pipeline, shared by all direct variants.
        if (NOT TARGET wino_pack_direct)
            _wino_pipeline(wino_pack_direct GENERATOR direct_pack)
            set_property(GLOBAL APPEND PROPERTY WINO_PREPARE_ROWS "WINO_PREPARE(wino_pack_direct, 0)")
        endif ()
        _wino_pipeline(${name} GENERATOR conv_direct PREPARE wino_pack_direct
                       PARAMS schedule=${schedule} ${params} FEATURES ${features})
    elseif (algorithm STREQUAL "winograd")
        # The filter transform for this m: its own pipeline, shared by all
        # variants with the same m.
        if (NOT TARGET wino_filter_f${m})
            _wino_pipeline(wino_filter_f${m} GENERATOR winograd_filter PARAMS m=${m})
            set_property(GLOBAL APPEND PROPERTY WINO_PREPARE_ROWS "WINO_PREPARE(wino_filter_f${m}, ${m})")
        endif ()
        _wino_pipeline(${name} GENERATOR conv_winograd PREPARE wino_filter_f${m}
                       PARAMS schedule=${schedule} m=${m} ${params} FEATURES ${features})
    else ()
        message(FATAL_ERROR "wino_variant(${name}): unknown algorithm '${algorithm}'")
    endif ()
    list(JOIN ARGN " " parameters)
    set_property(GLOBAL APPEND PROPERTY WINO_VARIANT_ROWS
                 "WINO_VARIANT(${name}, \"${algorithm}\", \"${schedule}\", ${m}, \"${parameters}\")")
endfunction()

# Writes <build>/generated/wino_variants.inc and defines the INTERFACE target
# wino_kernels (every variant library, their headers, the shared runtime).
function(wino_variants_done)
    get_property(rows GLOBAL PROPERTY WINO_VARIANT_ROWS)
    get_property(filters GLOBAL PROPERTY WINO_PREPARE_ROWS)
    get_property(libs GLOBAL PROPERTY WINO_HALIDE_LIBS)
    get_property(runtime GLOBAL PROPERTY WINO_RUNTIME)
    set(content "// Generated by cmake/WinoVariants.cmake from the variant table in CMakeLists.txt.\n")
    foreach (lib IN LISTS libs)
        string(APPEND content "#include \"${lib}.h\"\n")
    endforeach ()
    string(APPEND content "\n#ifndef WINO_VARIANT\n#define WINO_VARIANT(name, algorithm, schedule, m, parameters)\n#endif\n")
    string(APPEND content "#ifndef WINO_PREPARE\n#define WINO_PREPARE(name, m)\n#endif\n")
    foreach (row IN LISTS rows filters)
        string(APPEND content "${row}\n")
    endforeach ()
    string(APPEND content "#undef WINO_VARIANT\n#undef WINO_PREPARE\n")
    file(CONFIGURE OUTPUT "${CMAKE_BINARY_DIR}/generated/wino_variants.inc" CONTENT "${content}")

    get_property(pipelines GLOBAL PROPERTY WINO_PIPELINES_JSON)
    list(JOIN pipelines ",\n" pipelines)
    file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/generated/pipelines.json"
         CONTENT "{\n  \"generator\": \"$<TARGET_FILE:wino_generators>\",\n  \"target\": \"${_wino_target}\",\n  \"pipelines\": [\n${pipelines}\n  ]\n}\n")

    add_library(wino_kernels INTERFACE)
    target_link_libraries(wino_kernels INTERFACE ${libs} ${runtime})
    target_include_directories(wino_kernels INTERFACE "${CMAKE_BINARY_DIR}/generated")
    if (WINO_PROFILE)
        target_compile_definitions(wino_kernels INTERFACE WINO_HAVE_PROFILED=1)
    endif ()
endfunction()
