/* quantities0(s0): the numbers and the numbers with a unit of a text whose ASCII digits are all "0"
 * (classifiers/quantities.py) in C, instead of two regex scans that try a pattern at every "0"
 * (a receipt or a table of decimals: 600-1,000 of them in 2,000 characters, 50-90 us).
 *
 * Exactly len(_RE_NUMBER0.findall(s0)) and len(_RE_UNIT0.findall(s0)):
 *   _RE_NUMBER0 = 00*(?:(?:[-/:]0+){2,})?(?:[.,]0+)?
 *   _RE_UNIT0   = 0\s?(?i:(?=[%°$kcmhjnwvsgl])(?:%|°|\$|kg|km|cm|mm|m/s|mph|mol|ml|hz|kj|j|n|w|v|s|m|g|l|k))\b
 * A number's groups take whole runs of "0", so the greedy match needs no backtracking; a unit match holds no "0"
 * after its first character, so each "0" is tried alone. \s and \b are the engine's (Py_UNICODE_ISSPACE, a word
 * character Py_UNICODE_ISALNUM or "_"). The case-blind comparison is ASCII's; a character the pattern would read
 * case-blind otherwise (the long s, the Kelvin sign, any other non-ASCII character but the degree sign) in a unit's
 * place gives -1 units: the caller counts them with the pattern. */
#include "_speedups.h"

static const char *const UNITS[] = {"%", "\xb0", "$", "kg", "km", "cm", "mm", "m/s", "mph", "mol", "ml", "hz", "kj",
                                    "j", "n", "w", "v", "s", "m", "g", "l", "k"};
#define N_UNITS (sizeof(UNITS) / sizeof(UNITS[0]))

static inline int is_word(Py_UCS4 c) { return c == '_' || Py_UNICODE_ISALNUM(c); }

/* 1: a unit at j (then a word boundary), 0: none, -1: not decided here (a non-ASCII character compared). */
static int unit_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t j) {
    for (size_t u = 0; u < N_UNITS; u++) {
        const unsigned char *w = (const unsigned char *)UNITS[u];
        Py_ssize_t k = 0;
        for (; w[k]; k++) {
            if (j + k >= n)
                break;
            Py_UCS4 c = PyUnicode_READ(kind, data, j + k);
            if (c >= 128 && c != 0xB0)
                return -1;
            if (c >= 'A' && c <= 'Z')
                c += 'a' - 'A';
            if (c != w[k])
                break;
        }
        if (w[k])
            continue; /* no match of this unit */
        int before = is_word(w[k - 1]), after = j + k < n && is_word(PyUnicode_READ(kind, data, j + k));
        if (before != after)
            return 1;
    }
    return 0;
}

/* len(_RE_NUMBER0.findall(s)): a run of "0", two or more "[-/:]0+" groups (all there are), then "[.,]0+". */
static Py_ssize_t count_numbers(int kind, const void *data, Py_ssize_t n) {
    Py_ssize_t count = 0, i = 0;
    while (i < n) {
        if (PyUnicode_READ(kind, data, i) != '0') {
            i++;
            continue;
        }
        count++;
        while (i < n && PyUnicode_READ(kind, data, i) == '0')
            i++;
        Py_ssize_t g = i;
        int groups = 0;
        while (g + 1 < n) {
            Py_UCS4 c = PyUnicode_READ(kind, data, g);
            if (!((c == '-' || c == '/' || c == ':') && PyUnicode_READ(kind, data, g + 1) == '0'))
                break;
            for (g++; g < n && PyUnicode_READ(kind, data, g) == '0'; g++)
                ;
            groups++;
        }
        if (groups >= 2)
            i = g;
        if (i + 1 < n) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if ((c == '.' || c == ',') && PyUnicode_READ(kind, data, i + 1) == '0')
                for (i++; i < n && PyUnicode_READ(kind, data, i) == '0'; i++)
                    ;
        }
    }
    return count;
}

/* len(_RE_UNIT0.findall(s)), or -1 if a unit's place holds a character only the pattern can compare. */
static Py_ssize_t count_units(int kind, const void *data, Py_ssize_t n) {
    Py_ssize_t count = 0;
    for (Py_ssize_t i = 0; i + 1 < n; i++) {
        if (PyUnicode_READ(kind, data, i) != '0')
            continue;
        Py_ssize_t j = i + 1;
        if (Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j)))
            j++;
        if (j == n)
            continue;
        Py_UCS4 c = PyUnicode_READ(kind, data, j);
        if (c < 128 && !strchr("%$kcmhjnwvsglKCMHJNWVSGL", (int)c))
            continue; /* the look-ahead on a unit's first character (a NUL finds strchr's terminator: unit_at finds none) */
        int got = unit_at(kind, data, n, j);
        if (got < 0)
            return -1;
        count += got;
    }
    return count;
}

PyObject *quantities0(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    PyObject *s = n_args("quantities0", nargs, 1) < 0 ? NULL : str_arg("quantities0", args, 0);
    if (s == NULL)
        return NULL;
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    return Py_BuildValue("(nn)", count_numbers(kind, data, n), count_units(kind, data, n));
}
