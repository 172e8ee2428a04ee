# wino_variant(): one row of the variant table (top-level CMakeLists.txt).
#
# Each variant is one algorithm compiled with one schedule (and, for Winograd,
# one tile size m) into a static library by add_halide_library. All libraries
# share a single Halide runtime. wino_variants_done() then writes the registry
# include that the runtime API, tests, benchmark and CLI iterate, so adding a
# variant is one table row plus its schedule.

set(WINO_HALIDE_TARGET "host" CACHE STRING
    "Halide target(s) of the CPU variants: host (this CPU's ISA), portable (AVX-512, AVX2+FMA and SSE4.1 code in each library, the best the running CPU has chosen at run time), or a target string (several comma-separated)")
set(WINO_STMT ON CACHE BOOL "Also emit each variant's lowered loop nest (.stmt, .stmt.html)")
set(WINO_PROFILE ON CACHE BOOL "Also build each pipeline with Halide's profiler, for per-stage times")
# GPU variants (rows with features=cuda-...) are cross-compiled here for the
# CUDA driver to finish on the GPU it finds; the shared runtime then carries
# Halide's CUDA runtime, which loads libcuda only when a GPU variant runs.
option(WINO_CUDA "Also build the CUDA variants (no CUDA needed to build them)" ON)
set(WINO_CUDA_FEATURES "cuda-cuda_capability_86" CACHE STRING
    "Halide target features of the GPU variants (Halide 14 knows capabilities up to 86; newer GPUs JIT its PTX)")
# The targets the pipelines are compiled for: WINO_HALIDE_TARGET's, with
# Halide's address-sanitizer hooks in a sanitizer build. With several, each
# library holds code for all of them and Halide's dispatch runs the first the
# CPU can (the last, SSE4.1, runs on any x86-64).
if (WINO_HALIDE_TARGET STREQUAL "portable")
    set(_wino_targets x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41
                      x86-64-linux-avx-avx2-f16c-fma-sse41
                      x86-64-linux-sse41)
else ()
    string(REPLACE "," ";" _wino_targets "${WINO_HALIDE_TARGET}")
endif ()
if (WINO_SANITIZE)
    list(TRANSFORM _wino_targets APPEND "-asan")
endif ()
list(JOIN _wino_targets "," _wino_target)
# GPU variants are single-target: their host code only launches kernels, so
# the most widely runnable CPU target does.
list(GET _wino_targets -1 _wino_gpu_host_target)

# Halide 14's autoschedulers, by the schedule name a row gives (the plugins
# ship with libhalide14-0-dev). A row with one of these schedules is
# scheduled by it: the generator applies no schedule of its own.
set(_wino_autoschedulers mullapudi2016 Halide::Mullapudi2016 adams2019 Halide::Adams2019 li2018 Halide::Li2018)
# What they size tiles and parallelism by: this machine's threads, its L2 (per
# core) and Halide's default balance of compute against memory cost.
cmake_host_system_information(RESULT _wino_cores QUERY NUMBER_OF_LOGICAL_CORES)
set(_wino_l2 1048576)
if (EXISTS "/sys/devices/system/cpu/cpu0/cache/index2/size")
    file(READ "/sys/devices/system/cpu/cpu0/cache/index2/size" _wino_l2_text)
    if (_wino_l2_text MATCHES "^([0-9]+)K")
        math(EXPR _wino_l2 "${CMAKE_MATCH_1} * 1024")
    endif ()
endif ()
set(WINO_MACHINE_PARAMS "${_wino_cores},${_wino_l2},40" CACHE STRING
    "Autoschedulers' machine_params: parallelism, last-level cache bytes, balance")
# Adams2019 reads its beam size from the environment only; its default (32)
# ran out of memory on these pipelines, beam 1 compiles in about a second.
set(WINO_ADAMS2019_BEAM 1 CACHE STRING "Adams2019's beam size (HL_BEAM_SIZE)")
set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" PROPERTY RULE_LAUNCH_CUSTOM
             "${CMAKE_COMMAND} -E env HL_BEAM_SIZE=${WINO_ADAMS2019_BEAM}")

set_property(GLOBAL PROPERTY WINO_VARIANT_ROWS "")
set_property(GLOBAL PROPERTY WINO_VARIANT_NAMES "")  # the rows' names, in table order (the tests' groups)
set_property(GLOBAL PROPERTY WINO_PREPARE_ROWS "")
set_property(GLOBAL PROPERTY WINO_HALIDE_LIBS "")
set_property(GLOBAL PROPERTY WINO_RUNTIME "")
set_property(GLOBAL PROPERTY WINO_PIPELINES_JSON "")

# _wino_halide_library(<name> GENERATOR <g> PARAMS ...): add_halide_library on
# the shared runtime (the first library creates it).
function(_wino_halide_library name)
    cmake_parse_arguments(ARG "PROFILED" "GENERATOR;PREPARE;AUTOSCHEDULER" "PARAMS;FEATURES" ${ARGN})
    get_property(runtime GLOBAL PROPERTY WINO_RUNTIME)
    set(extra "")
    if (runtime)
        list(APPEND extra USE_RUNTIME ${runtime})
    endif ()
    if (WINO_STMT AND NOT ARG_PROFILED)
        list(APPEND extra STMT stmt_file STMT_HTML html_file)
    endif ()
    if (ARG_AUTOSCHEDULER)
        # The schedule it emits, kept with the build (<name>.schedule.h) for the report.
        list(APPEND extra AUTOSCHEDULER ${ARG_AUTOSCHEDULER})
        list(APPEND ARG_PARAMS machine_params=${WINO_MACHINE_PARAMS})
        if (NOT ARG_PROFILED)
            list(APPEND extra SCHEDULE schedule_file)
        endif ()
    endif ()
    set(features ${ARG_FEATURES})
    if (NOT runtime AND WINO_CUDA)
        # The first library creates the runtime every other one links.
        string(REPLACE "-" ";" cuda_features "${WINO_CUDA_FEATURES}")
        list(APPEND features ${cuda_features})
    endif ()
    set(targets ${_wino_targets})
    if (ARG_FEATURES MATCHES "cuda")
        set(targets ${_wino_gpu_host_target})
    endif ()
    add_halide_library(${name} FROM wino_generators
                       GENERATOR ${ARG_GENERATOR}
                       TARGETS ${targets}
                       PARAMS ${ARG_PARAMS}
                       FEATURES ${features}
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
        set(autoschedule "")
        if (ARG_AUTOSCHEDULER)
            set(autoschedule ", \"autoscheduler\": \"${ARG_AUTOSCHEDULER}\", \"autoscheduler_plugin\": \"$<TARGET_FILE:${ARG_AUTOSCHEDULER}>\", \"schedule_file\": \"${CMAKE_CURRENT_BINARY_DIR}/${name}.schedule.h\"")
        endif ()
        set_property(GLOBAL APPEND PROPERTY WINO_PIPELINES_JSON
                     "    {\"name\": \"${name}\", \"generator\": \"${ARG_GENERATOR}\", \"params\": [${params}], \"features\": \"${features}\", \"prepare\": \"${ARG_PREPARE}\"${autoschedule}}")
    endif ()
    set_property(GLOBAL APPEND PROPERTY WINO_HALIDE_LIBS ${name})
endfunction()

# _wino_pipeline(<name> ...): the library, and with WINO_PROFILE its twin
# <name>_profiled compiled with Halide's sampling profiler.
function(_wino_pipeline name)
    cmake_parse_arguments(ARG "" "" "FEATURES" ${ARGN})
    # (AUTOSCHEDULER, if given, passes through to both.)
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
#   VariantInfo, so nothing downstream parses names. Rows added while
#   WINO_ROWS_TUNED is set (wino_tune's tuned_variants.cmake) are marked tuned.
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
    # An autoscheduler's name as the schedule: it schedules the pipeline.
    set(autoscheduler "")
    list(FIND _wino_autoschedulers "${schedule}" index)
    if (index GREATER_EQUAL 0)
        math(EXPR index "${index} + 1")
        list(GET _wino_autoschedulers ${index} plugin)
        set(autoscheduler AUTOSCHEDULER ${plugin})
    endif ()
    if (algorithm STREQUAL "direct")
        # Weight packing: its own pipeline, shared by all direct variants of
        # a layout (they read the weights in different orders: layout.h).
        set(layout nchw)
        set(pack wino_pack_direct)
        if ("layout=nhwc" IN_LIST params)
            set(layout nhwc)
            set(pack wino_pack_direct_nhwc)
        endif ()
        if (NOT TARGET ${pack})
            _wino_pipeline(${pack} GENERATOR direct_pack PARAMS layout=${layout})
            set_property(GLOBAL APPEND PROPERTY WINO_PREPARE_ROWS "WINO_PREPARE(${pack}, 0, \"${layout}\")")
        endif ()
        _wino_pipeline(${name} GENERATOR conv_direct PREPARE ${pack} ${autoscheduler}
                       PARAMS schedule=${schedule} ${params} FEATURES ${features})
    elseif (algorithm STREQUAL "winograd")
        # The filter transform for this m: its own pipeline, shared by all
        # variants with the same m.
        if (NOT TARGET wino_filter_f${m})
            _wino_pipeline(wino_filter_f${m} GENERATOR winograd_filter PARAMS m=${m})
            set_property(GLOBAL APPEND PROPERTY WINO_PREPARE_ROWS "WINO_PREPARE(wino_filter_f${m}, ${m}, \"\")")
        endif ()
        _wino_pipeline(${name} GENERATOR conv_winograd PREPARE wino_filter_f${m} ${autoscheduler}
                       PARAMS schedule=${schedule} m=${m} ${params} FEATURES ${features})
    else ()
        message(FATAL_ERROR "wino_variant(${name}): unknown algorithm '${algorithm}'")
    endif ()
    list(JOIN ARGN " " parameters)
    set(autoscheduled false)
    if (autoscheduler)
        set(autoscheduled true)
    endif ()
    set(tuned false)
    if (WINO_ROWS_TUNED)
        set(tuned true)
    endif ()
    set(targets "${_wino_target}")
    if (features MATCHES "cuda")
        set(targets "${_wino_gpu_host_target}")
    endif ()
    if (features)
        # Each sub-target with this row's features, as Halide compiled it.
        string(REPLACE ";" "-" feature_suffix "${features}")
        string(REPLACE "," "-${feature_suffix}," targets "${targets}")
        set(targets "${targets}-${feature_suffix}")
    endif ()
    set_property(GLOBAL APPEND PROPERTY WINO_VARIANT_ROWS
                 "WINO_VARIANT(${name}, \"${algorithm}\", \"${schedule}\", ${m}, \"${parameters}\", ${autoscheduled}, ${tuned}, \"${targets}\")")
    set_property(GLOBAL APPEND PROPERTY WINO_VARIANT_NAMES ${name})
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
    string(APPEND content "\n#ifndef WINO_VARIANT\n#define WINO_VARIANT(name, algorithm, schedule, m, parameters, autoscheduled, tuned, targets)\n#endif\n")
    string(APPEND content "#ifndef WINO_PREPARE\n#define WINO_PREPARE(name, m, layout)\n#endif\n")
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
    target_include_directories(wino_kernels INTERFACE "$<BUILD_INTERFACE:${CMAKE_BINARY_DIR}/generated>")
    if (WINO_PROFILE)
        target_compile_definitions(wino_kernels INTERFACE WINO_HAVE_PROFILED=1)
    endif ()
    if (WINO_CUDA)
        target_compile_definitions(wino_kernels INTERFACE WINO_HAVE_CUDA=1)
    endif ()
endfunction()
