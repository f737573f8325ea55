/* Shared declarations of the optional C accelerator (_speedups*.c). */
#ifndef CLASSIFIERS_SPEEDUPS_H
#define CLASSIFIERS_SPEEDUPS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#if PY_VERSION_HEX < 0x030C0000 /* 3.11: legacy (not ready) str objects are left to Python */
#define STR_READY(s) PyUnicode_IS_READY(s)
#define MAKE_READY(s) PyUnicode_READY(s)
#else
#define STR_READY(s) 1
#define MAKE_READY(s) 0
#endif

/* The hot functions take their arguments as METH_FASTCALL (no argument tuple to build or parse). */
static inline int n_args(const char *name, Py_ssize_t nargs, Py_ssize_t want) {
    if (nargs == want)
        return 0;
    PyErr_Format(PyExc_TypeError, "%s() takes %zd arguments (%zd given)", name, want, nargs);
    return -1;
}

/* args[i] if it is a str (made ready), else NULL with a TypeError naming the function. */
static inline PyObject *str_arg(const char *name, PyObject *const *args, Py_ssize_t i) {
    PyObject *s = args[i];
    if (!PyUnicode_Check(s)) {
        PyErr_Format(PyExc_TypeError, "%s: a str expected", name);
        return NULL;
    }
    return MAKE_READY(s) < 0 ? NULL : s;
}

/* _speedups_text.c */
void crc_init(void);
void words_init(void);
PyObject *gram_sum(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *count_table(PyObject *self, PyObject *args);
PyObject *count_groups(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *ascii_digits_zeroed(PyObject *self, PyObject *const *args, Py_ssize_t nargs);

/* _speedups_words.c */
PyObject *lower_words(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *lower_split(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *glued_words(PyObject *self, PyObject *const *args, Py_ssize_t nargs);

/* _speedups_case.c */
PyObject *text_lower(PyObject *s);
PyObject *lower(PyObject *self, PyObject *const *args, Py_ssize_t nargs);

/* _speedups_lines.c */
PyObject *record_runs(PyObject *self, PyObject *const *args, Py_ssize_t nargs);

/* _speedups_numbers.c */
PyObject *quantities0(PyObject *self, PyObject *const *args, Py_ssize_t nargs);

/* _speedups_shape.c */
PyObject *shape_table(PyObject *self, PyObject *args);
PyObject *shape_walk(PyObject *self, PyObject *const *args, Py_ssize_t nargs);

#endif
