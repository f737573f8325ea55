/* Runs of record lines (pasted data) for classifiers/pasted_data.py: record_runs. */
#include "_speedups.h"

/* A record line has at least RECORD_GROUPS runs of ASCII digits, the first within
 * RECORD_FIRST_DIGIT characters of the line start (= pasted_data._RECORD). */
#define RECORD_GROUPS 3
#define RECORD_FIRST_DIGIT 400

static int add_span(PyObject *out, Py_ssize_t a, Py_ssize_t b) {
    PyObject *span = Py_BuildValue("(nn)", a, b);
    if (span == NULL)
        return -1;
    int rc = PyList_Append(out, span);
    Py_DECREF(span);
    return rc;
}

/* The spans of the maximal runs of at least min_run record lines, each from the line break that
 * ends its sample-th line to the end of its last line. */
static inline Py_ALWAYS_INLINE int runs_kind(int kind, const void *data, Py_ssize_t n, Py_ssize_t min_run,
                                             Py_ssize_t sample, PyObject *out) {
    Py_ssize_t run = 0, cut = 0, last_end = 0;
    for (Py_ssize_t i = 0; i <= n; i++) {
        Py_ssize_t start = i, first = -1;
        int groups = 0, in_digit = 0;
        for (; i < n; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (c == '\n')
                break;
            if (c >= '0' && c <= '9') {
                if (!in_digit) {
                    groups++;
                    if (first < 0)
                        first = i - start;
                }
                in_digit = 1;
            } else {
                in_digit = 0;
            }
        }
        if (groups >= RECORD_GROUPS && first <= RECORD_FIRST_DIGIT) {
            if (++run == sample)
                cut = i;
            last_end = i;
            continue;
        }
        if (run >= min_run && add_span(out, cut, last_end) < 0)
            return -1;
        run = 0;
    }
    if (run >= min_run && add_span(out, cut, last_end) < 0)
        return -1;
    return 0;
}

PyObject *record_runs(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    PyObject *s = n_args("record_runs", nargs, 3) < 0 ? NULL : str_arg("record_runs", args, 0);
    if (s == NULL)
        return NULL;
    Py_ssize_t min_run = PyLong_AsSsize_t(args[1]), sample = PyLong_AsSsize_t(args[2]);
    if ((min_run == -1 || sample == -1) && PyErr_Occurred())
        return NULL;
    if (sample < 1 || sample >= min_run) {
        PyErr_SetString(PyExc_ValueError, "record_runs: 1 <= sample < min_run expected");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    const void *data = PyUnicode_DATA(s);
    int rc;
    switch (PyUnicode_KIND(s)) {
    case PyUnicode_1BYTE_KIND:
        rc = runs_kind(PyUnicode_1BYTE_KIND, data, n, min_run, sample, out);
        break;
    case PyUnicode_2BYTE_KIND:
        rc = runs_kind(PyUnicode_2BYTE_KIND, data, n, min_run, sample, out);
        break;
    default:
        rc = runs_kind(PyUnicode_4BYTE_KIND, data, n, min_run, sample, out);
    }
    if (rc < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}
