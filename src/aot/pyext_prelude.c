
/* ---- Helpers shared by every ferrojit extension (src/aot/pyext_prelude.c) ----
 * Python.h is included first, before this file, by the generated source. */
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <math.h>
#include <string.h>

#if NPY_ABI_VERSION < 0x02000000
#define FJ_ELSIZE(d) ((d)->elsize) /* NumPy 1.x headers */
#else
#define FJ_ELSIZE(d) PyDataType_ELSIZE(d)
#endif

/* Scalar types in the order of typeinfer's Scalar::ALL. */
enum { FJ_B1, FJ_I1, FJ_I2, FJ_I4, FJ_I8, FJ_U1, FJ_U2, FJ_U4, FJ_U8, FJ_F4, FJ_F8, FJ_C8, FJ_C16 };
static const char *const fj_scalar_names[] = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "complex64", "complex128"};

/* The scalar type of a NumPy dtype, or -1. */
static int fj_scalar_of_descr(PyArray_Descr *d) {
    int size = (int)FJ_ELSIZE(d);
    switch (d->kind) {
    case 'b': return size == 1 ? FJ_B1 : -1;
    case 'i': return size == 1 ? FJ_I1 : size == 2 ? FJ_I2 : size == 4 ? FJ_I4 : size == 8 ? FJ_I8 : -1;
    case 'u': return size == 1 ? FJ_U1 : size == 2 ? FJ_U2 : size == 4 ? FJ_U4 : size == 8 ? FJ_U8 : -1;
    case 'f': return size == 4 ? FJ_F4 : size == 8 ? FJ_F8 : -1;
    case 'c': return size == 8 ? FJ_C8 : size == 16 ? FJ_C16 : -1;
    default: return -1;
    }
}

/* The scalar type ferrojit's dispatcher gives a Python value (pybridge/src/args.rs), or -1. */
static int fj_scalar_kind(PyObject *o) {
    if (PyBool_Check(o)) return FJ_B1;
    if (PyLong_Check(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (v == -1 && PyErr_Occurred()) { PyErr_Clear(); return -1; }
        if (overflow == 0) return FJ_I8;
        if (overflow > 0) {
            (void)PyLong_AsUnsignedLongLong(o);
            if (PyErr_Occurred()) { PyErr_Clear(); return -1; }
            return FJ_U8;
        }
        return -1;
    }
    if (PyFloat_Check(o)) return FJ_F8;
    if (PyComplex_Check(o)) return FJ_C16;
    if (PyArray_IsScalar(o, Generic)) {
        PyArray_Descr *d = PyArray_DescrFromScalar(o);
        int s;
        if (!d) { PyErr_Clear(); return -1; }
        s = fj_scalar_of_descr(d);
        Py_DECREF(d);
        return s;
    }
    return -1;
}

/* How an array argument matches a parameter (typeinfer::conversion): 0 exact,
 * FJ_ARRAY_CONVERSION_RANK for C/F given to an any-layout parameter, -1 not. */
static int fj_rank_array(PyObject *o, int dtype, int ndim, char layout, int writeable) {
    PyArrayObject *a;
    char have;
    if (!PyArray_Check(o)) return -1;
    a = (PyArrayObject *)o;
    /* The function writes into this parameter: a read-only array does not match. */
    if (writeable && !PyArray_ISWRITEABLE(a)) return -1;
    if (PyArray_NDIM(a) != ndim || !PyArray_ISNOTSWAPPED(a)) return -1;
    if (fj_scalar_of_descr(PyArray_DESCR(a)) != dtype) return -1;
    have = PyArray_IS_C_CONTIGUOUS(a) ? 'C' : PyArray_IS_F_CONTIGUOUS(a) ? 'F' : 'A';
    /* Read-only-ness of a parameter comes from what the function does, not from its
     * signature: as the dispatcher ranks against the signature, it does not lower the rank. */
    if (have == layout) return 0;
    return layout == 'A' ? FJ_ARRAY_CONVERSION_RANK : -1;
}

/* A number read from Python before conversion (pybridge's `Number`). */
typedef struct { int kind; int64_t i; uint64_t u; double re, im; } fj_number; /* 0 int, 1 uint, 2 float, 3 complex */

static int fj_read_number(PyObject *o, fj_number *n) {
    int s = fj_scalar_kind(o);
    memset(n, 0, sizeof *n);
    if (s == FJ_B1) {
        int t = PyObject_IsTrue(o);
        if (t < 0) return -1;
        n->kind = 0; n->i = t;
    } else if (s >= FJ_I1 && s <= FJ_I8) {
        PyObject *index = PyNumber_Index(o);
        if (!index) return -1;
        n->kind = 0; n->i = PyLong_AsLongLong(index);
        Py_DECREF(index);
        if (n->i == -1 && PyErr_Occurred()) return -1;
    } else if (s >= FJ_U1 && s <= FJ_U8) {
        PyObject *index = PyNumber_Index(o);
        if (!index) return -1;
        n->kind = 1; n->u = PyLong_AsUnsignedLongLong(index);
        Py_DECREF(index);
        if (n->u == (uint64_t)-1 && PyErr_Occurred()) return -1;
    } else if (s == FJ_F4 || s == FJ_F8) {
        n->kind = 2; n->re = PyFloat_AsDouble(o);
        if (n->re == -1.0 && PyErr_Occurred()) return -1;
    } else {
        Py_complex c = PyComplex_AsCComplex(o);
        if (c.real == -1.0 && PyErr_Occurred()) return -1;
        n->kind = 3; n->re = c.real; n->im = c.imag;
    }
    return 0;
}

/* Rust's saturating float-to-int `as` casts (NaN becomes 0). */
static int64_t fj_f64_to_i64(double f) {
    if (f != f) return 0;
    if (f >= 9223372036854775808.0) return INT64_MAX;
    if (f <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)f;
}
static uint64_t fj_f64_to_u64(double f) {
    if (!(f > 0.0)) return 0;
    if (f >= 18446744073709551616.0) return UINT64_MAX;
    return (uint64_t)f;
}
static int64_t fj_to_i64(const fj_number *n) {
    return n->kind == 0 ? n->i : n->kind == 1 ? (int64_t)n->u : fj_f64_to_i64(n->re);
}
static uint64_t fj_to_u64(const fj_number *n) {
    if (n->kind == 1) return n->u;
    if (n->kind >= 2 && n->re >= 0.0) return fj_f64_to_u64(n->re);
    return (uint64_t)fj_to_i64(n);
}
static double fj_to_f64(const fj_number *n) {
    return n->kind == 0 ? (double)n->i : n->kind == 1 ? (double)n->u : n->re;
}

/* An integer's slot (its two's-complement bits `v`) for scalar `s`: truncated to the width,
 * then sign- or zero-extended, as the generated `fj_slot_bits` (the entry ABI's one encoding,
 * ir::lower::flatten::SlotEncoding) says. */
static uint64_t fj_encode_integer(int s, uint64_t v) {
    int bits = fj_slot_bits[s], shift = 64 - (bits < 0 ? -bits : bits);
    if (shift == 0) return v;
    if (bits < 0) return (uint64_t)((int64_t)(v << shift) >> shift);
    return v & ((UINT64_C(1) << (64 - shift)) - 1);
}

/* Writes Python number `o` converted to scalar `to` into slots[*pos] (two slots if complex). */
static int fj_put_scalar(PyObject *o, int to, uint64_t *slots, size_t *pos) {
    fj_number n;
    float f;
    double d;
    uint32_t bits;
    if (fj_read_number(o, &n) < 0) return -1;
    switch (to) {
    case FJ_B1:
        slots[(*pos)++] = n.kind == 3 ? (n.re != 0.0 || n.im != 0.0)
                        : n.kind == 1 ? n.u != 0 : n.kind == 2 ? n.re != 0.0 : n.i != 0;
        break;
    case FJ_I1: case FJ_I2: case FJ_I4: case FJ_I8:
        slots[(*pos)++] = fj_encode_integer(to, (uint64_t)fj_to_i64(&n)); break;
    case FJ_U1: case FJ_U2: case FJ_U4: case FJ_U8:
        slots[(*pos)++] = fj_encode_integer(to, fj_to_u64(&n)); break;
    case FJ_F4:
        f = (float)fj_to_f64(&n); memcpy(&bits, &f, 4); slots[(*pos)++] = bits; break;
    case FJ_F8:
        d = fj_to_f64(&n); memcpy(&slots[(*pos)++], &d, 8); break;
    case FJ_C8:
        f = (float)fj_to_f64(&n); memcpy(&bits, &f, 4); slots[(*pos)++] = bits;
        f = (float)(n.kind == 3 ? n.im : 0.0); memcpy(&bits, &f, 4); slots[(*pos)++] = bits;
        break;
    default: /* FJ_C16 */
        d = fj_to_f64(&n); memcpy(&slots[(*pos)++], &d, 8);
        d = n.kind == 3 ? n.im : 0.0; memcpy(&slots[(*pos)++], &d, 8);
        break;
    }
    return 0;
}

/* Boxes the scalar result at rets[*pos] (two slots if complex). */
static PyObject *fj_box_scalar(int s, const uint64_t *rets, size_t *pos) {
    uint64_t bits = rets[(*pos)++];
    float f, g;
    double d, e;
    switch (s) {
    case FJ_B1: return PyBool_FromLong((long)(bits & 1u));
    case FJ_I1: return PyLong_FromLongLong((int8_t)bits);
    case FJ_I2: return PyLong_FromLongLong((int16_t)bits);
    case FJ_I4: return PyLong_FromLongLong((int32_t)bits);
    case FJ_I8: return PyLong_FromLongLong((long long)bits);
    case FJ_U1: return PyLong_FromUnsignedLongLong((uint8_t)bits);
    case FJ_U2: return PyLong_FromUnsignedLongLong((uint16_t)bits);
    case FJ_U4: return PyLong_FromUnsignedLongLong((uint32_t)bits);
    case FJ_U8: return PyLong_FromUnsignedLongLong(bits);
    case FJ_F4: { uint32_t b = (uint32_t)bits; memcpy(&f, &b, 4); return PyFloat_FromDouble(f); }
    case FJ_F8: memcpy(&d, &bits, 8); return PyFloat_FromDouble(d);
    case FJ_C8: {
        uint32_t b = (uint32_t)bits, c = (uint32_t)rets[(*pos)++];
        memcpy(&f, &b, 4); memcpy(&g, &c, 4);
        return PyComplex_FromDoubles(f, g);
    }
    default: {
        uint64_t c = rets[(*pos)++];
        memcpy(&d, &bits, 8); memcpy(&e, &c, 8);
        return PyComplex_FromDoubles(d, e);
    }
    }
}

/* The runtime archive's helpers (runtime/src/exports.rs). */
void *ferrojit_aot_take_buffer(ferrojit_error_slot *, void *);
void ferrojit_aot_free_buffer(void *);
void ferrojit_aot_release(ferrojit_error_slot *);

/* A buffer of the call's memory handed to NumPy: the base object of the arrays over it. */
typedef struct { void *owner; PyObject *capsule; } fj_taken;

/* One call: the argument descriptors, packed in words on the caller's stack
 * (runtime/src/array.rs), its error slot, and the buffers its result took. */
typedef struct {
    uint64_t *words; size_t used; size_t *starts; size_t count;
    ferrojit_error_slot *err; fj_taken *taken; size_t ntaken;
} fj_descs;

static const int fj_npy_types[] = {
    NPY_BOOL, NPY_INT8, NPY_INT16, NPY_INT32, NPY_INT64, NPY_UINT8, NPY_UINT16, NPY_UINT32,
    NPY_UINT64, NPY_FLOAT32, NPY_FLOAT64, NPY_COMPLEX64, NPY_COMPLEX128};

static void fj_free_buffer(PyObject *capsule) {
    ferrojit_aot_free_buffer(PyCapsule_GetPointer(capsule, "ferrojit.buffer"));
}

static uint64_t fj_push_array(PyObject *o, fj_descs *ds) {
    PyArrayObject *a = (PyArrayObject *)o;
    int nd = PyArray_NDIM(a), i;
    uint64_t *d = ds->words + ds->used;
    d[0] = (uint64_t)(uintptr_t)PyArray_DATA(a);
    d[1] = (uint64_t)(uintptr_t)o;
    for (i = 0; i < nd; i++) {
        d[2 + i] = (uint64_t)PyArray_DIMS(a)[i];
        d[2 + nd + i] = (uint64_t)PyArray_STRIDES(a)[i];
    }
    ds->starts[ds->count++] = ds->used;
    ds->used += 2 + 2 * (size_t)nd;
    return (uint64_t)(uintptr_t)d;
}

/* An array result: an argument returned as itself; a view of an argument (whose base it
 * becomes); or memory the call allocated, whose buffer leaves the call's memory for a capsule
 * that frees it when the last array over it goes. */
static PyObject *fj_box_array(uint64_t addr, int dtype, int ndim, fj_descs *ds) {
    const uint64_t *d = (const uint64_t *)(uintptr_t)addr;
    void *owner = (void *)(uintptr_t)d[1];
    PyObject *base = NULL, *array;
    PyArray_Descr *descr;
    npy_intp dims[NPY_MAXDIMS], strides[NPY_MAXDIMS];
    int writeable = 1, i;
    size_t k;
    for (k = 0; k < ds->count; k++) {
        if (ds->words + ds->starts[k] == d) {
            Py_INCREF((PyObject *)owner);
            return (PyObject *)owner;
        }
    }
    for (k = 0; k < ds->count && !base; k++) {
        if ((void *)(uintptr_t)ds->words[ds->starts[k] + 1] == owner) {
            base = (PyObject *)owner;
            writeable = PyArray_ISWRITEABLE((PyArrayObject *)base);
            Py_INCREF(base);
        }
    }
    for (k = 0; k < ds->ntaken && !base; k++) {
        if (ds->taken[k].owner == owner) {
            base = ds->taken[k].capsule;
            Py_INCREF(base);
        }
    }
    if (!base) {
        void *buffer = ferrojit_aot_take_buffer(ds->err, owner);
        if (!buffer) {
            PyErr_SetString(PyExc_RuntimeError,
                "compiled code returned an array whose memory it does not own");
            return NULL;
        }
        base = PyCapsule_New(buffer, "ferrojit.buffer", fj_free_buffer);
        if (!base) {
            ferrojit_aot_free_buffer(buffer);
            return NULL;
        }
        /* Borrowed: the array made below keeps the capsule alive while the result is boxed. */
        ds->taken[ds->ntaken].owner = owner;
        ds->taken[ds->ntaken].capsule = base;
        ds->ntaken++;
    }
    for (i = 0; i < ndim; i++) {
        dims[i] = (npy_intp)d[2 + i];
        strides[i] = (npy_intp)d[2 + ndim + i];
    }
    descr = PyArray_DescrFromType(fj_npy_types[dtype]);
    if (!descr) { Py_DECREF(base); return NULL; }
    array = PyArray_NewFromDescr(&PyArray_Type, descr, ndim, dims, strides,
                                 (void *)(uintptr_t)d[0], writeable ? NPY_ARRAY_WRITEABLE : 0, NULL);
    if (!array) { Py_DECREF(base); return NULL; }
    if (PyArray_SetBaseObject((PyArrayObject *)array, base) < 0) {
        Py_DECREF(array);
        return NULL;
    }
    return array;
}

/* Binds positional and keyword arguments to the parameter names (no defaults). */
static int fj_bind(const char *name, const char *const *params, Py_ssize_t count,
                   PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject **out) {
    Py_ssize_t i, j, nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nargs > count) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zd positional argument%s but %zd were given",
                     name, count, count == 1 ? "" : "s", nargs);
        return -1;
    }
    for (i = 0; i < count; i++) out[i] = i < nargs ? args[i] : NULL;
    for (j = 0; j < nkw; j++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, j);
        const char *text = PyUnicode_AsUTF8(key);
        if (!text) return -1;
        for (i = 0; i < count; i++) {
            if (strcmp(params[i], text) == 0) break;
        }
        if (i == count) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%s'", name, text);
            return -1;
        }
        if (out[i]) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", name, text);
            return -1;
        }
        out[i] = args[nargs + j];
    }
    for (i = 0; i < count; i++) {
        if (!out[i]) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", name, params[i]);
            return -1;
        }
    }
    return 0;
}

/* The type of a value as ferrojit's typeof writes it: `float64`, `array(float64, 1d, C)`. */
static PyObject *fj_describe(PyObject *o) {
    int s;
    if (PyArray_Check(o)) {
        PyArrayObject *a = (PyArrayObject *)o;
        int dtype = fj_scalar_of_descr(PyArray_DESCR(a));
        char layout = PyArray_IS_C_CONTIGUOUS(a) ? 'C' : PyArray_IS_F_CONTIGUOUS(a) ? 'F' : 'A';
        if (dtype < 0) {
            PyObject *r = PyObject_Str((PyObject *)PyArray_DESCR(a));
            PyObject *out = r ? PyUnicode_FromFormat("array of dtype %U", r) : NULL;
            Py_XDECREF(r);
            return out;
        }
        return PyUnicode_FromFormat("%sarray(%s, %dd, %c)", PyArray_ISWRITEABLE(a) ? "" : "readonly ",
                                    fj_scalar_names[dtype], PyArray_NDIM(a), layout);
    }
    if (o == Py_None) return PyUnicode_FromString("none");
    if (PyTuple_Check(o)) {
        Py_ssize_t i, n = PyTuple_GET_SIZE(o);
        PyObject *parts = PyList_New(0), *sep, *joined, *out;
        if (!parts) return NULL;
        for (i = 0; i < n; i++) {
            PyObject *item = fj_describe(PyTuple_GET_ITEM(o, i));
            if (!item || PyList_Append(parts, item) < 0) { Py_XDECREF(item); Py_DECREF(parts); return NULL; }
            Py_DECREF(item);
        }
        sep = PyUnicode_FromString(", ");
        joined = sep ? PyUnicode_Join(sep, parts) : NULL;
        Py_XDECREF(sep);
        Py_DECREF(parts);
        if (!joined) return NULL;
        out = PyUnicode_FromFormat(n == 1 ? "(%U,)" : "(%U)", joined);
        Py_DECREF(joined);
        return out;
    }
    s = fj_scalar_kind(o);
    if (s >= 0) return PyUnicode_FromString(fj_scalar_names[s]);
    return PyUnicode_FromString(Py_TYPE(o)->tp_name);
}

static PyObject *fj_no_match(const char *name, PyObject *const *args, Py_ssize_t n,
                             const char *signatures) {
    PyObject *parts = PyList_New(0), *sep, *joined;
    Py_ssize_t i;
    if (!parts) return NULL;
    for (i = 0; i < n; i++) {
        PyObject *item = fj_describe(args[i]);
        if (!item || PyList_Append(parts, item) < 0) { Py_XDECREF(item); Py_DECREF(parts); return NULL; }
        Py_DECREF(item);
    }
    sep = PyUnicode_FromString(", ");
    joined = sep ? PyUnicode_Join(sep, parts) : NULL;
    Py_XDECREF(sep);
    Py_DECREF(parts);
    if (!joined) return NULL;
    PyErr_Format(PyExc_TypeError,
        "No matching definition for argument type(s) %U in %s(); compiled signatures: %s",
        joined, name, signatures);
    Py_DECREF(joined);
    return NULL;
}

static PyObject *fj_exception_class(const char *name) {
    if (!strcmp(name, "ZeroDivisionError")) return PyExc_ZeroDivisionError;
    if (!strcmp(name, "IndexError")) return PyExc_IndexError;
    if (!strcmp(name, "ValueError")) return PyExc_ValueError;
    if (!strcmp(name, "AssertionError")) return PyExc_AssertionError;
    if (!strcmp(name, "TypeError")) return PyExc_TypeError;
    if (!strcmp(name, "ArithmeticError")) return PyExc_ArithmeticError;
    if (!strcmp(name, "OverflowError")) return PyExc_OverflowError;
    if (!strcmp(name, "RecursionError")) return PyExc_RecursionError;
    return PyExc_RuntimeError;
}

typedef size_t (*fj_format_fn)(const char *, const int64_t *, char *, size_t);

/* Raises the exception compiled code reported, with the JIT's note naming function and line. */
static PyObject *fj_raise(const ferrojit_error_info *info, const ferrojit_error_slot *err,
                          uint32_t code, fj_format_fn format) {
    char message[2048];
    PyObject *type, *exc, *note;
    if (!info) {
        PyErr_Format(PyExc_RuntimeError, "compiled code reported unknown error code %u", code);
        return NULL;
    }
    type = fj_exception_class(info->exception);
    format(info->message, err->args, message, sizeof message);
    note = PyUnicode_FromFormat("(in function %s at line %u)", info->function, info->line);
    if (!note) return NULL;
    exc = PyObject_CallFunction(type, "s", message);
    if (exc && PyObject_HasAttrString(exc, "add_note")) {
        PyObject *r = PyObject_CallMethod(exc, "add_note", "O", note);
        Py_XDECREF(r);
    } else if (exc) {
        Py_DECREF(exc);
        exc = PyObject_CallFunction(type, "N", PyUnicode_FromFormat("%s %U", message, note));
    }
    Py_DECREF(note);
    if (!exc) return NULL;
    PyErr_SetObject(type, exc);
    Py_DECREF(exc);
    return NULL;
}
