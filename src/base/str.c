/* SPDX-License-Identifier: Apache-2.0 */
#include "base/str.h"

#include "base/simd.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define STR_AVX2 1
#endif

struct ruru_str ruru_str_trim(struct ruru_str s)
{
    while (s.len > 0 && ruru_is_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && ruru_is_space(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

bool ruru_str_eq(struct ruru_str s, const char *lit)
{
    size_t n = strlen(lit);

    return n == s.len && (n == 0 || memcmp(s.ptr, lit, n) == 0);
}

bool ruru_str_ieq(struct ruru_str s, const char *lit)
{
    size_t n = strlen(lit);

    if (n != s.len)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ruru_lower(s.ptr[i]) != ruru_lower(lit[i]))
            return false;
    return true;
}

bool ruru_str_iprefix(struct ruru_str s, const char *lit)
{
    size_t n = strlen(lit);

    if (n > s.len)
        return false;
    return ruru_str_ieq(ruru_str_make(s.ptr, n), lit);
}

int ruru_ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (unsigned char)ruru_lower(*a), cb = (unsigned char)ruru_lower(*b);
        if (ca != cb || ca == 0)
            return ca - cb;
    }
}

const char *ruru_memmem(const char *hay, size_t hay_len, const char *needle, size_t needle_len)
{
    if (needle_len == 0)
        return hay;
    while (hay_len >= needle_len) {
        const char *p = memchr(hay, needle[0], hay_len - needle_len + 1);
        if (p == NULL)
            return NULL;
        if (memcmp(p, needle, needle_len) == 0)
            return p;
        hay_len -= (size_t)(p - hay) + 1;
        hay = p + 1;
    }
    return NULL;
}

#ifdef STR_AVX2
/* 32 bytes at a time, n >= 32; the end's partial block is the last 32 bytes read again with
 * those already counted shifted out (no byte past s + n is read). */
__attribute__((target("avx2,popcnt"))) static size_t count_avx2(const char *s, size_t n, char c)
{
    const __m256i vc = _mm256_set1_epi8(c);
    size_t count = 0, i = 0;
    unsigned m;

    for (; i + 32 <= n; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
        m = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vc));
        count += (size_t)__builtin_popcount(m);
    }
    if (i < n) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(s + n - 32));
        m = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vc));
        count += (size_t)__builtin_popcount(m >> (32 - (n - i)));
    }
    return count;
}

/* 64 bytes at a time, each compare giving its mask; the end's partial block read with a masked
 * load (which reads no byte past s + n). */
__attribute__((target("avx2,popcnt,bmi,bmi2,avx512f,avx512bw"))) static size_t
count_avx512(const char *s, size_t n, char c)
{
    const __m512i vc = _mm512_set1_epi8(c);
    size_t count = 0, i = 0;

    for (; i + 64 <= n; i += 64)
        count += (size_t)__builtin_popcountll(
                _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(s + i)), vc));
    if (i < n) {
        /* the bytes left; those masked out load as zeros and are not compared */
        __mmask64 left = (__mmask64)((1ull << (n - i)) - 1);
        __m512i v = _mm512_maskz_loadu_epi8(left, s + i);
        count += (size_t)__builtin_popcountll(_mm512_mask_cmpeq_epi8_mask(left, v, vc));
    }
    return count;
}
#endif

size_t ruru_count_byte(const char *s, size_t n, char c)
{
    size_t count = 0, i = 0;

#ifdef STR_AVX2
    if (ruru_simd_avx512())
        return count_avx512(s, n, c);
    if (n >= 32 && ruru_simd_avx2())
        return count_avx2(s, n, c);
#endif

#if defined(__SSE2__)
    if (ruru_simd_allowed()) {
        /* each matching byte subtracts -1 from its lane; lanes are summed every 255 rounds */
        const __m128i vc = _mm_set1_epi8(c), zero = _mm_setzero_si128();
        while (i + 16 <= n) {
            __m128i acc = zero, sum;
            for (unsigned k = 0; k < 255 && i + 16 <= n; k++, i += 16)
                acc = _mm_sub_epi8(
                        acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i)),
                                            vc));
            sum = _mm_sad_epu8(acc, zero);
            count += (size_t)_mm_cvtsi128_si32(sum) + (size_t)_mm_extract_epi16(sum, 4);
        }
    }
#endif
    for (; i < n; i++)
        count += s[i] == c;
    return count;
}

#ifdef STR_AVX2
/* The bytes c of the 64 at p, one bit each. */
__attribute__((target("avx2"), always_inline)) static inline uint64_t mask64(const char *p, char c)
{
    const __m256i vc = _mm256_set1_epi8(c);
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, vc)) |
           (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, vc)) << 32;
}

/* ruru_bytes_find: from the block after the one held when `from` is in it (it holds no byte c
 * at or after `from`), else from the block of `from`. */
__attribute__((target("avx2"))) static const char *find_wide(struct ruru_bytes *it, size_t from)
{
    size_t b = from & ~(size_t)63;

    if (b == it->block) {
        b += 64;
        from = b;
    }
    for (; b < it->n; b += 64, from = b) {
        size_t left = it->n - b;
        uint64_t m;
        if (left >= 64) {
            m = mask64(it->s + b, it->c);
        } else if (it->n >= 64) {
            /* the last 64 bytes, those before b shifted out: nothing past n is read */
            m = mask64(it->s + it->n - 64, it->c) >> (64 - left);
        } else {
            m = 0;
            for (size_t i = 0; i < left; i++)
                m |= (uint64_t)(it->s[b + i] == it->c) << i;
        }
        it->block = b;
        it->mask = m;
        if ((m >> (from & 63)) != 0)
            return it->s + from + (size_t)__builtin_ctzll(m >> (from & 63));
    }
    return NULL;
}
#endif

void ruru_bytes_init(struct ruru_bytes *it, const char *s, size_t n, char c)
{
    it->s = s;
    it->n = n;
    it->block = SIZE_MAX;
    it->mask = 0;
    it->c = c;
#ifdef STR_AVX2
    it->wide = ruru_simd_avx2();
#else
    it->wide = false;
#endif
}

const char *ruru_bytes_find(struct ruru_bytes *it, size_t from)
{
    if (from >= it->n)
        return NULL;
#ifdef STR_AVX2
    if (it->wide)
        return find_wide(it, from);
#endif
    return memchr(it->s + from, it->c, it->n - from);
}

size_t ruru_split_byte(const char *s, size_t n, char sep, struct ruru_str *out, size_t max)
{
    size_t count = 0, i = 0, start = 0;

    if (max == 0)
        return 0;
#if defined(__SSE2__)
    if (ruru_simd_allowed()) {
        /* Fields are short: finding separators 16 bytes at a time beats a search call per
         * field. */
        const __m128i vsep = _mm_set1_epi8(sep);
        for (; i + 16 <= n; i += 16) {
            unsigned mask = (unsigned)_mm_movemask_epi8(
                    _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i)), vsep));
            while (mask != 0) {
                size_t at = i + (size_t)__builtin_ctz(mask);
                mask &= mask - 1;
                out[count++] = ruru_str_make(s + start, at - start);
                start = at + 1;
                if (count == max)
                    return count;
            }
        }
    }
#endif
    for (; i < n; i++)
        if (s[i] == sep) {
            out[count++] = ruru_str_make(s + start, i - start);
            start = i + 1;
            if (count == max)
                return count;
        }
    out[count++] = ruru_str_make(s + start, n - start);
    return count;
}
