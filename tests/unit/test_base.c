/* SPDX-License-Identifier: Apache-2.0 */
#include "base/buf.h"
#include "base/time.h"
#include "check.h"

int main(void)
{
    struct ruru_buf b;
    int64_t t;
    char out[RURU_TIME_BUF];

    ruru_buf_init(&b, 8);
    CHECK_INT(ruru_buf_adds(&b, "abcd"), RURU_OK);
    CHECK_INT(ruru_buf_adds(&b, "efghi"), RURU_ELIMIT);
    CHECK_STR(ruru_buf_str(&b), "abcd");
    ruru_buf_fini(&b);

    CHECK(ruru_time_parse("2021-03-02T10:11:12Z", 20, &t));
    CHECK_INT(t, 1614679872);
    ruru_time_format(t, out);
    CHECK_STR(out, "2021-03-02T10:11:12Z");
    return check_done();
}
