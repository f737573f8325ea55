/* Lower-casing of the optional C accelerator (see _speedups.c): str.lower of a whole prompt, which the featurizer
 * needs several times (its words, a head, a tail), took ~60 instructions a character on Cyrillic or Chinese text
 * (CPython's full case mapping, a UCS-4 buffer, a copy back). Here a character is mapped in place by its simple
 * lower case (ASCII, Cyrillic and the caseless CJK blocks without a table lookup), which equals str.lower for
 * every code point but two, left to str.lower: U+0130 (lower-cases to two characters) and U+03A3 (the final-sigma
 * rule reads its neighbours). tests/classifiers/test_speedups_text.py checks every code point.
 *
 *   lower(s) -> str                                           (= s.lower())
 */
#include "_speedups.h"

/* The simple lower case of a character other than U+0130 and U+03A3. */
static inline Py_UCS4 lower_char(Py_UCS4 c) {
    if (c < 128)
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    if (c >= 0x400 && c < 0x460) /* Cyrillic: А-Я +32, Ѐ-Џ +80, а-џ themselves */
        return c < 0x410 ? c + 80 : c < 0x430 ? c + 32 : c;
    if (c >= 0x3040 && c < 0xA000) /* kana, bopomofo, CJK ideographs: caseless */
        return c;
    return Py_UNICODE_TOLOWER(c);
}

/* s.lower() of a ready str s, written into a new str of s's kind; one with a narrower kind when its characters
 * allow it (U+212A KELVIN SIGN is an ASCII "k"). */
#define LOWER_KIND(T)                                                                                              \
    do {                                                                                                           \
        const T *p = (const T *)PyUnicode_DATA(s);                                                                 \
        T *d = (T *)PyUnicode_DATA(out);                                                                           \
        for (Py_ssize_t i = 0; i < len; i++) {                                                                     \
            Py_UCS4 c = p[i];                                                                                      \
            if (c == 0x130 || c == 0x3A3) {                                                                        \
                Py_DECREF(out);                                                                                    \
                return PyObject_CallMethod(s, "lower", NULL);                                                      \
            }                                                                                                      \
            c = lower_char(c);                                                                                     \
            if (c > top)                                                                                           \
                top = c;                                                                                           \
            d[i] = (T)c;                                                                                           \
        }                                                                                                          \
    } while (0)

PyObject *text_lower(PyObject *s) {
    if (MAKE_READY(s) < 0)
        return NULL;
    Py_ssize_t len = PyUnicode_GET_LENGTH(s);
    Py_UCS4 top = 0, max = PyUnicode_MAX_CHAR_VALUE(s);
    int kind = PyUnicode_KIND(s);
    PyObject *out = PyUnicode_New(len, max);
    if (out == NULL)
        return NULL;
    if (max < 128) { /* ASCII */
        const Py_UCS1 *p = PyUnicode_1BYTE_DATA(s);
        Py_UCS1 *d = PyUnicode_1BYTE_DATA(out);
        for (Py_ssize_t i = 0; i < len; i++)
            d[i] = p[i] >= 'A' && p[i] <= 'Z' ? p[i] + ('a' - 'A') : p[i];
        return out;
    }
    if (kind == PyUnicode_1BYTE_KIND)
        LOWER_KIND(Py_UCS1);
    else if (kind == PyUnicode_2BYTE_KIND)
        LOWER_KIND(Py_UCS2);
    else
        LOWER_KIND(Py_UCS4);
    if ((top < 128) == (max < 128) && (top < 256) == (max < 256) && (top < 0x10000) == (max < 0x10000))
        return out;
    PyObject *narrow = PyUnicode_FromKindAndData(kind, PyUnicode_DATA(out), len); /* finds the narrower kind */
    Py_DECREF(out);
    return narrow;
}

PyObject *lower(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    PyObject *s;
    if (n_args("lower", nargs, 1) < 0 || (s = str_arg("lower", args, 0)) == NULL)
        return NULL;
    return text_lower(s);
}
