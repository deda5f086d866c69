# Warnings for every ruru target (STYLE.md "Build"). -Werror is on unless RURU_WERROR=OFF.
function(ruru_warnings target)
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
        -Wformat=2 -Wimplicit-fallthrough -Wvla -Wcast-qual -Wpointer-arith -Wundef
        -Wnull-dereference)
    if(RURU_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
