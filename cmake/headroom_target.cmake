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
