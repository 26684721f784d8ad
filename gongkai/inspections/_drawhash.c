/*
 * _drawhash: the two hashing loops of gongkai_draw.py (gongkai-draw/1, §5 and §6) in C.
 *
 * Optional (ADR 0008): gongkai_draw.py uses this module when it can import it and otherwise runs
 * its own pure-Python loops, which give exactly the same bytes (the tests run both on the same
 * inputs). A ticket is SHA-256(prefix || part), where the caller builds the prefix ("commitment ␟
 * seed ␟ kind ␟", plus "member id ␟" for inspector tickets). The prefix is absorbed once and its
 * state copied for each ticket: with the CPU's SHA instructions a ticket costs 60-100 ns here,
 * against 400 ns or more for hashlib's copy/update/digest objects.
 *
 * The low-level SHA256_* functions are deprecated in OpenSSL 3 but remain in its default builds;
 * their context is a plain struct, so copying the absorbed prefix is a struct copy, whereas
 * EVP_MD_CTX_copy_ex allocates a new context each time (measured: 60 against 80 ns a ticket, and
 * 0.47 against 0.56 s of CPU for §6 of a million-member draw). A libcrypto without the deprecated
 * functions (OPENSSL_NO_DEPRECATED_3_0, or a future major version) gets the EVP path, which
 * -DDRAWHASH_FORCE_EVP also selects.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define OPENSSL_SUPPRESS_DEPRECATED 1 /* SHA256_*: deprecated in 3.0, still there, no warnings */
#include <openssl/opensslconf.h>
#include <openssl/opensslv.h>
#include <openssl/evp.h>

#if defined(OPENSSL_NO_DEPRECATED_3_0) || defined(DRAWHASH_FORCE_EVP) || \
    (defined(OPENSSL_VERSION_MAJOR) && OPENSSL_VERSION_MAJOR >= 4)
#define DRAWHASH_EVP 1
#else
#include <openssl/sha.h>
#endif

#define DIGEST 32

/* ---------------------------------------------------------------------------------------------
 * A SHA-256 state that has absorbed a prefix, copied for each ticket.
 * ------------------------------------------------------------------------------------------- */

#ifndef DRAWHASH_EVP
typedef struct {
    SHA256_CTX base;
} hasher;

static int hasher_init(hasher *h, const void *prefix, size_t length) {
    return SHA256_Init(&h->base) && SHA256_Update(&h->base, prefix, length);
}

static int hasher_ticket(hasher *h, const void *part, size_t length, unsigned char *out) {
    SHA256_CTX ctx = h->base;
    return SHA256_Update(&ctx, part, length) && SHA256_Final(out, &ctx);
}

static void hasher_free(hasher *h) { (void)h; }

#define BACKEND "openssl-sha256"
#else
typedef struct {
    EVP_MD_CTX *base;
    EVP_MD_CTX *work;
} hasher;

static int hasher_init(hasher *h, const void *prefix, size_t length) {
    h->base = EVP_MD_CTX_new();
    h->work = EVP_MD_CTX_new();
    return h->base && h->work && EVP_DigestInit_ex(h->base, EVP_sha256(), NULL) &&
           EVP_DigestUpdate(h->base, prefix, length);
}

static int hasher_ticket(hasher *h, const void *part, size_t length, unsigned char *out) {
    return EVP_MD_CTX_copy_ex(h->work, h->base) && EVP_DigestUpdate(h->work, part, length) &&
           EVP_DigestFinal_ex(h->work, out, NULL);
}

static void hasher_free(hasher *h) {
    EVP_MD_CTX_free(h->base);
    EVP_MD_CTX_free(h->work);
}

#define BACKEND "openssl-evp"
#endif

static PyObject *hash_failed(void) {
    PyErr_SetString(PyExc_RuntimeError, "_drawhash: OpenSSL SHA-256 failed");
    return NULL;
}

/* Python's ``digest < bound`` for a 32-byte digest and a bound of any length. */
static int below(const unsigned char *digest, const unsigned char *bound, Py_ssize_t length) {
    int order = memcmp(digest, bound, length < DIGEST ? (size_t)length : DIGEST);
    return order < 0 || (order == 0 && length > DIGEST);
}

/* ---------------------------------------------------------------------------------------------
 * scan(prefix, blob, start, end, first_index, bound) -> [(digest + id, index), ...]
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    Py_ssize_t offset, length, index;
    unsigned char digest[DIGEST];
} hit;

PyDoc_STRVAR(scan_doc,
    "scan(prefix, blob, start, end, first_index, bound) -> list\n\n"
    "Exactly gongkai_draw._scan: the ids of blob[start:end] split on U+001F are numbered from\n"
    "first_index; returns (SHA-256(prefix + id) + id, index) for each digest below bound, in order.");

static PyObject *scan(PyObject *module, PyObject *args) {
    Py_buffer prefix, blob, bound;
    Py_ssize_t start, end, first_index;
    if (!PyArg_ParseTuple(args, "y*y*nnny*:scan", &prefix, &blob, &start, &end, &first_index, &bound))
        return NULL;
    PyObject *result = NULL;
    hit *hits = NULL;
    Py_ssize_t count = 0, capacity = 0;
    int failed = 0, no_memory = 0;
    hasher h;
    memset(&h, 0, sizeof h);
    if (!hasher_init(&h, prefix.buf, (size_t)prefix.len)) {
        hash_failed();
        goto done;
    }
    PySlice_AdjustIndices(blob.len, &start, &end, 1);  /* blob[start:end], as Python slices it */
    if (end < start)
        end = start;
    const unsigned char *data = blob.buf, *bound_bytes = bound.buf;
    Py_BEGIN_ALLOW_THREADS
    /* bytes.split: an empty range is one empty id, and so is each pair of adjacent separators. */
    Py_ssize_t position = start, index = first_index;
    for (;;) {
        const unsigned char *stop = memchr(data + position, 0x1f, (size_t)(end - position));
        Py_ssize_t next = stop ? stop - data : end;
        unsigned char digest[DIGEST];
        if (!hasher_ticket(&h, data + position, (size_t)(next - position), digest)) {
            failed = 1;
            break;
        }
        if (below(digest, bound_bytes, bound.len)) {
            if (count == capacity) {
                Py_ssize_t grown = capacity ? 2 * capacity : 1024;
                hit *larger = realloc(hits, (size_t)grown * sizeof(hit));
                if (!larger) {
                    no_memory = 1;
                    break;
                }
                hits = larger, capacity = grown;
            }
            hit *entry = &hits[count++];
            entry->offset = position, entry->length = next - position, entry->index = index;
            memcpy(entry->digest, digest, DIGEST);
        }
        if (!stop)
            break;
        position = next + 1, index++;
    }
    Py_END_ALLOW_THREADS
    if (failed) {
        hash_failed();
        goto done;
    }
    if (no_memory) {
        PyErr_NoMemory();
        goto done;
    }
    result = PyList_New(count);
    if (!result)
        goto done;
    for (Py_ssize_t n = 0; n < count; n++) {
        PyObject *key = PyBytes_FromStringAndSize(NULL, DIGEST + hits[n].length);
        PyObject *number = key ? PyLong_FromSsize_t(hits[n].index) : NULL;
        PyObject *pair = number ? PyTuple_New(2) : NULL;
        if (!pair) {
            Py_XDECREF(key);
            Py_XDECREF(number);
            Py_CLEAR(result);
            goto done;
        }
        char *bytes = PyBytes_AS_STRING(key);
        memcpy(bytes, hits[n].digest, DIGEST);
        memcpy(bytes + DIGEST, data + hits[n].offset, (size_t)hits[n].length);
        PyTuple_SET_ITEM(pair, 0, key);
        PyTuple_SET_ITEM(pair, 1, number);
        PyList_SET_ITEM(result, n, pair);
    }
done:
    hasher_free(&h);
    free(hits);
    PyBuffer_Release(&prefix);
    PyBuffer_Release(&blob);
    PyBuffer_Release(&bound);
    return result;
}

/* ---------------------------------------------------------------------------------------------
 * team(prefix, buckets, levels, required, size, skip, excluded) -> [inspector id, ...] or None
 *
 * Steps 1-4 of §6 for one member, as _Assigner.team_for computes them. ``buckets`` maps a load to
 * {department: {unit: set of inspector ids (UTF-8 bytes)}}, ``levels`` is sorted(buckets), and
 * ``prefix`` is "commitment ␟ seed ␟ inspector ␟ member id ␟". An inspector's key is
 * digest + id, which orders exactly as (ticket, id). The tickets of a (load, department) group
 * are computed the first time the group is needed, as in Python. A call hashes some eighty
 * tickets (a few microseconds), so it keeps the GIL: giving it up and waiting for it again could
 * cost more than the work, when another thread holds it.
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    unsigned char digest[DIGEST];
    PyObject *id; /* borrowed from the caller's sets, which nothing changes during the call */
    int used;
} key;

typedef struct {
    Py_ssize_t level;     /* position in levels */
    PyObject *department; /* borrowed */
    key *keys;
    Py_ssize_t count;
} group;

typedef struct {
    hasher h;
    PyObject *buckets, *levels, *skip, *excluded;
    group *groups;
    Py_ssize_t count, capacity;
} team_state;

/* (digest, id) order: the digests, then the ids' bytes (a shorter prefix first). */
static int key_less(const key *a, const key *b) {
    int order = memcmp(a->digest, b->digest, DIGEST);
    if (order)
        return order < 0;
    Py_ssize_t la = PyBytes_GET_SIZE(a->id), lb = PyBytes_GET_SIZE(b->id);
    order = memcmp(PyBytes_AS_STRING(a->id), PyBytes_AS_STRING(b->id), (size_t)(la < lb ? la : lb));
    return order ? order < 0 : la < lb;
}

static int same_id(PyObject *a, PyObject *b) {
    return a == b || (PyBytes_GET_SIZE(a) == PyBytes_GET_SIZE(b) &&
                      memcmp(PyBytes_AS_STRING(a), PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(a)) == 0);
}

static PyObject *dict_at(PyObject *container, PyObject *name, const char *what) {
    if (!PyDict_Check(container)) {
        PyErr_Format(PyExc_TypeError, "team: %s must be a dict", what);
        return NULL;
    }
    return PyDict_GetItemWithError(container, name); /* borrowed; NULL without error if absent */
}

/* The keys of the eligible inspectors of one (load, department) group; NULL on error. */
static group *group_keys(team_state *state, Py_ssize_t level, PyObject *department) {
    for (Py_ssize_t n = 0; n < state->count; n++) {
        group *found = &state->groups[n];
        if (found->level == level) {
            int equal = PyObject_RichCompareBool(found->department, department, Py_EQ);
            if (equal < 0)
                return NULL;
            if (equal)
                return found;
        }
    }
    if (state->count == state->capacity) {
        Py_ssize_t grown = state->capacity ? 2 * state->capacity : 8;
        group *larger = PyMem_Realloc(state->groups, (size_t)grown * sizeof(group));
        if (!larger) {
            PyErr_NoMemory();
            return NULL;
        }
        state->groups = larger, state->capacity = grown;
    }
    group *made = &state->groups[state->count++];
    made->level = level, made->department = department, made->keys = NULL, made->count = 0;
    PyObject *by_department = dict_at(state->buckets, PyList_GET_ITEM(state->levels, level), "buckets");
    if (!by_department) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_KeyError, "team: a level is not in buckets");
        return NULL;
    }
    PyObject *by_unit = dict_at(by_department, department, "buckets[load]");
    if (!by_unit)
        return PyErr_Occurred() ? NULL : made; /* no inspector of that department at that load */
    if (!PyDict_Check(by_unit)) {
        PyErr_SetString(PyExc_TypeError, "team: buckets[load][department] must be a dict");
        return NULL;
    }
    Py_ssize_t position = 0, capacity = 0;
    PyObject *unit, *members;
    while (PyDict_Next(by_unit, &position, &unit, &members)) {
        if (state->skip != Py_None) {
            int other = PyObject_RichCompareBool(unit, state->skip, Py_NE);
            if (other < 0)
                return NULL;
            if (!other)
                continue; /* 所所交叉: not from the member's own unit */
        }
        PyObject *iterator = PyObject_GetIter(members), *id;
        if (!iterator)
            return NULL;
        while ((id = PyIter_Next(iterator)) != NULL) {
            Py_DECREF(id); /* the set keeps it alive */
            if (!PyBytes_Check(id)) {
                PyErr_Format(PyExc_TypeError, "team: inspector ids must be bytes, not %.80s", Py_TYPE(id)->tp_name);
                break;
            }
            if (state->excluded != Py_None) {
                int conflict = PySequence_Contains(state->excluded, id);
                if (conflict < 0)
                    break;
                if (conflict)
                    continue;
            }
            if (made->count == capacity) {
                capacity = capacity ? 2 * capacity : 64;
                key *larger = PyMem_Realloc(made->keys, (size_t)capacity * sizeof(key));
                if (!larger) {
                    PyErr_NoMemory();
                    break;
                }
                made->keys = larger;
            }
            key *entry = &made->keys[made->count];
            if (!hasher_ticket(&state->h, PyBytes_AS_STRING(id), (size_t)PyBytes_GET_SIZE(id), entry->digest)) {
                hash_failed();
                break;
            }
            entry->id = id, entry->used = 0;
            made->count++;
        }
        Py_DECREF(iterator);
        if (PyErr_Occurred())
            return NULL;
    }
    return made;
}

/* Append id to the team unless it is there already; returns 1 if appended, -1 on error. */
static int take(PyObject *taken, PyObject *id) {
    for (Py_ssize_t n = 0; n < PyList_GET_SIZE(taken); n++)
        if (same_id(PyList_GET_ITEM(taken, n), id))
            return 0;
    return PyList_Append(taken, id) < 0 ? -1 : 1;
}

PyDoc_STRVAR(team_doc,
    "team(prefix, buckets, levels, required, size, skip, excluded) -> list or None\n\n"
    "Exactly the steps 1-4 of _Assigner.team_for: the ids (bytes) of the team in the order taken,\n"
    "or None when no full team can be formed. skip is the unit to leave out (or None), excluded a\n"
    "set of inspector ids in conflict with the member (or None).");

static PyObject *team(PyObject *module, PyObject *args) {
    Py_buffer prefix;
    PyObject *buckets, *levels, *required, *skip, *excluded;
    Py_ssize_t size;
    if (!PyArg_ParseTuple(args, "y*O!O!O!nOO:team", &prefix, &PyDict_Type, &buckets, &PyList_Type, &levels,
                          &PyList_Type, &required, &size, &skip, &excluded))
        return NULL;
    team_state state;
    memset(&state, 0, sizeof state);
    state.buckets = buckets, state.levels = levels, state.skip = skip, state.excluded = excluded;
    PyObject *taken = NULL;
    if (!hasher_init(&state.h, prefix.buf, (size_t)prefix.len)) {
        hash_failed();
        goto done;
    }
    taken = PyList_New(0);
    if (!taken)
        goto done;
    Py_ssize_t count = PyList_GET_SIZE(levels);
    /* Step 3: the first (least-loaded, then lowest key) inspector of each required department. */
    for (Py_ssize_t d = 0; d < PyList_GET_SIZE(required); d++) {
        PyObject *department = PyList_GET_ITEM(required, d);
        key *best = NULL;
        for (Py_ssize_t level = 0; level < count && !best; level++) {
            group *found = group_keys(&state, level, department);
            if (!found)
                goto failed;
            for (Py_ssize_t n = 0; n < found->count; n++)
                if (!best || key_less(&found->keys[n], best))
                    best = &found->keys[n];
        }
        if (!best) {
            Py_CLEAR(taken);
            taken = Py_NewRef(Py_None);
            goto done;
        }
        if (PyList_Append(taken, best->id) < 0)
            goto failed;
    }
    /* Step 4: fill the team in (load, key) order, the least-loaded level first. */
    Py_ssize_t missing = size - PyList_GET_SIZE(taken);
    for (Py_ssize_t level = 0; level < count && missing > 0; level++) {
        PyObject *by_department = dict_at(buckets, PyList_GET_ITEM(levels, level), "buckets");
        if (!by_department) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_KeyError, "team: a level is not in buckets");
            goto failed;
        }
        /* The groups of every department at this level (computing those not yet needed). */
        Py_ssize_t position = 0, groups = 0;
        PyObject *department, *ignored;
        Py_ssize_t *pending = NULL; /* positions in state.groups, which group_keys may move */
        while (PyDict_Next(by_department, &position, &department, &ignored)) {
            Py_ssize_t *larger = PyMem_Realloc(pending, (size_t)(groups + 1) * sizeof(Py_ssize_t));
            if (!larger) {
                PyMem_Free(pending);
                PyErr_NoMemory();
                goto failed;
            }
            pending = larger;
            group *found = group_keys(&state, level, department);
            if (!found) {
                PyMem_Free(pending);
                goto failed;
            }
            pending[groups++] = found - state.groups;
        }
        while (missing > 0) {
            key *best = NULL;
            for (Py_ssize_t g = 0; g < groups; g++) {
                group *found = &state.groups[pending[g]];
                for (Py_ssize_t n = 0; n < found->count; n++) {
                    key *candidate = &found->keys[n];
                    if (!candidate->used && (!best || key_less(candidate, best)))
                        best = candidate;
                }
            }
            if (!best)
                break;
            best->used = 1;
            int added = take(taken, best->id);
            if (added < 0) {
                PyMem_Free(pending);
                goto failed;
            }
            missing -= added;
        }
        PyMem_Free(pending);
    }
    if (missing > 0) {
        Py_CLEAR(taken);
        taken = Py_NewRef(Py_None);
    }
    goto done;
failed:
    Py_CLEAR(taken);
done:
    for (Py_ssize_t n = 0; n < state.count; n++)
        PyMem_Free(state.groups[n].keys);
    PyMem_Free(state.groups);
    hasher_free(&state.h);
    PyBuffer_Release(&prefix);
    return taken;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS, scan_doc},
    {"team", team, METH_VARARGS, team_doc},
    {NULL, NULL, 0, NULL},
};

static int exec_module(PyObject *module) {
    /* API: the version of these functions' contract; gongkai_draw.py ignores a module whose
     * version it does not know (one built from another version of this file). */
    if (PyModule_AddIntConstant(module, "API", 1) < 0)
        return -1;
    return PyModule_AddStringConstant(module, "BACKEND", BACKEND);
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
#ifdef Py_mod_multiple_interpreters
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
    {0, NULL},
};

static struct PyModuleDef definition = {
    PyModuleDef_HEAD_INIT,
    "_drawhash",
    "Optional compiled SHA-256 ticket loops for gongkai_draw (gongkai-draw/1, §5 and §6).",
    0,
    methods,
    slots,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC PyInit__drawhash(void) { return PyModuleDef_Init(&definition); }
