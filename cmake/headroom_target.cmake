# headroom_project_target(TARGET): warnings, -Werror and sanitizers, scoped to one target.
# Never touches the global CMAKE_CXX_FLAGS.
function(headroom_project_target target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wno-sign-conversion)
  if(HEADROOM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(HEADROOM_SANITIZE)
    target_compile_options(${target} PUBLIC -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

# headroom_engine_library(NAME SOURCES... [LINKS ...]): one stage of the engine as a static
# library whose headers are included as "engine/<stage>/<file>.hpp".
function(headroom_engine_library name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES")
  add_library(${name} STATIC ${arg_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  headroom_project_target(${name})
endfunction()
