/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include <ruru.h>

int main(void)
{
    printf("ruru %s\n", ruru_version());
    return 0;
}
