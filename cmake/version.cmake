# Writes version.hpp with the current git commit at build time (not only at configure time), so
# every output file names the commit that really built the program. Rewrites only on change.
execute_process(COMMAND git rev-parse HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE CEVNS_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE _dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT CEVNS_GIT_COMMIT)
  set(CEVNS_GIT_COMMIT "unknown")
elseif(_dirty)
  set(CEVNS_GIT_COMMIT "${CEVNS_GIT_COMMIT}-dirty")
endif()
configure_file(${SOURCE_DIR}/host/core/version.hpp.in ${OUTPUT}.tmp @ONLY)
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
file(REMOVE ${OUTPUT}.tmp)
