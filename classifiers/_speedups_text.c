/* Text helpers of the optional C accelerator (see _speedups.c): the answer-length model's
 * n-gram coefficient sum and the per-group substring counts of the hand-crafted features. */
#include "_speedups.h"
#include <math.h>

/* ------------------------------------------------------------------------------------------
 * N-gram coefficient sum of the answer-length model
 * ---------------------------------------------------------------------------------------- */

static uint32_t crc_table[256];

void crc_init(void) { /* CRC-32 (zlib's: reflected polynomial 0xEDB88320) */
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

/* The running CRC state after bytes p[:n]; zlib.crc32(b) = crc_update(CRC_START, b) ^ CRC_START.
 * A bigram "a b" continues the state of "a" (its bytes are not read again). */
#define CRC_START 0xFFFFFFFFu

static inline uint32_t crc_update(uint32_t c, const unsigned char *p, Py_ssize_t n) {
    while (n--)
        c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c;
}

/* Exact sum of doubles: Shewchuk's non-overlapping partials, as CPython's math.fsum (3.11
 * mathmodule.c), so the final rounding gives the same double. Finite values only: an inf, nan
 * or intermediate overflow sets `bad` (the caller then uses math.fsum itself). */
#define MAX_PARTIALS 64

typedef struct {
    double p[MAX_PARTIALS];
    int n, bad;
} Msum;

static void msum_add(Msum *s, double x) {
    int i = 0;
    for (int j = 0; j < s->n; j++) {
        double y = s->p[j], t, hi, lo;
        if (fabs(x) < fabs(y)) {
            t = x;
            x = y;
            y = t;
        }
        hi = x + y;
        lo = y - (hi - x);
        if (lo != 0.0)
            s->p[i++] = lo;
        x = hi;
    }
    s->n = i;
    if (x != 0.0) {
        if (!isfinite(x) || s->n >= MAX_PARTIALS)
            s->bad = 1;
        else
            s->p[s->n++] = x;
    }
}

static double msum_total(Msum *s) { /* the correctly rounded sum (half-even across partials) */
    int n = s->n;
    double hi = 0.0, lo = 0.0, x, y, yr;
    if (n > 0) {
        hi = s->p[--n];
        while (n > 0) { /* from the top, until the sum becomes inexact */
            x = hi;
            y = s->p[--n];
            hi = x + y;
            yr = hi - x;
            lo = y - yr;
            if (lo != 0.0)
                break;
        }
        if (n > 0 && ((lo < 0.0 && s->p[n - 1] < 0.0) || (lo > 0.0 && s->p[n - 1] > 0.0))) {
            y = lo * 2.0;
            x = hi + y;
            yr = x - hi;
            if (y == yr)
                hi = x;
        }
    }
    return hi;
}

/* Distinct keys: open addressing on their CRC (the bucket hash doubles as the set hash);
 * the key bytes live in one arena. */
typedef struct {
    unsigned char *arena;
    Py_ssize_t used;
    Py_ssize_t *slot_off; /* -1: empty */
    uint32_t *slot_len, *slot_crc, mask;
    const double *coef;
    uint32_t coef_mask;
    Py_ssize_t n_keys;
    Msum sum;
} Grams;

/* Add the key just written at arena[used : used + len], whose running CRC state is `state`,
 * unless already present. */
static void grams_add(Grams *g, Py_ssize_t len, uint32_t state) {
    const unsigned char *k = g->arena + g->used;
    uint32_t crc = state ^ CRC_START, i = crc & g->mask;
    while (g->slot_off[i] >= 0) {
        if (g->slot_crc[i] == crc && g->slot_len[i] == (uint32_t)len && memcmp(g->arena + g->slot_off[i], k, len) == 0)
            return; /* a duplicate */
        i = (i + 1) & g->mask;
    }
    g->slot_off[i] = g->used;
    g->slot_len[i] = (uint32_t)len;
    g->slot_crc[i] = crc;
    g->used += len;
    g->n_keys++;
    msum_add(&g->sum, g->coef[crc & g->coef_mask]);
}

/* Word w's UTF-8 bytes and their number (a non-ASCII str caches its encoding; utf8_bytes checked
 * that it has one). */
static inline const unsigned char *utf8_of(PyObject *w, Py_ssize_t *n) {
    if (PyUnicode_IS_ASCII(w)) {
        *n = PyUnicode_GET_LENGTH(w);
        return PyUnicode_1BYTE_DATA(w);
    }
    return (const unsigned char *)PyUnicode_AsUTF8AndSize(w, n);
}

/* Copy word w's UTF-8 bytes to arena[used + at:]; the end offset. */
static inline Py_ssize_t put(Grams *g, Py_ssize_t at, PyObject *w) {
    Py_ssize_t n;
    const unsigned char *b = utf8_of(w, &n);
    memcpy(g->arena + g->used + at, b, n);
    return at + n;
}

static inline uint32_t crc_word(uint32_t state, PyObject *w) {
    Py_ssize_t n;
    const unsigned char *b = utf8_of(w, &n);
    return crc_update(state, b, n);
}

/* Sum of the words' UTF-8 lengths; -1 if an item is not an exact str or has no UTF-8 form (a lone
 * surrogate: the Python path handles those, as its "replace" encoding can map distinct keys to the
 * same bytes; without one, distinct words have distinct bytes). */
static Py_ssize_t utf8_bytes(PyObject *list) {
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        PyObject *w = PyList_GET_ITEM(list, i);
        if (!PyUnicode_CheckExact(w) || MAKE_READY(w) < 0)
            return -1;
        Py_ssize_t n;
        if (utf8_of(w, &n) == NULL) {
            PyErr_Clear();
            return -1;
        }
        total += n;
    }
    return total;
}

/* gram_sum(head_words: list[str], sys_words: list[str], coef: buffer of doubles)
 *   -> (math.fsum over the distinct keys, number of distinct keys) | None
 * keys: head words, "a b" for adjacent head words, "sys:" + each system word. */
PyObject *gram_sum(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    PyObject *out = NULL;
    Py_buffer buf;
    if (n_args("gram_sum", nargs, 3) < 0)
        return NULL;
    PyObject *head = args[0], *sys = args[1], *table = args[2];
    if (!PyList_Check(head) || !PyList_Check(sys)) {
        PyErr_SetString(PyExc_TypeError, "gram_sum: head_words and sys_words must be lists");
        return NULL;
    }
    Py_ssize_t ch = utf8_bytes(head), cs = utf8_bytes(sys);
    if (ch < 0 || cs < 0)
        Py_RETURN_NONE;
    if (PyObject_GetBuffer(table, &buf, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    Py_ssize_t size = buf.len / (Py_ssize_t)sizeof(double);
    if (buf.itemsize != sizeof(double) || strcmp(buf.format ? buf.format : "B", "d") != 0 || size < 1 ||
        (size & (size - 1)) != 0 || size > 0xFFFFFFFFu) {
        PyErr_SetString(PyExc_ValueError, "coef: a buffer of doubles whose length is a power of two");
        goto done;
    }
    Py_ssize_t nh = PyList_GET_SIZE(head), ns = PyList_GET_SIZE(sys);
    Py_ssize_t keys = 2 * nh + ns, slots = 16;
    while (slots < 2 * keys) /* load factor <= 1/2 */
        slots *= 2;
    Grams g = {0};
    g.coef = (const double *)buf.buf;
    g.coef_mask = (uint32_t)(size - 1);
    g.mask = (uint32_t)(slots - 1);
    /* unigrams + bigrams (each head word in at most two) + "sys:" words */
    g.arena = PyMem_Malloc(3 * ch + nh + cs + 4 * ns + 1);
    g.slot_off = PyMem_Malloc(slots * sizeof(Py_ssize_t));
    g.slot_len = PyMem_Malloc(slots * sizeof(uint32_t));
    g.slot_crc = PyMem_Malloc(slots * sizeof(uint32_t));
    if (!g.arena || !g.slot_off || !g.slot_len || !g.slot_crc) {
        PyErr_NoMemory();
        goto release;
    }
    memset(g.slot_off, 0xFF, slots * sizeof(Py_ssize_t)); /* all -1 */
    for (Py_ssize_t i = 0; i < nh; i++) {
        PyObject *a = PyList_GET_ITEM(head, i), *b;
        uint32_t state = crc_word(CRC_START, a);
        grams_add(&g, put(&g, 0, a), state);
        if (i + 1 < nh) { /* "a b" */
            Py_ssize_t at = put(&g, 0, a);
            g.arena[g.used + at] = ' ';
            b = PyList_GET_ITEM(head, i + 1);
            grams_add(&g, put(&g, at + 1, b), crc_word(crc_update(state, (const unsigned char *)" ", 1), b));
        }
    }
    uint32_t sys_state = crc_update(CRC_START, (const unsigned char *)"sys:", 4);
    for (Py_ssize_t i = 0; i < ns; i++) {
        PyObject *t = PyList_GET_ITEM(sys, i);
        memcpy(g.arena + g.used, "sys:", 4);
        grams_add(&g, put(&g, 4, t), crc_word(sys_state, t));
    }
    if (g.sum.bad)
        out = Py_NewRef(Py_None);
    else
        out = Py_BuildValue("(dn)", msum_total(&g.sum), g.n_keys);
release:
    PyMem_Free(g.arena);
    PyMem_Free(g.slot_off);
    PyMem_Free(g.slot_len);
    PyMem_Free(g.slot_crc);
done:
    PyBuffer_Release(&buf);
    return out;
}


/* ------------------------------------------------------------------------------------------
 * Substring counts of the hand-crafted features
 *
 * count_table(groups: tuple[tuple[str, ...], ...]) -> capsule    (built once at import)
 * count_groups(table, s) -> tuple[int, ...]: per group, sum(s.count(p) for p in group)
 *
 * One pass over s instead of one str.count scan per pattern. str.count counts a pattern's
 * non-overlapping occurrences from the left ("===".count("==") == 1): each pattern remembers
 * where its last counted occurrence ends and counts a match only from there on.
 * ---------------------------------------------------------------------------------------- */

#define MAX_PATTERNS 256
#define MAX_PATTERN_LEN 4
#define MAX_GROUPS 16

typedef struct {
    Py_UCS4 ch[MAX_PATTERN_LEN];
    int len, group, next; /* next: the following pattern with the same first character (-1: none) */
} Pattern;

#define OTHER_SLOTS 256 /* a power of two */

typedef struct {
    Pattern pat[MAX_PATTERNS];
    int n_pat, n_groups;
    int first_ascii[128]; /* the first pattern starting with this ASCII character (-1: none) */
    /* the chain of patterns starting with a non-ASCII character c, by c's low bits: a text in
     * another script then walks a chain for few of its characters, not every one */
    int first_other[OTHER_SLOTS];
    /* a bit per character of the Basic Multilingual Plane that starts a non-ASCII pattern: the
     * other characters of a text in another script (most of them) are passed over at once */
    uint8_t starts[0x10000 / 8];
} Counter;

static const char *COUNTER_CAPSULE = "classifiers._speedups.Counter";

static void counter_capsule_free(PyObject *cap) { PyMem_Free(PyCapsule_GetPointer(cap, COUNTER_CAPSULE)); }

PyObject *count_table(PyObject *self, PyObject *args) {
    PyObject *groups;
    if (!PyArg_ParseTuple(args, "O!", &PyTuple_Type, &groups))
        return NULL;
    Counter *ct = PyMem_Calloc(1, sizeof(Counter));
    if (ct == NULL)
        return PyErr_NoMemory();
    memset(ct->first_ascii, 0xFF, sizeof ct->first_ascii); /* all -1 */
    memset(ct->first_other, 0xFF, sizeof ct->first_other);
    ct->n_groups = (int)PyTuple_GET_SIZE(groups);
    if (ct->n_groups > MAX_GROUPS)
        goto bad;
    for (int gi = 0; gi < ct->n_groups; gi++) {
        PyObject *grp = PyTuple_GET_ITEM(groups, gi);
        if (!PyTuple_Check(grp))
            goto bad;
        /* appended in reverse so that each chain lists its patterns in table order */
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(grp); j++) {
            PyObject *p = PyTuple_GET_ITEM(grp, j);
            if (!PyUnicode_CheckExact(p) || PyUnicode_GET_LENGTH(p) < 1 || PyUnicode_GET_LENGTH(p) > MAX_PATTERN_LEN ||
                ct->n_pat >= MAX_PATTERNS)
                goto bad;
            Pattern *pt = &ct->pat[ct->n_pat];
            pt->len = (int)PyUnicode_GET_LENGTH(p);
            pt->group = gi;
            for (int k = 0; k < pt->len; k++)
                pt->ch[k] = PyUnicode_READ_CHAR(p, k);
            Py_UCS4 c0 = pt->ch[0];
            int *head = c0 < 128 ? &ct->first_ascii[c0] : &ct->first_other[c0 & (OTHER_SLOTS - 1)];
            if (c0 >= 128 && c0 < 0x10000)
                ct->starts[c0 >> 3] |= (uint8_t)(1u << (c0 & 7));
            pt->next = *head;
            *head = ct->n_pat++;
        }
    }
    PyObject *cap = PyCapsule_New(ct, COUNTER_CAPSULE, counter_capsule_free);
    if (cap == NULL)
        PyMem_Free(ct);
    return cap;
bad:
    PyMem_Free(ct);
    PyErr_SetString(PyExc_ValueError, "count_table: up to 16 tuples of str of 1-4 characters (256 in all)");
    return NULL;
}

/* The pass over one string kind (inlined per kind: the character reads are then plain loads). */
static inline Py_ALWAYS_INLINE void count_kind(const Counter *ct, int kind, const void *data, Py_ssize_t n,
                                               long *counts) {
    Py_ssize_t from[MAX_PATTERNS] = {0}; /* where each pattern's next occurrence may start */
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= 128 && c < 0x10000 && !(ct->starts[c >> 3] & (1u << (c & 7))))
            continue;
        int p = c < 128 ? ct->first_ascii[c] : ct->first_other[c & (OTHER_SLOTS - 1)];
        for (; p >= 0; p = ct->pat[p].next) {
            const Pattern *pt = &ct->pat[p];
            if (pt->ch[0] != c || i < from[p] || i + pt->len > n)
                continue;
            int k = 1;
            while (k < pt->len && PyUnicode_READ(kind, data, i + k) == pt->ch[k])
                k++;
            if (k == pt->len) {
                counts[pt->group]++;
                from[p] = i + pt->len;
            }
        }
    }
}

PyObject *count_groups(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (n_args("count_groups", nargs, 2) < 0)
        return NULL;
    PyObject *s = str_arg("count_groups", args, 1);
    const Counter *ct = s == NULL ? NULL : PyCapsule_GetPointer(args[0], COUNTER_CAPSULE);
    if (ct == NULL)
        return NULL;
    long counts[MAX_GROUPS] = {0};
    const void *data = PyUnicode_DATA(s);
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    switch (PyUnicode_KIND(s)) {
    case PyUnicode_1BYTE_KIND:
        count_kind(ct, PyUnicode_1BYTE_KIND, data, n, counts);
        break;
    case PyUnicode_2BYTE_KIND:
        count_kind(ct, PyUnicode_2BYTE_KIND, data, n, counts);
        break;
    default:
        count_kind(ct, PyUnicode_4BYTE_KIND, data, n, counts);
    }
    PyObject *out = PyTuple_New(ct->n_groups);
    for (int g = 0; out != NULL && g < ct->n_groups; g++) {
        PyObject *v = PyLong_FromLong(counts[g]);
        if (v == NULL)
            Py_CLEAR(out);
        else
            PyTuple_SET_ITEM(out, g, v);
    }
    return out;
}

/* No decimal digit below U+0660 (Latin, Greek, Cyrillic, Hebrew ...), in U+1D00-U+A5FF (punctuation,
 * symbols, CJK) or in U+AC00-U+FEFF (Hangul): a text in those scripts skips the Unicode lookup.
 * tests/classifiers/test_speedups_counts.py checks this against every code point of the running Python. */
#define DIGITLESS(c) ((c) < 0x660 || ((c) >= 0x1D00 && (c) < 0xA600) || ((c) >= 0xAC00 && (c) < 0xFF00))

/* out (a copy of data, same kind) with its ASCII digits replaced by '0'; 1 if a non-ASCII decimal
 * digit occurs (out is then incomplete). */
static inline Py_ALWAYS_INLINE int zero_kind(int kind, const void *data, void *out, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= '1' && c <= '9')
            PyUnicode_WRITE(kind, out, i, '0');
        else if (c >= 128 && !DIGITLESS(c) && Py_UNICODE_ISDECIMAL(c))
            return 1;
    }
    return 0;
}

PyObject *ascii_digits_zeroed(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    PyObject *s = n_args("ascii_digits_zeroed", nargs, 1) < 0 ? NULL : str_arg("ascii_digits_zeroed", args, 0);
    if (s == NULL)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    PyObject *out = PyUnicode_New(n, PyUnicode_MAX_CHAR_VALUE(s));
    if (out == NULL)
        return NULL;
    int kind = PyUnicode_KIND(s), other;
    const void *data = PyUnicode_DATA(s);
    void *dst = PyUnicode_DATA(out);
    memcpy(dst, data, (size_t)n * (size_t)kind);
    switch (kind) {
    case PyUnicode_1BYTE_KIND:
        other = zero_kind(PyUnicode_1BYTE_KIND, data, dst, n);
        break;
    case PyUnicode_2BYTE_KIND:
        other = zero_kind(PyUnicode_2BYTE_KIND, data, dst, n);
        break;
    default:
        other = zero_kind(PyUnicode_4BYTE_KIND, data, dst, n);
    }
    if (other) {
        Py_DECREF(out);
        Py_RETURN_NONE;
    }
    return out;
}
