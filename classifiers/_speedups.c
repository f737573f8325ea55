/* Optional C accelerator for the classifier's hottest pure functions.
 *
 * The pure-Python implementations stay the reference (classifiers/lexicons.py,
 * classifiers/shape.py + inference.py); every function here returns exactly what they return,
 * or None when it does not handle the input (the caller then runs the Python code).
 *
 *   lexicon_table(words, prefixes, phrases, n) -> capsule   (built once at import)
 *   lexicon_counts(table, words) -> list[int] | None        (= lexicons.lexicon_counts_reference)
 *   gram_sum(head_words, sys_words, coef) -> (float, int) | None
 *       (= math.fsum of coef[crc32(key) & mask] over the distinct keys of shape.gram_keys, and
 *        their number; coef is a buffer of doubles whose length is a power of two)
 *   count_table(groups) -> capsule; count_groups(table, s) -> tuple[int, ...]
 *       (per group of substrings, the sum of their str.count in s; _speedups_text.c)
 *   ascii_digits_zeroed(s) -> str | None
 *       (s with its ASCII digits replaced by "0"; None if s holds another decimal digit)
 *   quantities0(s0) -> (int, int)  (quantities' numbers and numbers with a unit of zeroed text, units -1 if
 *       undecided; _speedups_numbers.c)
 *   lower(s) -> str  (= s.lower(), on any text in one pass; _speedups_case.c)
 *   lower_words(seps, s), lower_split(seps, s, n)  (words_of(s.lower()); _speedups_words.c)
 *   glued_words(seps, s) -> list[str] | None  (the Latin-script words glued to other characters; _speedups_words.c)
 *   shape_table(...) -> capsule; shape_walk(table, head)  (shape.shape_matches; _speedups_shape.c)
 *   record_runs(s, min_run, sample) -> list[(int, int)]  (the spans pasted_data drops; _speedups_lines.c)
 *
 * No Python code runs inside these functions (only exact str objects are looked up or compared),
 * so they are atomic under the GIL.
 */
#include "_speedups.h"

/* ------------------------------------------------------------------------------------------
 * Lexicon counts
 * ---------------------------------------------------------------------------------------- */

#define MAX_LEX 64 /* lexicons (17 today); counts live on the stack */
#define MAX_IDS 8  /* lexicons of one entry */

typedef struct {
    int n;
    int ids[MAX_IDS];
} Ids;

typedef struct {
    PyObject *rest; /* tuple of str: the words after the first */
    Ids ids;
} Phrase;

/* Open addressing on the bytes of ASCII words: a word's str hash (SipHash) costs more than
 * this whole lookup, and most words are looked up once. */
typedef struct {
    const char *bytes; /* the key's characters (owned by Lexicon.index) */
    uint32_t hash, len;
    Py_ssize_t entry; /* -1: empty */
} Slot;

static inline uint32_t fnv1a(const char *p, Py_ssize_t n, int *space) { /* also: is there a ' '? */
    uint32_t h = 2166136261u;
    int sp = 0;
    while (n--) {
        unsigned char c = (unsigned char)*p++;
        sp |= c == ' ';
        h = (h ^ c) * 16777619u;
    }
    *space = sp;
    return h;
}

/* Prefix buckets by first character: one per ASCII character, then non-ASCII characters by
 * their low bits (other languages' stems: a word is compared only with its bucket's prefixes). */
#define OTHER_BUCKETS 64
#define N_BUCKETS (128 + OTHER_BUCKETS)
#define BUCKET(c) ((c) < 128 ? (Py_ssize_t)(c) : 128 + (Py_ssize_t)((c) & (OTHER_BUCKETS - 1)))

typedef struct {
    Ids ids;                 /* lexicons of the word as a single-word entry (n == 0: not one) */
    Py_ssize_t first, count; /* its phrases: phrases[first : first + count] */
} Entry;

typedef struct {
    PyObject *index; /* dict: word -> int (its Entry); single words and phrase first words */
    Slot *slots;     /* the ASCII words of index again, looked up without hashing a str object */
    uint32_t slot_mask;
    Entry *entries;
    Phrase *phrases;
    Py_ssize_t n_entries, n_phrases;
    PyObject *prefixes; /* tuple of non-empty str, sorted by first character's bucket */
    int *prefix_ids;
    Py_UCS4 *prefix_first; /* each prefix's first character (compared before the prefix) */
    Py_ssize_t by_first[N_BUCKETS + 1]; /* prefixes in bucket b: [by_first[b], by_first[b + 1]) */
    int n_lex;
} Lexicon;

static const char *LEXICON_CAPSULE = "classifiers._speedups.Lexicon";

static void lexicon_free(Lexicon *lx) {
    if (lx == NULL)
        return;
    for (Py_ssize_t i = 0; i < lx->n_phrases; i++)
        Py_XDECREF(lx->phrases[i].rest);
    Py_XDECREF(lx->index);
    PyMem_Free(lx->slots);
    Py_XDECREF(lx->prefixes);
    PyMem_Free(lx->entries);
    PyMem_Free(lx->phrases);
    PyMem_Free(lx->prefix_ids);
    PyMem_Free(lx->prefix_first);
    PyMem_Free(lx);
}

static void lexicon_capsule_free(PyObject *cap) {
    lexicon_free((Lexicon *)PyCapsule_GetPointer(cap, LEXICON_CAPSULE));
}

/* A tuple of lexicon ids -> Ids (each id checked against n_lex). */
static int read_ids(PyObject *tup, int n_lex, Ids *out) {
    if (!PyTuple_Check(tup) || PyTuple_GET_SIZE(tup) > MAX_IDS) {
        PyErr_SetString(PyExc_ValueError, "lexicon ids: a tuple of at most 8 ints expected");
        return -1;
    }
    out->n = (int)PyTuple_GET_SIZE(tup);
    for (int i = 0; i < out->n; i++) {
        long k = PyLong_AsLong(PyTuple_GET_ITEM(tup, i));
        if (k == -1 && PyErr_Occurred())
            return -1;
        if (k < 0 || k >= n_lex) {
            PyErr_SetString(PyExc_ValueError, "lexicon id out of range");
            return -1;
        }
        out->ids[i] = (int)k;
    }
    return 0;
}

/* The Entry of word w, created (empty) if absent; -1 on error. */
static Py_ssize_t entry_of(Lexicon *lx, PyObject *w, Py_ssize_t cap) {
    PyObject *v = PyDict_GetItemWithError(lx->index, w);
    if (v != NULL)
        return PyLong_AsSsize_t(v);
    if (PyErr_Occurred())
        return -1;
    if (lx->n_entries >= cap) {
        PyErr_SetString(PyExc_RuntimeError, "lexicon table overflow");
        return -1;
    }
    Py_ssize_t e = lx->n_entries++;
    memset(&lx->entries[e], 0, sizeof(Entry));
    PyObject *num = PyLong_FromSsize_t(e);
    if (num == NULL || PyDict_SetItem(lx->index, w, num) < 0) {
        Py_XDECREF(num);
        return -1;
    }
    Py_DECREF(num);
    return e;
}

/* lexicon_table(words: dict[str, tuple[int]], prefixes: list[tuple[str, int]],
 *               phrases: dict[str, tuple[int]], n_lexicons: int) -> capsule */
static PyObject *lexicon_table(PyObject *self, PyObject *args) {
    PyObject *words, *prefixes, *phrases, *split = NULL;
    int n_lex;
    if (!PyArg_ParseTuple(args, "O!O!O!i", &PyDict_Type, &words, &PyList_Type, &prefixes, &PyDict_Type, &phrases,
                          &n_lex))
        return NULL;
    if (n_lex < 1 || n_lex > MAX_LEX) {
        PyErr_SetString(PyExc_ValueError, "number of lexicons out of range");
        return NULL;
    }
    Lexicon *lx = PyMem_Calloc(1, sizeof(Lexicon));
    if (lx == NULL)
        return PyErr_NoMemory();
    lx->n_lex = n_lex;
    Py_ssize_t cap = PyDict_GET_SIZE(words) + PyDict_GET_SIZE(phrases) + 1;
    Py_ssize_t n_pre = PyList_GET_SIZE(prefixes);
    lx->index = PyDict_New();
    lx->entries = PyMem_Calloc(cap, sizeof(Entry));
    lx->phrases = PyMem_Calloc(PyDict_GET_SIZE(phrases) + 1, sizeof(Phrase));
    lx->n_phrases = PyDict_GET_SIZE(phrases); /* filled out of order below; NULL until then */
    lx->prefixes = PyTuple_New(n_pre);
    lx->prefix_ids = PyMem_Calloc(n_pre + 1, sizeof(int));
    lx->prefix_first = PyMem_Calloc(n_pre + 1, sizeof(Py_UCS4));
    split = PyList_New(0); /* each phrase split into words, in dict order */
    if (!lx->index || !lx->entries || !lx->phrases || !lx->prefixes || !lx->prefix_ids || !lx->prefix_first || !split)
        goto fail;

    PyObject *key, *val;
    Py_ssize_t pos = 0;
    while (PyDict_Next(words, &pos, &key, &val)) { /* single-word entries */
        if (!PyUnicode_CheckExact(key)) {
            PyErr_SetString(PyExc_TypeError, "lexicon words must be str");
            goto fail;
        }
        Py_ssize_t e = entry_of(lx, key, cap);
        if (e < 0 || read_ids(val, n_lex, &lx->entries[e].ids) < 0)
            goto fail;
    }
    /* Phrases grouped by first word: count them per entry, then fill each entry's range. */
    pos = 0;
    while (PyDict_Next(phrases, &pos, &key, &val)) {
        PyObject *parts = PyUnicode_Split(key, NULL, -1);
        if (parts == NULL || PyList_Append(split, parts) < 0) {
            Py_XDECREF(parts);
            goto fail;
        }
        Py_DECREF(parts);
        if (PyList_GET_SIZE(parts) < 2) {
            PyErr_SetString(PyExc_ValueError, "a phrase has at least two words");
            goto fail;
        }
        Py_ssize_t e = entry_of(lx, PyList_GET_ITEM(parts, 0), cap);
        if (e < 0)
            goto fail;
        lx->entries[e].count++;
    }
    Py_ssize_t next = 0;
    for (Py_ssize_t e = 0; e < lx->n_entries; e++) {
        lx->entries[e].first = next;
        next += lx->entries[e].count;
        lx->entries[e].count = 0; /* refilled below */
    }
    pos = 0;
    for (Py_ssize_t i = 0; PyDict_Next(phrases, &pos, &key, &val); i++) {
        PyObject *parts = PyList_GET_ITEM(split, i);
        Py_ssize_t e = entry_of(lx, PyList_GET_ITEM(parts, 0), cap);
        if (e < 0)
            goto fail;
        Entry *en = &lx->entries[e];
        Phrase *ph = &lx->phrases[en->first + en->count++];
        ph->rest = PyList_GetSlice(parts, 1, PyList_GET_SIZE(parts));
        if (ph->rest == NULL || read_ids(val, n_lex, &ph->ids) < 0)
            goto fail;
        Py_SETREF(ph->rest, PyList_AsTuple(ph->rest));
        if (ph->rest == NULL)
            goto fail;
    }
    /* prefixes: (str, lexicon id), placed by first character's bucket (a counting sort: a word
     * is then compared only with the prefixes in its first character's bucket) */
    for (int pass = 0; pass < 2; pass++) {
        Py_ssize_t fill[N_BUCKETS] = {0};
        for (Py_ssize_t i = 0; i < n_pre; i++) {
            PyObject *pre;
            int k;
            if (!PyArg_ParseTuple(PyList_GET_ITEM(prefixes, i), "Ui", &pre, &k))
                goto fail;
            if (MAKE_READY(pre) < 0 || PyUnicode_GET_LENGTH(pre) == 0 || k < 0 || k >= n_lex) {
                PyErr_SetString(PyExc_ValueError, "prefixes: (non-empty str, lexicon id) expected");
                goto fail;
            }
            Py_UCS4 first = PyUnicode_READ_CHAR(pre, 0);
            Py_ssize_t c = BUCKET(first);
            if (pass == 0) {
                lx->by_first[c + 1]++;
                continue;
            }
            Py_ssize_t at = lx->by_first[c] + fill[c]++;
            PyTuple_SET_ITEM(lx->prefixes, at, Py_NewRef(pre));
            lx->prefix_ids[at] = k;
            lx->prefix_first[at] = first;
        }
        if (pass == 0)
            for (int c = 0; c < N_BUCKETS; c++)
                lx->by_first[c + 1] += lx->by_first[c];
    }
    /* the slots: at most 1/4 full */
    Py_ssize_t n_slots = 16;
    while (n_slots < 4 * lx->n_entries)
        n_slots *= 2;
    if ((lx->slots = PyMem_Malloc(n_slots * sizeof(Slot))) == NULL)
        goto fail;
    lx->slot_mask = (uint32_t)(n_slots - 1);
    for (Py_ssize_t i = 0; i < n_slots; i++)
        lx->slots[i].entry = -1;
    pos = 0;
    while (PyDict_Next(lx->index, &pos, &key, &val)) {
        if (!PyUnicode_IS_ASCII(key))
            continue; /* found through the dict */
        Slot sl = {(const char *)PyUnicode_1BYTE_DATA(key), 0, (uint32_t)PyUnicode_GET_LENGTH(key),
                   PyLong_AsSsize_t(val)};
        int space;
        sl.hash = fnv1a(sl.bytes, sl.len, &space);
        uint32_t i = sl.hash & lx->slot_mask;
        while (lx->slots[i].entry >= 0)
            i = (i + 1) & lx->slot_mask;
        lx->slots[i] = sl;
    }
    Py_DECREF(split);
    PyObject *cap_obj = PyCapsule_New(lx, LEXICON_CAPSULE, lexicon_capsule_free);
    if (cap_obj == NULL)
        lexicon_free(lx);
    return cap_obj;
fail:
    Py_XDECREF(split);
    lexicon_free(lx);
    return NULL;
}

/* a == b for exact str objects (compact strings of equal text have equal kind). */
static inline int str_eq(PyObject *a, PyObject *b) {
    if (a == b)
        return 1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(a);
    return n == PyUnicode_GET_LENGTH(b) && PyUnicode_KIND(a) == PyUnicode_KIND(b) &&
           memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), n * PyUnicode_KIND(a)) == 0;
}

/* w starts with pre, whose length m is at most w's (compact str objects: equal kinds compare
 * their bytes, other kinds character by character). */
static inline int starts_with(PyObject *w, PyObject *pre, Py_ssize_t m) {
    int kw = PyUnicode_KIND(w), kp = PyUnicode_KIND(pre);
    const void *dw = PyUnicode_DATA(w), *dp = PyUnicode_DATA(pre);
    if (kw == kp)
        return memcmp(dw, dp, (size_t)m * (size_t)kw) == 0;
    for (Py_ssize_t i = 0; i < m; i++)
        if (PyUnicode_READ(kw, dw, i) != PyUnicode_READ(kp, dp, i))
            return 0;
    return 1;
}

/* Prefix entries of a word that is not a single-word entry (every matching prefix counts). */
static int count_prefixes(const Lexicon *lx, PyObject *w, long *counts) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(w);
    if (n == 0)
        return 0;
    Py_UCS4 c = PyUnicode_READ_CHAR(w, 0);
    Py_ssize_t b = BUCKET(c);
    for (Py_ssize_t i = lx->by_first[b]; i < lx->by_first[b + 1]; i++) {
        if (lx->prefix_first[i] != c)
            continue;
        PyObject *pre = PyTuple_GET_ITEM(lx->prefixes, i);
        Py_ssize_t m = PyUnicode_GET_LENGTH(pre);
        if (m <= n && starts_with(w, pre, m))
            counts[lx->prefix_ids[i]]++;
    }
    return 0;
}

/* A word with a space could join with its neighbours into a phrase (the reference compares
 * " ".join(words[i:i + L])), and str subclasses could compare differently: such words (never
 * produced by words_of) are left to Python. */
#define UNHANDLED (-3)

/* The Entry of word w: its index, -1 if none, -2 on error, UNHANDLED. */
static inline Py_ssize_t find_entry(const Lexicon *lx, PyObject *w) {
    if (!PyUnicode_CheckExact(w) || !STR_READY(w))
        return UNHANDLED;
    if (PyUnicode_IS_ASCII(w)) {
        const char *p = (const char *)PyUnicode_1BYTE_DATA(w);
        Py_ssize_t n = PyUnicode_GET_LENGTH(w);
        int space;
        uint32_t h = fnv1a(p, n, &space);
        if (space)
            return UNHANDLED;
        for (uint32_t i = h & lx->slot_mask; lx->slots[i].entry >= 0; i = (i + 1) & lx->slot_mask) {
            const Slot *sl = &lx->slots[i];
            if (sl->hash == h && sl->len == n && memcmp(sl->bytes, p, n) == 0)
                return sl->entry;
        }
        return -1;
    }
    if (PyUnicode_FindChar(w, ' ', 0, PyUnicode_GET_LENGTH(w), 1) != -1)
        return UNHANDLED;
    PyObject *v = PyDict_GetItemWithError(lx->index, w);
    return v != NULL ? PyLong_AsSsize_t(v) : PyErr_Occurred() ? -2 : -1;
}

static inline void add_ids(const Ids *ids, long *counts) {
    for (int k = 0; k < ids->n; k++)
        counts[ids->ids[k]]++;
}

/* lexicon_counts(table, words: list[str]) -> list[int] | None (None: not a list of exact str
 * without spaces). */
static PyObject *lexicon_counts(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (n_args("lexicon_counts", nargs, 2) < 0)
        return NULL;
    PyObject *words = args[1];
    const Lexicon *lx = PyCapsule_GetPointer(args[0], LEXICON_CAPSULE);
    if (lx == NULL)
        return NULL;
    if (!PyList_CheckExact(words))
        Py_RETURN_NONE;
    Py_ssize_t n = PyList_GET_SIZE(words);
    PyObject **w = PySequence_Fast_ITEMS(words);
    long counts[MAX_LEX] = {0};
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t found = find_entry(lx, w[i]);
        if (found == UNHANDLED)
            Py_RETURN_NONE;
        if (found < 0) {
            if (found == -2 || count_prefixes(lx, w[i], counts) < 0)
                return NULL;
            continue;
        }
        const Entry *e = &lx->entries[found];
        if (e->ids.n)
            add_ids(&e->ids, counts);
        else if (count_prefixes(lx, w[i], counts) < 0) /* a phrase's first word only */
            return NULL;
        /* phrases starting here: every start position counts (overlaps included) */
        for (Py_ssize_t p = e->first; p < e->first + e->count; p++) {
            const Phrase *ph = &lx->phrases[p];
            Py_ssize_t m = PyTuple_GET_SIZE(ph->rest), j = 0;
            if (i + m >= n)
                continue;
            while (j < m && str_eq(w[i + 1 + j], PyTuple_GET_ITEM(ph->rest, j)))
                j++;
            if (j == m)
                add_ids(&ph->ids, counts);
        }
    }
    PyObject *out = PyList_New(lx->n_lex);
    if (out == NULL)
        return NULL;
    for (int k = 0; k < lx->n_lex; k++) {
        PyObject *c = PyLong_FromLong(counts[k]);
        if (c == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, k, c);
    }
    return out;
}

static PyMethodDef methods[] = {
    {"lexicon_table", lexicon_table, METH_VARARGS, "Build the lexicon lookup table (once)."},
    {"lexicon_counts", (PyCFunction)(void (*)(void))lexicon_counts, METH_FASTCALL, "lexicon_counts(table, words) -> list[int] | None"},
    {"gram_sum", (PyCFunction)(void (*)(void))gram_sum, METH_FASTCALL, "gram_sum(head_words, sys_words, coef) -> (float, int) | None"},
    {"count_table", count_table, METH_VARARGS, "Build the substring-count table (once)."},
    {"count_groups", (PyCFunction)(void (*)(void))count_groups, METH_FASTCALL, "count_groups(table, s) -> tuple[int, ...]"},
    {"ascii_digits_zeroed", (PyCFunction)(void (*)(void))ascii_digits_zeroed, METH_FASTCALL,
     "ascii_digits_zeroed(s) -> str | None"},
    {"quantities0", (PyCFunction)(void (*)(void))quantities0, METH_FASTCALL, "quantities0(s0) -> (numbers, units)"},
    {"lower", (PyCFunction)(void (*)(void))lower, METH_FASTCALL, "lower(s) -> str (= s.lower())"},
    {"lower_words", (PyCFunction)(void (*)(void))lower_words, METH_FASTCALL, "lower_words(seps, s) -> list[str]"},
    {"lower_split", (PyCFunction)(void (*)(void))lower_split, METH_FASTCALL,
     "lower_split(seps, s, n) -> (head, words, head_words)"},
    {"glued_words", (PyCFunction)(void (*)(void))glued_words, METH_FASTCALL, "glued_words(seps, s) -> list[str] | None"},
    {"shape_table", shape_table, METH_VARARGS, "Build the answer-shape token table (once)."},
    {"shape_walk", (PyCFunction)(void (*)(void))shape_walk, METH_FASTCALL, "shape_walk(table, head) -> list | None"},
    {"record_runs", (PyCFunction)(void (*)(void))record_runs, METH_FASTCALL,
     "record_runs(s, min_run, sample) -> list[tuple[int, int]]"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", "Optional C accelerator of the classifier.",
                                    -1, methods};

PyMODINIT_FUNC PyInit__speedups(void) {
    crc_init();
    words_init();
    return PyModule_Create(&module);
}
