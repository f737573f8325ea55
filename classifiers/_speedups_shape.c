/* The answer-shape token walk of the optional C accelerator (see _speedups.c): shape.shape_matches
 * on any head, the alternatives that need a regex still matched by their compiled pattern (pat.match(head, p)).
 *
 *   shape_table(first, anchored, num_tokens, num_prefixes, num_phrases, nouns, listn, nwords, nwords_prefixes)
 *       -> capsule
 *       (shape._FIRST, shape._ANCHORED: token -> ((group, pattern, n, second), ...); the tokens
 *        and prefixes that make listn's number; the nouns that make nwords possible, its attempt
 *        (group, pattern, 0, None), and the number words its token may start with)
 *   shape_walk(table, head) -> list[(group, start, end, number text | None)]
 *
 * The walk mirrors shape.shape_matches step by step (same gates, same order of attempts).
 */
#include "_speedups.h"

typedef struct {
    int gi, n, listn;  /* group index; n > 0: matches with n characters (no regex); listn's group */
    PyObject *match;   /* the alternative's pattern.match */
    PyObject *second;  /* tuple of str or NULL: the next token must be one of them */
} Attempt;

typedef struct {
    PyObject *tok;       /* the token (ASCII str); NULL: empty slot */
    int first, n_first;  /* its keyword attempts: attempts[first : first + n_first] */
    int anch, n_anch;    /* its attempts at position 0 (^-anchored alternatives) */
    int num;             /* a number word of listn */
} Key;

#define KEY_SLOTS 1024 /* a power of two, over twice the tokens */
#define MAX_ATTEMPTS 512

typedef struct {
    Key keys[KEY_SLOTS];
    Attempt attempts[MAX_ATTEMPTS];
    int n_attempts;
    PyObject *num_prefixes, *num_phrases, *nouns, *nwords_prefixes; /* tuples of ASCII str */
    Attempt *nwords;                                                 /* in attempts */
} Shape;

static const char *SHAPE_CAPSULE = "classifiers._speedups.Shape";

static uint32_t hash_bytes(const char *p, Py_ssize_t n) { /* FNV-1a */
    uint32_t h = 2166136261u;
    while (n--)
        h = (h ^ (unsigned char)*p++) * 16777619u;
    return h;
}

/* The slot of token p[:n] (its Key, or the empty slot where it goes). */
static Key *key_slot(Shape *sh, const char *p, Py_ssize_t n) {
    uint32_t i = hash_bytes(p, n);
    for (;; i++) {
        Key *k = &sh->keys[i & (KEY_SLOTS - 1)];
        if (k->tok == NULL ||
            (PyUnicode_GET_LENGTH(k->tok) == n && memcmp(PyUnicode_1BYTE_DATA(k->tok), p, n) == 0))
            return k;
    }
}

static void shape_free(PyObject *cap) {
    Shape *sh = PyCapsule_GetPointer(cap, SHAPE_CAPSULE);
    if (sh == NULL)
        return;
    for (int i = 0; i < KEY_SLOTS; i++)
        Py_XDECREF(sh->keys[i].tok);
    for (int i = 0; i < sh->n_attempts; i++) {
        Py_XDECREF(sh->attempts[i].match);
        Py_XDECREF(sh->attempts[i].second);
    }
    Py_XDECREF(sh->num_prefixes);
    Py_XDECREF(sh->num_phrases);
    Py_XDECREF(sh->nouns);
    Py_XDECREF(sh->nwords_prefixes);
    PyMem_Free(sh);
}

static int ascii_str(PyObject *o) { return PyUnicode_CheckExact(o) && STR_READY(o) && PyUnicode_IS_ASCII(o); }

/* The Key of ASCII str tok, added if absent; NULL on error. */
static Key *key_of(Shape *sh, PyObject *tok, int *n_keys) {
    if (!ascii_str(tok)) {
        PyErr_SetString(PyExc_ValueError, "shape_table: tokens must be ASCII str");
        return NULL;
    }
    Key *k = key_slot(sh, (const char *)PyUnicode_1BYTE_DATA(tok), PyUnicode_GET_LENGTH(tok));
    if (k->tok == NULL) {
        if (++*n_keys > KEY_SLOTS / 2) {
            PyErr_SetString(PyExc_ValueError, "shape_table: too many tokens");
            return NULL;
        }
        k->tok = Py_NewRef(tok);
    }
    return k;
}

/* The next attempt of sh read from the tuple (gi, pattern, n, second); NULL on error. */
static Attempt *read_attempt(Shape *sh, PyObject *tup, int listn) {
    if (sh->n_attempts >= MAX_ATTEMPTS)
        return PyErr_SetString(PyExc_ValueError, "shape_table: bad attempts"), NULL;
    Attempt *a = &sh->attempts[sh->n_attempts++];
    PyObject *pat, *second;
    if (!PyArg_ParseTuple(tup, "iOiO", &a->gi, &pat, &a->n, &second))
        return NULL;
    a->listn = a->gi == listn;
    if ((a->match = PyObject_GetAttrString(pat, "match")) == NULL)
        return NULL;
    if (second != Py_None && (a->second = PySequence_Tuple(second)) == NULL)
        return NULL;
    return a;
}

/* Copy the attempts of dict `d` (token -> tuple of (gi, pattern, n, second)); anchored: 0/1. */
static int read_attempts(Shape *sh, PyObject *d, int anchored, int listn, int *n_keys) {
    PyObject *tok, *tup;
    Py_ssize_t pos = 0;
    if (!PyDict_Check(d))
        return PyErr_SetString(PyExc_TypeError, "shape_table: dicts expected"), -1;
    while (PyDict_Next(d, &pos, &tok, &tup)) {
        Key *k = key_of(sh, tok, n_keys);
        if (k == NULL)
            return -1;
        if (!PyTuple_Check(tup) || sh->n_attempts + PyTuple_GET_SIZE(tup) > MAX_ATTEMPTS)
            return PyErr_SetString(PyExc_ValueError, "shape_table: bad attempts"), -1;
        *(anchored ? &k->anch : &k->first) = sh->n_attempts;
        *(anchored ? &k->n_anch : &k->n_first) = (int)PyTuple_GET_SIZE(tup);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(tup); i++)
            if (read_attempt(sh, PyTuple_GET_ITEM(tup, i), listn) == NULL)
                return -1;
    }
    return 0;
}

static PyObject *ascii_tuple(PyObject *o) { /* a tuple of non-empty ASCII str, or NULL */
    PyObject *t = PySequence_Tuple(o);
    for (Py_ssize_t i = 0; t != NULL && i < PyTuple_GET_SIZE(t); i++)
        if (!ascii_str(PyTuple_GET_ITEM(t, i)) || PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(t, i)) == 0) {
            PyErr_SetString(PyExc_ValueError, "shape_table: non-empty ASCII str expected");
            Py_CLEAR(t);
        }
    return t;
}

PyObject *shape_table(PyObject *self, PyObject *args) {
    PyObject *first, *anchored, *num_tokens, *prefixes, *phrases, *nouns, *nwords, *nwords_prefixes, *it, *tok;
    int listn, n_keys = 0;
    if (!PyArg_ParseTuple(args, "OOOOOOiOO", &first, &anchored, &num_tokens, &prefixes, &phrases, &nouns, &listn,
                          &nwords, &nwords_prefixes))
        return NULL;
    Shape *sh = PyMem_Calloc(1, sizeof(Shape));
    if (sh == NULL)
        return PyErr_NoMemory();
    PyObject *cap = PyCapsule_New(sh, SHAPE_CAPSULE, shape_free);
    if (cap == NULL) {
        PyMem_Free(sh);
        return NULL;
    }
    if (read_attempts(sh, first, 0, listn, &n_keys) < 0 || read_attempts(sh, anchored, 1, listn, &n_keys) < 0 ||
        (it = PyObject_GetIter(num_tokens)) == NULL)
        goto fail;
    while ((tok = PyIter_Next(it)) != NULL) {
        Key *k = key_of(sh, tok, &n_keys);
        Py_DECREF(tok);
        if (k == NULL)
            break;
        k->num = 1;
    }
    Py_DECREF(it);
    if (PyErr_Occurred() || (sh->num_prefixes = ascii_tuple(prefixes)) == NULL ||
        (sh->num_phrases = ascii_tuple(phrases)) == NULL || (sh->nouns = ascii_tuple(nouns)) == NULL ||
        (sh->nwords_prefixes = ascii_tuple(nwords_prefixes)) == NULL || (sh->nwords = read_attempt(sh, nwords, listn)) == NULL)
        goto fail;
    return cap;
fail:
    Py_DECREF(cap);
    return NULL;
}

/* Does one of the strings of tuple t occur in s[:n]? */
static int has_any(const char *s, Py_ssize_t n, PyObject *t) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t); i++) {
        const char *w = (const char *)PyUnicode_1BYTE_DATA(PyTuple_GET_ITEM(t, i));
        Py_ssize_t m = PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(t, i));
        for (const char *q = s; q + m <= s + n && (q = memchr(q, w[0], s + n - m - q + 1)) != NULL; q++)
            if (memcmp(q, w, m) == 0)
                return 1;
    }
    return 0;
}

/* Does s[at:n] start with one of the strings of tuple t? */
static int starts_any(const char *s, Py_ssize_t n, Py_ssize_t at, PyObject *t) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t); i++) {
        Py_ssize_t m = PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(t, i));
        if (at + m <= n && memcmp(s + at, PyUnicode_1BYTE_DATA(PyTuple_GET_ITEM(t, i)), m) == 0)
            return 1;
    }
    return 0;
}

typedef struct {
    Py_ssize_t start, end; /* a \w+ run of the head */
    Key *key;              /* NULL: in no table */
    int num;               /* -1: not computed; else: begins with a number of listn */
} Tok;

/* Append (gi, p, end, num) to out (num stolen); 1, or -1 on error. */
static int emit(PyObject *out, int gi, Py_ssize_t p, Py_ssize_t end, PyObject *num) {
    PyObject *t = num == NULL ? NULL : Py_BuildValue("(innN)", gi, p, end, num);
    int r = t == NULL ? -1 : PyList_Append(out, t);
    Py_XDECREF(t);
    return r < 0 ? -1 : 1;
}

/* Attempt a at p of head: 1 matched (appended to out, *pos = its end), 0 not, -1 error. */
static int attempt(const Attempt *a, PyObject *head, Py_ssize_t p, Py_ssize_t *pos, PyObject *out) {
    if (a->n) {
        *pos = p + a->n;
        return emit(out, a->gi, p, *pos, Py_NewRef(Py_None));
    }
    PyObject *argv[2] = {head, PyLong_FromSsize_t(p)};
    if (argv[1] == NULL)
        return -1;
    PyObject *m = PyObject_Vectorcall(a->match, argv, 2, NULL);
    Py_DECREF(argv[1]);
    if (m == NULL || m == Py_None) {
        Py_XDECREF(m);
        return m == NULL ? -1 : 0;
    }
    PyObject *end = PyObject_CallMethod(m, "end", NULL);
    PyObject *num = end == NULL ? NULL : a->gi <= 1 ? PyObject_CallMethod(m, "group", "i", 2) : Py_NewRef(Py_None);
    Py_DECREF(m);
    *pos = end == NULL ? -1 : PyLong_AsSsize_t(end);
    Py_XDECREF(end);
    if (*pos == -1 && PyErr_Occurred()) {
        Py_XDECREF(num);
        return -1;
    }
    return emit(out, a->gi, p, *pos, num);
}

static int is_word(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

/* Does the token t of tr begin nwords's number: a digit ("0"), a number word, or "a" alone? */
static int nwords_start(const Shape *sh, const char *tr, Py_ssize_t len, const Tok *t) {
    return tr[t->start] == '0' || (t->end - t->start == 1 && tr[t->start] == 'a') ||
           starts_any(tr, len, t->start, sh->nwords_prefixes);
}

#define MAX_TOKEN_ATTEMPTS 64

/* The attempts at token j (its keyword attempts, nwords's among them by group when `nw` and the token begins a number,
 * then at 0 the anchored ones) into list, in priority order; how many. */
static int token_attempts(const Shape *sh, const Tok *toks, Py_ssize_t j, const char *tr, Py_ssize_t len, int nw,
                          const Attempt **list) {
    const Key *k = toks[j].key;
    int m = 0, add_nwords = nw && nwords_start(sh, tr, len, &toks[j]);
    for (int i = 0; k != NULL && i < k->n_first && m < MAX_TOKEN_ATTEMPTS - 1; i++) {
        const Attempt *a = &sh->attempts[k->first + i];
        if (add_nwords && a->gi > sh->nwords->gi) {
            list[m++] = sh->nwords;
            add_nwords = 0;
        }
        list[m++] = a;
    }
    if (add_nwords)
        list[m++] = sh->nwords;
    for (int i = 0; k != NULL && toks[j].start == 0 && i < k->n_anch && m < MAX_TOKEN_ATTEMPTS; i++)
        list[m++] = &sh->attempts[k->anch + i];
    return m;
}

/* The walk of shape_matches over the tokens of head (s = its characters, tr = its \w+ runs with
 * digits as "0" and other characters as spaces; nw: an nwords noun occurs); appends to out. 0, or -1 on error. */
static int walk(Shape *sh, PyObject *head, const char *s, Py_ssize_t len, const char *tr, Tok *toks, Py_ssize_t nt,
                int any_digit, int nw, PyObject *out) {
    int has_num = any_digit || has_any(s, len, sh->num_phrases); /* listn's number can occur */
    for (Py_ssize_t j = 0; j < nt && !has_num; j++)
        has_num = toks[j].key != NULL && toks[j].key->num;
    Py_ssize_t pos = 0;
    const Attempt *list[MAX_TOKEN_ATTEMPTS];
    for (Py_ssize_t j = 0; j < nt; j++) {
        Py_ssize_t p = toks[j].start;
        int m = p < pos ? 0 : token_attempts(sh, toks, j, tr, len, nw, list);
        for (int i = 0, r = 0; r == 0 && i < m; i++) {
            const Attempt *a = list[i];
            if (a->listn && !has_num)
                continue;
            if (p > 0 && !a->n && a->second != NULL) { /* the next token must be one of a->second */
                int ok = 0;
                for (Py_ssize_t q = 0; j + 1 < nt && !ok && q < PyTuple_GET_SIZE(a->second); q++) {
                    PyObject *w = PyTuple_GET_ITEM(a->second, q);
                    ok = PyUnicode_GET_LENGTH(w) == toks[j + 1].end - toks[j + 1].start &&
                         memcmp(PyUnicode_1BYTE_DATA(w), tr + toks[j + 1].start, PyUnicode_GET_LENGTH(w)) == 0;
                }
                if (!ok)
                    continue;
            }
            if (p > 0 && !a->n && a->listn) { /* its number starts within 40 characters after p */
                int ok = 0;
                for (Py_ssize_t q = j + 1; q < nt && !ok && toks[q].start <= p + 40; q++) {
                    if (toks[q].num < 0)
                        toks[q].num = starts_any(tr, len, toks[q].start, sh->num_prefixes);
                    ok = toks[q].num;
                }
                if (!ok)
                    continue;
            }
            if ((r = attempt(a, head, p, &pos, out)) < 0)
                return -1;
        }
    }
    return 0;
}

#define STACK_CHARS 1024

PyObject *shape_walk(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (n_args("shape_walk", nargs, 2) < 0)
        return NULL;
    Shape *sh = PyCapsule_GetPointer(args[0], SHAPE_CAPSULE);
    PyObject *head = args[1];
    if (sh == NULL)
        return NULL;
    if (!PyUnicode_CheckExact(head))
        return PyErr_SetString(PyExc_TypeError, "shape_walk(): str expected"), NULL;
    if (MAKE_READY(head) < 0)
        return NULL;
    int ascii = PyUnicode_IS_ASCII(head), kind = PyUnicode_KIND(head);
    const void *data = PyUnicode_DATA(head);
    Py_ssize_t len = PyUnicode_GET_LENGTH(head), nt = 0;
    char s_stack[STACK_CHARS], tr_stack[STACK_CHARS];
    Tok toks_stack[STACK_CHARS / 2 + 1];
    char *s = ascii ? (char *)PyUnicode_1BYTE_DATA(head) : len <= STACK_CHARS ? s_stack : PyMem_Malloc(len);
    char *tr = len <= STACK_CHARS ? tr_stack : PyMem_Malloc(len);
    Tok *toks = len <= STACK_CHARS ? toks_stack : PyMem_Malloc((len / 2 + 1) * sizeof(Tok));
    PyObject *out = NULL;
    int any_digit = 0;
    if (s == NULL || tr == NULL || toks == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* Other text, character by character: s holds its ASCII characters (0x01 for any other: no ASCII string of the
     * tables occurs across one), tr its \w+ runs as re reads them (str.isalnum or "_"), a decimal digit as "0" (\d),
     * another word character as 0x01 (in a run, never a table's token). */
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 c = ascii ? ((const Py_UCS1 *)data)[i] : PyUnicode_READ(kind, data, i);
        int digit = c < 128 ? c >= '0' && c <= '9' : Py_UNICODE_ISDECIMAL(c);
        any_digit |= digit;
        if (c < 128) {
            s[i] = (char)c;
            tr[i] = digit ? '0' : is_word((unsigned char)c) ? (char)c : ' ';
        } else {
            s[i] = 0x01;
            tr[i] = digit ? '0' : Py_UNICODE_ISALNUM(c) ? 0x01 : ' ';
        }
    }
    if ((out = PyList_New(0)) == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < len;) { /* the \w+ runs and their table entries */
        while (i < len && tr[i] == ' ')
            i++;
        if (i == len)
            break;
        Tok *t = &toks[nt++];
        t->start = i;
        while (i < len && tr[i] != ' ')
            i++;
        t->end = i;
        t->key = key_slot(sh, tr + t->start, i - t->start);
        t->key = t->key->tok == NULL ? NULL : t->key;
        t->num = -1;
    }
    if (nt > 0 && walk(sh, head, s, len, tr, toks, nt, any_digit, has_any(s, len, sh->nouns), out) < 0)
        Py_CLEAR(out);
done:
    if (s != s_stack && !ascii)
        PyMem_Free(s);
    if (tr != tr_stack)
        PyMem_Free(tr);
    if (toks != toks_stack)
        PyMem_Free(toks);
    return out;
}
