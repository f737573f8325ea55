/* Word splitting of the optional C accelerator (see _speedups.c): lexicons.words_of(s.lower())
 * on ASCII text in one pass (lower-casing, punctuation and whitespace splitting), and the words
 * of the head s[:n] from the same pass. Other text is lower-cased (text_lower, = str.lower), then split by
 * code point (the ASCII separators, the non-ASCII punctuation words_of maps to a space, and the
 * whitespace of str.split): words_of's replace-per-mark in Python cost ~36 us on 2,000 characters. Words seen before are
 * returned again from a cache (one for ASCII words, one for others), not allocated.
 *
 *   lower_words(seps, s) -> list[str]                        (= words_of(s.lower()))
 *   lower_split(seps, s, n) -> (str, list[str], list[str])
 *       (= (s[:n].lower(), words_of(s.lower()), words_of(s[:n].lower())))
 *   glued_words(seps, s) -> list[str] | None                 (= glued.glued_words_python(s, words) as a multiset)
 *
 * seps: bytes of length 128, non-zero at the ASCII characters words_of splits at (the
 * whitespace of str.split and the punctuation it maps to a space), built by lexicons.py.
 */
#include "_speedups.h"

#define LOWER(c) ((c) >= 'A' && (c) <= 'Z' ? (c) + ('a' - 'A') : (c))

/* The str of the n lower-cased ASCII characters at p. */
static PyObject *lower_str(const Py_UCS1 *p, Py_ssize_t n) {
    if (n == 1)
        return PyUnicode_FromOrdinal(LOWER(p[0])); /* a cached one-character str */
    PyObject *o = PyUnicode_New(n, 127);
    if (o == NULL)
        return NULL;
    Py_UCS1 *d = PyUnicode_1BYTE_DATA(o);
    for (Py_ssize_t k = 0; k < n; k++)
        d[k] = LOWER(p[k]);
    return o;
}

/* Recent words, direct-mapped by the FNV-1a hash of their characters: a word seen before is
 * returned again (one str object, its str hash cached) instead of being allocated; most words
 * of a prompt are common ones. Only this file touches the cache, under the GIL. */
#define CACHE_SLOTS 4096 /* a power of two */
#define CACHE_MAX_LEN 24 /* longer words are not cached */
#define FNV_START 2166136261u
#define FNV(h, c) (((h) ^ (c)) * 16777619u)

static PyObject *cache[CACHE_SLOTS];

/* lower_str(p, n), where h is the FNV-1a hash of its characters (lower-cased). */
static PyObject *word_str(const Py_UCS1 *p, Py_ssize_t n, uint32_t h) {
    if (n == 1 || n > CACHE_MAX_LEN)
        return lower_str(p, n);
    PyObject **slot = &cache[h & (CACHE_SLOTS - 1)], *o = *slot;
    if (o != NULL && PyUnicode_GET_LENGTH(o) == n) {
        const Py_UCS1 *d = PyUnicode_1BYTE_DATA(o);
        Py_ssize_t k = 0;
        while (k < n && d[k] == LOWER(p[k]))
            k++;
        if (k == n)
            return Py_NewRef(o);
    }
    if ((o = lower_str(p, n)) != NULL)
        Py_XSETREF(*slot, Py_NewRef(o));
    return o;
}

/* Recent words holding another character than ASCII, by the FNV-1a hash of their code points (a Cyrillic or Greek
 * prompt repeats its words as an English one does; a word seen before is its str again, hash cached). */
static PyObject *wide_cache[CACHE_SLOTS];

/* low[start:end] (of kind `kind`, data `data`), a word holding another character than ASCII whose code points hash to
 * h: the cached str if the word was seen before. */
static PyObject *wide_word(PyObject *low, int kind, const void *data, Py_ssize_t start, Py_ssize_t end, uint32_t h) {
    Py_ssize_t n = end - start;
    if (n > CACHE_MAX_LEN)
        return PyUnicode_Substring(low, start, end);
    PyObject **slot = &wide_cache[h & (CACHE_SLOTS - 1)], *o = *slot;
    if (o != NULL && PyUnicode_GET_LENGTH(o) == n) {
        int o_kind = PyUnicode_KIND(o);
        const void *o_data = PyUnicode_DATA(o);
        Py_ssize_t k = 0;
        while (k < n && PyUnicode_READ(o_kind, o_data, k) == PyUnicode_READ(kind, data, start + k))
            k++;
        if (k == n)
            return Py_NewRef(o);
    }
    if ((o = PyUnicode_Substring(low, start, end)) != NULL)
        Py_XSETREF(*slot, Py_NewRef(o));
    return o;
}

/* The words of a text, as new references: a stack buffer, on the heap when it grows. */
typedef struct {
    PyObject **items;
    Py_ssize_t n, cap;
    PyObject *stack[256];
} Words;

static void words_free(Words *ws) {
    for (Py_ssize_t k = 0; k < ws->n; k++)
        Py_DECREF(ws->items[k]);
    if (ws->items != ws->stack)
        PyMem_Free(ws->items);
}

static int words_push(Words *ws, PyObject *w) { /* steals w */
    if (ws->n == ws->cap) {
        PyObject **old = ws->items == ws->stack ? NULL : ws->items;
        PyObject **items = PyMem_Realloc(old, 2 * ws->cap * sizeof(PyObject *));
        if (items == NULL) {
            Py_DECREF(w);
            PyErr_NoMemory();
            return -1;
        }
        if (old == NULL)
            memcpy(items, ws->stack, ws->n * sizeof(PyObject *));
        ws->items = items;
        ws->cap *= 2;
    }
    ws->items[ws->n++] = w;
    return 0;
}

/* The first k words as a new list (new references); `last`, if not NULL, appended (stolen). */
static PyObject *words_list(Words *ws, Py_ssize_t k, PyObject *last) {
    PyObject *list = PyList_New(k + (last != NULL));
    if (list == NULL) {
        Py_XDECREF(last);
        return NULL;
    }
    for (Py_ssize_t j = 0; j < k; j++)
        PyList_SET_ITEM(list, j, Py_NewRef(ws->items[j]));
    if (last != NULL)
        PyList_SET_ITEM(list, k, last);
    return list;
}

/* The words of p[:len] into ws; *head (if not NULL): how many of them lie within p[:n], and
 * *cut: the part before n of the word across n (a new str), else NULL. 0, or -1 on error. */
static int split_ascii(const Py_UCS1 *p, Py_ssize_t len, const char *sep, Words *ws, Py_ssize_t n,
                       Py_ssize_t *head, PyObject **cut) {
    Py_ssize_t i = 0;
    if (head != NULL) {
        *head = -1; /* not yet reached n */
        *cut = NULL;
    }
    for (;;) {
        while (i < len && sep[p[i]])
            i++;
        Py_ssize_t start = i;
        if (head != NULL && *head < 0 && start >= n)
            *head = ws->n; /* words from here on start at or after n */
        if (i == len)
            break;
        uint32_t h = FNV_START;
        for (; i < len && !sep[p[i]]; i++)
            h = FNV(h, LOWER(p[i]));
        if (head != NULL && *head < 0 && i > n) { /* the word across n: its head is cut */
            *head = ws->n;
            if ((*cut = lower_str(p + start, n - start)) == NULL)
                return -1;
        }
        PyObject *w = word_str(p + start, i - start, h);
        if (w == NULL || words_push(ws, w) < 0)
            return -1;
    }
    if (head != NULL && *head < 0) /* the text ends before n */
        *head = ws->n;
    return 0;
}

/* The non-ASCII characters lexicons._PUNCT maps to a space (tests/classifiers/test_speedups_text.py checks the two agree). */
static const Py_UCS4 WIDE_PUNCT[] = {0xa1, 0xab, 0xbb, 0xbf, 0x60c, 0x61b, 0x61f, 0x964, 0x965,
                                     0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d, 0x201e, 0x2026};

/* Whether the non-ASCII character c separates words: the whitespace of str.split or one of WIDE_PUNCT. */
static int wide_sep(Py_UCS4 c) {
    if (Py_UNICODE_ISSPACE(c))
        return 1;
    for (size_t k = 0; k < sizeof WIDE_PUNCT / sizeof WIDE_PUNCT[0]; k++)
        if (c == WIDE_PUNCT[k])
            return 1;
    return 0;
}

/* wide_sep of the characters 128..WIDE_SEP_MAX, one bit each (built by words_init): a Cyrillic or Greek word's every
 * character asked wide_sep (a call and 18 compares): lower_split of 2,000 Russian characters took 42 us so, 18 us so. */
#define WIDE_SEP_MAX 0x3000
static unsigned char wide_sep_bits[WIDE_SEP_MAX / 8 + 1];

void words_init(void) {
    for (Py_UCS4 c = 128; c <= WIDE_SEP_MAX; c++)
        if (wide_sep(c))
            wide_sep_bits[c >> 3] |= (unsigned char)(1u << (c & 7));
}

/* Whether c separates words (IS_SEP) in text of character type T: the table below 128, nothing of CJK and above. */
#define IS_SEP(c) ((c) < 128 ? sep[c] : (c) <= WIDE_SEP_MAX && (wide_sep_bits[(c) >> 3] >> ((c) & 7) & 1))

/* The loop M (a macro of the character type) over the characters of str `str`, with its locals: kind, data, len, the
 * index i and a buffer for a cached word. */
#define BY_KIND(M, str)                                                                                            \
    do {                                                                                                           \
        int kind = PyUnicode_KIND(str);                                                                            \
        const void *data = PyUnicode_DATA(str);                                                                    \
        Py_ssize_t len = PyUnicode_GET_LENGTH(str), i = 0;                                                         \
        Py_UCS1 buf[CACHE_MAX_LEN];                                                                                \
        if (kind == PyUnicode_1BYTE_KIND)                                                                          \
            M(Py_UCS1);                                                                                            \
        else if (kind == PyUnicode_2BYTE_KIND)                                                                     \
            M(Py_UCS2);                                                                                            \
        else                                                                                                       \
            M(Py_UCS4);                                                                                            \
    } while (0)

/* In a loop over the words of p: i to the next word's first character, out of the loop at the text's end. */
#define NEXT_WORD(p)                                                                                               \
    while (i < len && IS_SEP(p[i]))                                                                                \
        i++;                                                                                                       \
    if (i == len)                                                                                                  \
    break

/* split_wide's loop over the characters p[0:len] of one kind (T: Py_UCS1, Py_UCS2 or Py_UCS4). */
#define SPLIT_WIDE(T)                                                                                              \
    do {                                                                                                           \
        const T *p = (const T *)data;                                                                              \
        for (;;) {                                                                                                 \
            NEXT_WORD(p);                                                                                          \
            Py_ssize_t start = i;                                                                                  \
            uint32_t h = FNV_START;                                                                                \
            int ascii = 1;                                                                                         \
            for (; i < len && !IS_SEP(p[i]); i++) {                                                                \
                Py_UCS4 c = p[i];                                                                                  \
                if (c >= 128)                                                                                      \
                    ascii = 0;                                                                                     \
                else if (i - start < CACHE_MAX_LEN)                                                                \
                    buf[i - start] = (Py_UCS1)c;                                                                   \
                h = FNV(h, c);                                                                                     \
            }                                                                                                      \
            PyObject *w = !ascii                           ? wide_word(low, kind, data, start, i, h)               \
                          : i - start <= CACHE_MAX_LEN ? word_str(buf, i - start, h)                               \
                                                       : PyUnicode_Substring(low, start, i);                       \
            if (w == NULL || words_push(ws, w) < 0)                                                                \
                return -1;                                                                                         \
        }                                                                                                          \
    } while (0)

/* The words of the (lower-cased) str low into ws: a word of ASCII characters through the cache, others as
 * substrings. 0, or -1 on error. */
static int split_wide(PyObject *low, const char *sep, Words *ws) {
    BY_KIND(SPLIT_WIDE, low);
    return 0;
}

/* The words of the lower-cased str low as a new list. */
static PyObject *lowered_words(PyObject *low, const char *sep) {
    Words ws = {.items = ws.stack, .n = 0, .cap = 256};
    PyObject *out = NULL;
    if (split_wide(low, sep, &ws) == 0)
        out = words_list(&ws, ws.n, NULL);
    words_free(&ws);
    return out;
}

/* The words of s.lower() as a new list (s not ASCII). */
static PyObject *wide_words(PyObject *s, const char *sep) {
    PyObject *low = text_lower(s);
    if (low == NULL)
        return NULL;
    PyObject *out = lowered_words(low, sep);
    Py_DECREF(low);
    return out;
}

/* The separator table and the ASCII data of s; 1: ASCII, 0: other text, -1: error. */
static int ascii_args(const char *name, PyObject *seps, PyObject *s, const char **sep) {
    if (!PyBytes_CheckExact(seps) || PyBytes_GET_SIZE(seps) != 128 || !PyUnicode_CheckExact(s)) {
        PyErr_Format(PyExc_TypeError, "%s(): bytes of length 128 and a str expected", name);
        return -1;
    }
    *sep = PyBytes_AS_STRING(seps);
    return STR_READY(s) && PyUnicode_IS_ASCII(s);
}

PyObject *lower_words(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *sep;
    int ok;
    if (n_args("lower_words", nargs, 2) < 0 || (ok = ascii_args("lower_words", args[0], args[1], &sep)) < 0)
        return NULL;
    if (!ok)
        return wide_words(args[1], sep);
    Words ws = {.items = ws.stack, .n = 0, .cap = 256};
    PyObject *out = NULL;
    if (split_ascii(PyUnicode_1BYTE_DATA(args[1]), PyUnicode_GET_LENGTH(args[1]), sep, &ws, 0, NULL, NULL) == 0)
        out = words_list(&ws, ws.n, NULL);
    words_free(&ws);
    return out;
}

PyObject *lower_split(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *sep;
    int ok;
    if (n_args("lower_split", nargs, 3) < 0 || (ok = ascii_args("lower_split", args[0], args[1], &sep)) < 0)
        return NULL;
    Py_ssize_t n = PyLong_AsSsize_t(args[2]);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "lower_split(): n must be >= 0");
        return NULL;
    }
    if (!ok) { /* (s[:n].lower(), words_of(s.lower()), words_of(s[:n].lower())): lower may change lengths */
        PyObject *cut = PyUnicode_Substring(args[1], 0, n < PyUnicode_GET_LENGTH(args[1]) ? n : PyUnicode_GET_LENGTH(args[1]));
        PyObject *head = cut == NULL ? NULL : text_lower(cut);
        PyObject *words = head == NULL ? NULL : wide_words(args[1], sep);
        PyObject *head_words = words == NULL ? NULL : lowered_words(head, sep); /* (head is lowered already) */
        PyObject *out = head_words == NULL ? NULL : PyTuple_Pack(3, head, words, head_words);
        Py_XDECREF(cut);
        Py_XDECREF(head);
        Py_XDECREF(words);
        Py_XDECREF(head_words);
        return out;
    }
    const Py_UCS1 *p = PyUnicode_1BYTE_DATA(args[1]);
    Py_ssize_t len = PyUnicode_GET_LENGTH(args[1]), k;
    Words ws = {.items = ws.stack, .n = 0, .cap = 256};
    PyObject *cut = NULL, *out = NULL;
    if (split_ascii(p, len, sep, &ws, n, &k, &cut) == 0) {
        PyObject *head_words = words_list(&ws, k, cut), *words = words_list(&ws, ws.n, NULL);
        PyObject *low = lower_str(p, n < len ? n : len);
        if (head_words != NULL && words != NULL && low != NULL)
            out = PyTuple_Pack(3, low, words, head_words);
        Py_XDECREF(head_words);
        Py_XDECREF(words);
        Py_XDECREF(low);
    } else
        Py_XDECREF(cut);
    words_free(&ws);
    return out;
}

/* glued_words's loop over the characters p[0:len] of one kind (T): each word holding a non-ASCII character gives its
 * runs of ASCII characters, lower-cased; 1 if a Kelvin sign (U+212A, lower-cased to an ASCII "k") is met, else 0. */
#define GLUED(T)                                                                                                   \
    do {                                                                                                           \
        const T *p = (const T *)data;                                                                              \
        for (;;) {                                                                                                 \
            NEXT_WORD(p);                                                                                          \
            Py_ssize_t start = i;                                                                                  \
            int ascii = 1;                                                                                         \
            for (; i < len && !IS_SEP(p[i]); i++)                                                                  \
                if (p[i] >= 128) {                                                                                 \
                    if (p[i] == 0x212a)                                                                            \
                        return 1;                                                                                  \
                    ascii = 0;                                                                                     \
                }                                                                                                  \
            for (Py_ssize_t k = start; !ascii && k < i;) {                                                         \
                while (k < i && p[k] >= 128)                                                                       \
                    k++;                                                                                           \
                Py_ssize_t run = k;                                                                                \
                uint32_t h = FNV_START;                                                                            \
                for (; k < i && p[k] < 128; k++) {                                                                 \
                    if (k - run < CACHE_MAX_LEN)                                                                   \
                        buf[k - run] = (Py_UCS1)p[k];                                                              \
                    h = FNV(h, LOWER(p[k]));                                                                       \
                }                                                                                                  \
                if (k == run)                                                                                      \
                    continue;                                                                                      \
                PyObject *w = k - run <= CACHE_MAX_LEN ? word_str(buf, k - run, h) : NULL;                         \
                if (k - run > CACHE_MAX_LEN) {                                                                     \
                    PyObject *sub = PyUnicode_Substring(s, run, k);                                                \
                    w = sub == NULL ? NULL : PyObject_CallMethod(sub, "lower", NULL);                              \
                    Py_XDECREF(sub);                                                                               \
                }                                                                                                  \
                if (w == NULL || words_push(ws, w) < 0)                                                            \
                    return -1;                                                                                     \
            }                                                                                                      \
        }                                                                                                          \
    } while (0)

/* The glued words of s into ws; 0, 1 (a Kelvin sign: left to Python), or -1 on error. */
static int split_glued(PyObject *s, const char *sep, Words *ws) {
    BY_KIND(GLUED, s);
    return 0;
}

/* glued_words(seps, s) -> list[str] | None: the Latin-script words of s written against other characters, lower-cased
 * (= glued.glued_words_python, in text order); None when s holds a Kelvin sign. */
PyObject *glued_words(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *sep;
    int ok;
    if (n_args("glued_words", nargs, 2) < 0 || (ok = ascii_args("glued_words", args[0], args[1], &sep)) < 0)
        return NULL;
    if (ok) /* ASCII text: no word holds another character */
        return PyList_New(0);
    Words ws = {.items = ws.stack, .n = 0, .cap = 256};
    PyObject *out = NULL;
    int r = split_glued(args[1], sep, &ws);
    if (r == 0)
        out = words_list(&ws, ws.n, NULL);
    else if (r == 1)
        out = Py_NewRef(Py_None);
    words_free(&ws);
    return out;
}
