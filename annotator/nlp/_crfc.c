/* Viterbi and forward-backward marginals of a linear-chain CRF, over many sequences laid
 * end to end: the compiled twin of the numpy functions in annotator/nlp/fastcrf.py; and
 * the sums of weight rows that make a trained model's state scores (annotator/nlp/trained.py).
 *
 * Arrays come as buffers (numpy arrays, C-contiguous), so no numpy headers are needed:
 *   states      float64, (positions, labels): the state scores of every sequence, one after another
 *   lengths     intp (Py_ssize_t), the length of each sequence; they sum to positions
 *   transition  float64, (labels, labels): from, to
 *   out         intp (positions,) for viterbi, float64 (positions, labels) for marginals
 *
 * The arithmetic is the numpy code's, step for step: Viterbi's scores are the same doubles
 * (a maximum is exact whatever the order), so the best paths are identical, ties going to
 * the lowest label id as in crfsuite's crf1dc_viterbi; the marginals differ from numpy's
 * only by the order of the sums inside a matrix product (~1e-16).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

/* The loops over labels are compiled twice where GCC can pick at load time: for AVX2 and
 * for the baseline. Only wider vectors: no FMA (a contracted multiply-add rounds once, not
 * twice), so every double is the same on either. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
#define WIDE_LOOPS __attribute__((target_clones("avx2", "default")))
#else
#define WIDE_LOOPS
#endif

#if defined(_MSC_VER) && !defined(restrict)
#define restrict __restrict  /* MSVC's C has no C99 restrict */
#endif

static int
check_sizes(Py_buffer *states, Py_buffer *lengths, Py_buffer *trans, Py_ssize_t n_labels,
            Py_ssize_t *positions, Py_ssize_t *longest)
{
    Py_ssize_t n_seq, i, total = 0, most = 0;
    const Py_ssize_t *len = (const Py_ssize_t *)lengths->buf;

    if (n_labels <= 0) {
        PyErr_SetString(PyExc_ValueError, "n_labels must be positive");
        return -1;
    }
    if (lengths->len % (Py_ssize_t)sizeof(Py_ssize_t)) {
        PyErr_SetString(PyExc_ValueError, "lengths must be an intp array");
        return -1;
    }
    n_seq = lengths->len / (Py_ssize_t)sizeof(Py_ssize_t);
    for (i = 0; i < n_seq; i++) {
        if (len[i] < 0) {
            PyErr_SetString(PyExc_ValueError, "a negative sequence length");
            return -1;
        }
        total += len[i];
        if (len[i] > most)
            most = len[i];
    }
    if (states->len != total * n_labels * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "states must be (sum of lengths, n_labels) float64");
        return -1;
    }
    if (trans->len != n_labels * n_labels * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "transition must be (n_labels, n_labels) float64");
        return -1;
    }
    *positions = total;
    *longest = most;
    return 0;
}

/* dt[j] = max over i of (dp[i] + tr[i][j]), + xt[j]. "From" outer, "to" inner: contiguous
 * rows, which the compiler vectorizes (a maximum is exact in any order); the argmax is
 * found when tracing back. */
static inline void
viterbi_step(const double *restrict dp, const double *restrict tr, const double *restrict xt,
             double *restrict dt, Py_ssize_t L)
{
    Py_ssize_t i, j;
    for (j = 0; j < L; j++)
        dt[j] = dp[0] + tr[j];
    for (i = 1; i < L; i++) {
        const double a = dp[i];
        const double *restrict row = tr + i * L;
        for (j = 0; j < L; j++) {
            const double v = a + row[j];
            dt[j] = v > dt[j] ? v : dt[j];
        }
    }
    for (j = 0; j < L; j++)
        dt[j] += xt[j];
}

/* out[j] = sum over i of v[i] * m[i][j] */
static inline void
vec_mat(const double *restrict v, const double *restrict m, double *restrict out, Py_ssize_t L)
{
    Py_ssize_t i, j;
    for (j = 0; j < L; j++)
        out[j] = 0.0;
    for (i = 0; i < L; i++) {
        const double a = v[i];
        const double *restrict row = m + i * L;
        for (j = 0; j < L; j++)
            out[j] += a * row[j];
    }
}

WIDE_LOOPS static PyObject *
crfc_viterbi(PyObject *self, PyObject *args)
{
    Py_buffer states, lengths, trans, out;
    Py_ssize_t L, N, longest, n_seq, s, t, i, j, start = 0;
    double *delta = NULL;
    PyObject *result = NULL;

    if (!PyArg_ParseTuple(args, "y*y*y*nw*", &states, &lengths, &trans, &L, &out))
        return NULL;
    if (check_sizes(&states, &lengths, &trans, L, &N, &longest) < 0)
        goto done;
    if (out.len != N * (Py_ssize_t)sizeof(Py_ssize_t)) {
        PyErr_SetString(PyExc_ValueError, "out must be (sum of lengths,) intp");
        goto done;
    }
    if (longest) {
        delta = PyMem_Malloc(sizeof(double) * longest * L);
        if (!delta) {
            PyErr_NoMemory();
            goto done;
        }
    }
    {
        const double *x = (const double *)states.buf;
        const double *tr = (const double *)trans.buf;
        const Py_ssize_t *len = (const Py_ssize_t *)lengths.buf;
        Py_ssize_t *best = (Py_ssize_t *)out.buf;

        n_seq = lengths.len / (Py_ssize_t)sizeof(Py_ssize_t);
        Py_BEGIN_ALLOW_THREADS
        for (s = 0; s < n_seq; s++) {
            Py_ssize_t n = len[s];
            const double *xs = x + start * L;
            if (!n)
                continue;
            memcpy(delta, xs, sizeof(double) * L);
            for (t = 1; t < n; t++)
                viterbi_step(delta + (t - 1) * L, tr, xs + t * L, delta + t * L, L);
            {
                const double *dl = delta + (n - 1) * L;
                Py_ssize_t cur = 0;
                for (j = 1; j < L; j++)
                    if (dl[j] > dl[cur])
                        cur = j;
                best[start + n - 1] = cur;
                for (t = n - 1; t > 0; t--) {
                    /* the predecessor crfsuite keeps: the first label with the best score into cur */
                    const double *dp = delta + (t - 1) * L;
                    Py_ssize_t arg = 0;
                    double m = dp[0] + tr[cur];
                    for (i = 1; i < L; i++) {
                        const double v = dp[i] + tr[i * L + cur];
                        if (v > m) {
                            m = v;
                            arg = i;
                        }
                    }
                    cur = arg;
                    best[start + t - 1] = cur;
                }
            }
            start += n;
        }
        Py_END_ALLOW_THREADS
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(delta);
    PyBuffer_Release(&states);
    PyBuffer_Release(&lengths);
    PyBuffer_Release(&trans);
    PyBuffer_Release(&out);
    return result;
}

WIDE_LOOPS static PyObject *
crfc_marginals(PyObject *self, PyObject *args)
{
    Py_buffer states, lengths, trans, out;
    Py_ssize_t L, N, longest, n_seq, s, t, i, j, start = 0;
    double *xe = NULL, *beta = NULL, *et = NULL, *ett = NULL, *tmp = NULL;
    PyObject *result = NULL;

    if (!PyArg_ParseTuple(args, "y*y*y*nw*", &states, &lengths, &trans, &L, &out))
        return NULL;
    if (check_sizes(&states, &lengths, &trans, L, &N, &longest) < 0)
        goto done;
    if (out.len != N * L * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "out must be (sum of lengths, n_labels) float64");
        goto done;
    }
    et = PyMem_Malloc(sizeof(double) * L * L);
    ett = PyMem_Malloc(sizeof(double) * L * L);
    tmp = PyMem_Malloc(sizeof(double) * L);
    if (longest) {
        xe = PyMem_Malloc(sizeof(double) * longest * L);
        beta = PyMem_Malloc(sizeof(double) * longest * L);
    }
    if (!et || !ett || !tmp || (longest && (!xe || !beta))) {
        PyErr_NoMemory();
        goto done;
    }
    {
        const double *x = (const double *)states.buf;
        const double *tr = (const double *)trans.buf;
        const Py_ssize_t *len = (const Py_ssize_t *)lengths.buf;
        double *alpha_all = (double *)out.buf;

        n_seq = lengths.len / (Py_ssize_t)sizeof(Py_ssize_t);
        Py_BEGIN_ALLOW_THREADS
        for (i = 0; i < L * L; i++)
            et[i] = exp(tr[i]);
        for (i = 0; i < L; i++)
            for (j = 0; j < L; j++)
                ett[j * L + i] = et[i * L + j];
        for (s = 0; s < n_seq; s++) {
            Py_ssize_t n = len[s];
            const double *xs = x + start * L;
            double *alpha = alpha_all + start * L;
            double sum, inv;
            if (!n)
                continue;
            /* a shift per position: the same marginals, no overflow */
            for (t = 0; t < n; t++) {
                const double *xt = xs + t * L;
                double *et_row = xe + t * L;
                double m = xt[0];
                for (j = 1; j < L; j++)
                    if (xt[j] > m)
                        m = xt[j];
                for (j = 0; j < L; j++)
                    et_row[j] = exp(xt[j] - m);
            }
            sum = 0.0;
            for (j = 0; j < L; j++)
                sum += xe[j];
            for (j = 0; j < L; j++)
                alpha[j] = xe[j] / sum;
            for (t = 1; t < n; t++) {
                const double *ap = alpha + (t - 1) * L;
                double *at = alpha + t * L;
                const double *xt = xe + t * L;
                vec_mat(ap, et, at, L);
                sum = 0.0;
                for (j = 0; j < L; j++) {
                    at[j] *= xt[j];
                    sum += at[j];
                }
                inv = 1.0 / sum;
                for (j = 0; j < L; j++)
                    at[j] *= inv;
            }
            for (j = 0; j < L; j++)
                beta[(n - 1) * L + j] = 1.0;
            for (t = n - 2; t >= 0; t--) {
                const double *bn = beta + (t + 1) * L;
                const double *xn = xe + (t + 1) * L;
                double *bt = beta + t * L;
                for (j = 0; j < L; j++)
                    tmp[j] = xn[j] * bn[j];
                vec_mat(tmp, ett, bt, L);  /* bt[i] = sum over j of tmp[j] * et[i][j] */
                sum = 0.0;
                for (i = 0; i < L; i++)
                    sum += bt[i];
                inv = 1.0 / sum;
                for (i = 0; i < L; i++)
                    bt[i] *= inv;
            }
            for (t = 0; t < n; t++) {
                double *at = alpha + t * L;
                const double *bt = beta + t * L;
                sum = 0.0;
                for (j = 0; j < L; j++) {
                    at[j] *= bt[j];
                    sum += at[j];
                }
                inv = 1.0 / sum;
                for (j = 0; j < L; j++)
                    at[j] *= inv;
            }
            start += n;
        }
        Py_END_ALLOW_THREADS
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(et);
    PyMem_Free(ett);
    PyMem_Free(tmp);
    PyMem_Free(xe);
    PyMem_Free(beta);
    PyBuffer_Release(&states);
    PyBuffer_Release(&lengths);
    PyBuffer_Release(&trans);
    PyBuffer_Release(&out);
    return result;
}

/* The state scores of a trained model's tokens (annotator/nlp/trained.py, _FastScores):
 * for token i at place p of a sequence of n tokens, in this order,
 *   rows[idx[i][0]] + bias,
 *   then for k = 1 .. window: rows[idx[i-k][2k-1]] (p >= k), rows[idx[i+k][2k]] (p + k < n),
 *        bos[k-1] (p == k-1), eos[k-1] (p == n-k),
 *   then w[pairs[i-1][0]] (p > 0) and w[pairs[i][1]] (p < n-1), when pairs are given:
 * the additions of the numpy code there, element for element, so the scores are the
 * same doubles. */
WIDE_LOOPS static PyObject *
crfc_state_scores(PyObject *self, PyObject *args)
{
    Py_buffer rows, idx, lengths, bias, bos, eos, w, pairs, out;
    Py_ssize_t L, window, P, n_rows, n_w, T = 0, n_seq, s, p, j, k, i, pos = 0;
    PyObject *result = NULL;

    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*y*nnw*", &rows, &idx, &lengths, &bias, &bos, &eos, &w, &pairs,
                          &L, &window, &out))
        return NULL;
    if (L <= 0 || window < 0) {
        PyErr_SetString(PyExc_ValueError, "labels must be positive and the window not negative");
        goto done;
    }
    P = 1 + 2 * window;
    if (lengths.len % (Py_ssize_t)sizeof(Py_ssize_t) || idx.len % (Py_ssize_t)sizeof(Py_ssize_t)
        || pairs.len % (Py_ssize_t)sizeof(Py_ssize_t)) {
        PyErr_SetString(PyExc_ValueError, "lengths, idx and pairs must be intp arrays");
        goto done;
    }
    n_seq = lengths.len / (Py_ssize_t)sizeof(Py_ssize_t);
    for (s = 0; s < n_seq; s++) {
        Py_ssize_t n = ((const Py_ssize_t *)lengths.buf)[s];
        if (n < 0) {
            PyErr_SetString(PyExc_ValueError, "a negative sequence length");
            goto done;
        }
        T += n;
    }
    n_rows = rows.len / (Py_ssize_t)(sizeof(double) * L);
    n_w = w.len / (Py_ssize_t)(sizeof(double) * L);
    if (rows.len != n_rows * L * (Py_ssize_t)sizeof(double) || w.len != n_w * L * (Py_ssize_t)sizeof(double)
        || bias.len != L * (Py_ssize_t)sizeof(double)
        || bos.len != window * L * (Py_ssize_t)sizeof(double) || eos.len != window * L * (Py_ssize_t)sizeof(double)
        || idx.len != T * P * (Py_ssize_t)sizeof(Py_ssize_t)
        || (pairs.len && pairs.len != (T > 0 ? T - 1 : 0) * 2 * (Py_ssize_t)sizeof(Py_ssize_t))
        || out.len != T * L * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "array sizes do not match the labels, window and lengths");
        goto done;
    }
    {
        const Py_ssize_t *ix = (const Py_ssize_t *)idx.buf, *pr = (const Py_ssize_t *)pairs.buf;
        for (i = 0; i < T * P; i++)
            if (ix[i] < 0 || ix[i] >= n_rows) {
                PyErr_SetString(PyExc_IndexError, "a row id out of range");
                goto done;
            }
        for (i = 0; i < pairs.len / (Py_ssize_t)sizeof(Py_ssize_t); i++)
            if (pr[i] < 0 || pr[i] >= n_w) {
                PyErr_SetString(PyExc_IndexError, "an attribute id out of range");
                goto done;
            }
    }
    {
        const double *R = (const double *)rows.buf, *W = (const double *)w.buf, *B = (const double *)bias.buf;
        const double *BOS = (const double *)bos.buf, *EOS = (const double *)eos.buf;
        const Py_ssize_t *ix = (const Py_ssize_t *)idx.buf, *pr = (const Py_ssize_t *)pairs.buf;
        const Py_ssize_t *len = (const Py_ssize_t *)lengths.buf;
        const int bigrams = pairs.len > 0;
        double *O = (double *)out.buf;

        Py_BEGIN_ALLOW_THREADS
        for (s = 0; s < n_seq; s++) {
            const Py_ssize_t n = len[s];
            for (p = 0; p < n; p++) {
                double *restrict o = O + (pos + p) * L;
                const double *r = R + ix[(pos + p) * P] * L;
                for (j = 0; j < L; j++)
                    o[j] = r[j] + B[j];
                for (k = 1; k <= window; k++) {
                    if (p >= k) {
                        r = R + ix[(pos + p - k) * P + 2 * k - 1] * L;
                        for (j = 0; j < L; j++)
                            o[j] += r[j];
                    }
                    if (p + k < n) {
                        r = R + ix[(pos + p + k) * P + 2 * k] * L;
                        for (j = 0; j < L; j++)
                            o[j] += r[j];
                    }
                    if (p == k - 1) {
                        r = BOS + (k - 1) * L;
                        for (j = 0; j < L; j++)
                            o[j] += r[j];
                    }
                    if (p == n - k) {
                        r = EOS + (k - 1) * L;
                        for (j = 0; j < L; j++)
                            o[j] += r[j];
                    }
                }
                if (bigrams) {
                    if (p > 0) {
                        r = W + pr[(pos + p - 1) * 2] * L;
                        for (j = 0; j < L; j++)
                            o[j] += r[j];
                    }
                    if (p < n - 1) {
                        r = W + pr[(pos + p) * 2 + 1] * L;
                        for (j = 0; j < L; j++)
                            o[j] += r[j];
                    }
                }
            }
            pos += n;
        }
        Py_END_ALLOW_THREADS
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&rows);
    PyBuffer_Release(&idx);
    PyBuffer_Release(&lengths);
    PyBuffer_Release(&bias);
    PyBuffer_Release(&bos);
    PyBuffer_Release(&eos);
    PyBuffer_Release(&w);
    PyBuffer_Release(&pairs);
    PyBuffer_Release(&out);
    return result;
}

/* A word's summed weight rows, one for each role it plays (annotator/nlp/fastcrf.py,
 * RowCache.word_rows): for role r, the ids that the dict role_ids[r] gives the
 * attributes of lists[r] (names it lacks count nothing), sorted; the row that set of ids
 * has in by_key (their bytes -> row), or else row n_used, n_used + 1, …, summed from zero
 * in id order into rows, as RowCache.row sums it. The roles' rows go into slots[slot];
 * returns the new n_used. rows must have room for one new row per role. */
static PyObject *
crfc_word_rows(PyObject *self, PyObject *args)
{
    PyObject *lists, *role_ids, *by_key, *result = NULL, *key = NULL, *seq = NULL;
    Py_buffer rows, state, slots;
    Py_ssize_t n_used, slot, L, R, n_rows, n_state, n_slots, r, i, j, k;
    Py_ssize_t small[64], *ids = small, cap = 64;

    if (!PyArg_ParseTuple(args, "O!O!O!w*ny*nw*n", &PyTuple_Type, &lists, &PyTuple_Type, &role_ids,
                          &PyDict_Type, &by_key, &rows, &n_used, &state, &L, &slots, &slot))
        return NULL;
    R = PyTuple_GET_SIZE(lists);
    if (L <= 0 || PyTuple_GET_SIZE(role_ids) != R) {
        PyErr_SetString(PyExc_ValueError, "one dict of ids per role, and a positive number of labels");
        goto done;
    }
    n_rows = rows.len / (Py_ssize_t)(sizeof(double) * L);
    n_state = state.len / (Py_ssize_t)(sizeof(double) * L);
    n_slots = R ? slots.len / (Py_ssize_t)(sizeof(Py_ssize_t) * R) : 0;
    if (rows.len != n_rows * L * (Py_ssize_t)sizeof(double) || state.len != n_state * L * (Py_ssize_t)sizeof(double)
        || slots.len != n_slots * R * (Py_ssize_t)sizeof(Py_ssize_t)) {
        PyErr_SetString(PyExc_ValueError, "rows and state must be (n, n_labels) float64, slots (n, roles) intp");
        goto done;
    }
    if (slot < 0 || slot >= n_slots || n_used < 1 || n_used + R > n_rows) {
        PyErr_SetString(PyExc_IndexError, "no such slot, or no room for a new row per role");
        goto done;
    }
    for (r = 0; r < R; r++) {
        PyObject *dict = PyTuple_GET_ITEM(role_ids, r), *found;
        Py_ssize_t n = 0, size, row;
        if (!PyDict_Check(dict)) {
            PyErr_SetString(PyExc_TypeError, "role_ids must hold dicts");
            goto done;
        }
        seq = PySequence_Fast(PyTuple_GET_ITEM(lists, r), "lists must hold sequences of attribute names");
        if (!seq)
            goto done;
        size = PySequence_Fast_GET_SIZE(seq);
        if (size > cap) {
            Py_ssize_t *more = PyMem_Malloc(sizeof(Py_ssize_t) * size);
            if (!more) {
                PyErr_NoMemory();
                goto done;
            }
            if (ids != small)
                PyMem_Free(ids);
            ids = more;
            cap = size;
        }
        for (i = 0; i < size; i++) {
            PyObject *v = PyDict_GetItemWithError(dict, PySequence_Fast_GET_ITEM(seq, i));
            Py_ssize_t id;
            if (!v) {
                if (PyErr_Occurred())
                    goto done;
                continue;
            }
            id = PyLong_AsSsize_t(v);
            if (id == -1 && PyErr_Occurred())
                goto done;
            if (id < 0 || id >= n_state) {
                PyErr_SetString(PyExc_IndexError, "an attribute id out of range");
                goto done;
            }
            for (k = n; k > 0 && ids[k - 1] > id; k--)  /* insertion sort: a handful of ids */
                ids[k] = ids[k - 1];
            ids[k] = id;
            n++;
        }
        Py_CLEAR(seq);
        key = PyBytes_FromStringAndSize((const char *)ids, n * (Py_ssize_t)sizeof(Py_ssize_t));
        if (!key)
            goto done;
        found = PyDict_GetItemWithError(by_key, key);
        if (found) {
            row = PyLong_AsSsize_t(found);
            if (row == -1 && PyErr_Occurred())
                goto done;
            if (row < 0 || row >= n_rows) {
                PyErr_SetString(PyExc_IndexError, "a cached row out of range");
                goto done;
            }
        }
        else {
            PyObject *value;
            double *restrict o = (double *)rows.buf + n_used * L;
            const double *S = (const double *)state.buf;
            if (PyErr_Occurred())
                goto done;
            row = n_used;
            for (j = 0; j < L; j++)
                o[j] = 0.0;
            for (k = 0; k < n; k++) {
                const double *w = S + ids[k] * L;
                for (j = 0; j < L; j++)
                    o[j] += w[j];
            }
            value = PyLong_FromSsize_t(row);
            if (!value || PyDict_SetItem(by_key, key, value) < 0) {
                Py_XDECREF(value);
                goto done;
            }
            Py_DECREF(value);
            n_used++;
        }
        Py_CLEAR(key);
        ((Py_ssize_t *)slots.buf)[slot * R + r] = row;
    }
    result = PyLong_FromSsize_t(n_used);
done:
    Py_XDECREF(seq);
    Py_XDECREF(key);
    if (ids != small)
        PyMem_Free(ids);
    PyBuffer_Release(&rows);
    PyBuffer_Release(&state);
    PyBuffer_Release(&slots);
    return result;
}

/* The (start, end) of every token of tokens (a sequence of tuples), as *n starts in a new
 * *offsets, then their n ends (the caller frees it with PyMem_Free): 1, or 0 when one is not
 * an (int, int) tuple with 0 <= start <= end <= size (size < 0: any end at or above start),
 * which the Python code takes instead (its slices count negative offsets from the end),
 * or -1 with an exception set. *offsets is NULL unless 1 is returned. */
static int
token_offsets(PyObject *tokens, Py_ssize_t size, Py_ssize_t *n, Py_ssize_t **offsets)
{
    PyObject *seq = PySequence_Fast(tokens, "tokens must be a sequence of (start, end)");
    Py_ssize_t i, *starts, *ends;
    int result = 1;

    *offsets = NULL;
    if (seq == NULL)
        return -1;
    *n = PySequence_Fast_GET_SIZE(seq);
    starts = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(*n ? 2 * *n : 1));
    if (starts == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    ends = starts + *n;
    for (i = 0; i < *n && result == 1; i++) {
        PyObject *pair = PySequence_Fast_GET_ITEM(seq, i), *a, *b;
        if (!(PyTuple_Check(pair) && PyTuple_GET_SIZE(pair) == 2 && PyLong_Check(a = PyTuple_GET_ITEM(pair, 0))
              && PyLong_Check(b = PyTuple_GET_ITEM(pair, 1)))) {
            result = 0;
            break;
        }
        starts[i] = PyLong_AsSsize_t(a);
        ends[i] = PyLong_AsSsize_t(b);
        if ((starts[i] == -1 || ends[i] == -1) && PyErr_Occurred())
            result = -1;
        else if (starts[i] < 0 || ends[i] < starts[i] || (size >= 0 && ends[i] > size))
            result = 0;
    }
    Py_DECREF(seq);
    if (result == 1)
        *offsets = starts;
    else
        PyMem_Free(starts);
    return result;
}

/* (s, e) onto the list out. */
static int
append_token(PyObject *out, Py_ssize_t s, Py_ssize_t e)
{
    PyObject *token = Py_BuildValue("(nn)", s, e);
    int failed = token == NULL || PyList_Append(out, token) < 0;
    Py_XDECREF(token);
    return failed ? -1 : 0;
}

/* Dictionary matching on word tokens (annotator/nlp/matching.py, longest_matches): the
 * (start, end) of the longest run of whole tokens whose text is in entries, left to right,
 * never overlapping; prefixes holds every prefix of every entry, so a run stops growing at
 * the first piece no entry starts with. The same steps as the Python loop there, without
 * its per-token interpreter work; the containers are any with `in` (set, frozenset, dict).
 * Returns NotImplemented for tokens read_tokens does not take: the caller's Python loop
 * answers. */
static PyObject *
crfc_longest_matches(PyObject *self, PyObject *args)
{
    PyObject *text, *tokens, *prefixes, *entries, *out = NULL;
    Py_ssize_t n, i, j, best, *starts, *ends;
    int read;

    if (!PyArg_ParseTuple(args, "UOOO", &text, &tokens, &prefixes, &entries))
        return NULL;
    read = token_offsets(tokens, -1, &n, &starts);
    if (read <= 0)
        return read == 0 ? Py_NewRef(Py_NotImplemented) : NULL;
    ends = starts + n;
    out = PyList_New(0);
    if (out == NULL)
        goto done;
    i = 0;
    while (i < n) {
        Py_ssize_t s = starts[i];
        best = -1;
        for (j = i; j < n; j++) {
            int in;
            PyObject *piece = PyUnicode_Substring(text, s, ends[j]);
            if (piece == NULL)
                goto fail;
            in = PySequence_Contains(prefixes, piece);
            if (in == 1)
                in = PySequence_Contains(entries, piece) == 1 ? 2 : PyErr_Occurred() ? -1 : 1;
            Py_DECREF(piece);
            if (in < 0)
                goto fail;
            if (in == 0)
                break;
            if (in == 2)
                best = j;
        }
        if (best < 0) {
            i++;
            continue;
        }
        if (append_token(out, s, ends[best]) < 0)
            goto fail;
        i = best + 1;
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    PyMem_Free(starts);
    return out;
}

/* Token (a, b) after the learned cuts (annotator/nlp/refine.py, SplitTable.apply): cut
 * where cuts[text[a:b]] says, else kept whole. */
static int
append_cut(PyObject *out, PyObject *text, PyObject *cuts, Py_ssize_t a, Py_ssize_t b)
{
    PyObject *word, *at, *seq;
    Py_ssize_t k, n, prev = a;

    if (cuts == Py_None)
        return append_token(out, a, b);
    word = PyUnicode_Substring(text, a, b);
    if (word == NULL)
        return -1;
    at = PyDict_GetItemWithError(cuts, word);  /* borrowed */
    Py_DECREF(word);
    if (at == NULL)
        return PyErr_Occurred() ? -1 : append_token(out, a, b);
    if (!PyObject_IsTrue(at))
        return append_token(out, a, b);
    seq = PySequence_Fast(at, "cuts must be sequences of offsets");
    if (seq == NULL)
        return -1;
    n = PySequence_Fast_GET_SIZE(seq);
    for (k = 0; k < n; k++) {
        Py_ssize_t cut = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(seq, k));
        if ((cut == -1 && PyErr_Occurred()) || append_token(out, prev, a + cut) < 0) {
            Py_DECREF(seq);
            return -1;
        }
        prev = a + cut;
    }
    Py_DECREF(seq);
    return append_token(out, prev, b);
}

static int
is_punct(Py_UCS4 c, PyObject *punct)
{
    Py_ssize_t k, n = PyUnicode_GET_LENGTH(punct);
    for (k = 0; k < n; k++)
        if (PyUnicode_READ_CHAR(punct, k) == c)
            return 1;
    return 0;
}

/* Finer tokens for a trained model (annotator/nlp/refine.py): brackets and quotes
 * (the characters of punct) cut off the edges of a token that has other characters
 * too, then the learned cuts (a dict of word -> offsets, or None): split_punctuation and
 * SplitTable.apply in one pass, the same tokens. NotImplemented for tokens that are not
 * (int, int) tuples inside the text: the Python code answers. */
static PyObject *
crfc_refine_tokens(PyObject *self, PyObject *args)
{
    PyObject *text, *tokens, *punct, *cuts, *out = NULL;
    Py_ssize_t n, i, *starts, *ends;
    int read;

    if (!PyArg_ParseTuple(args, "UOUO", &text, &tokens, &punct, &cuts))
        return NULL;
    if (cuts != Py_None && !PyDict_CheckExact(cuts)) {
        PyErr_SetString(PyExc_TypeError, "cuts must be a dict or None");
        return NULL;
    }
    /* every token read first, inside the text: a fallback leaves nothing half-made */
    read = token_offsets(tokens, PyUnicode_GET_LENGTH(text), &n, &starts);
    if (read <= 0)
        return read == 0 ? Py_NewRef(Py_NotImplemented) : NULL;
    ends = starts + n;
    out = PyList_New(0);
    if (out == NULL)
        goto done;
    for (i = 0; i < n; i++) {
        Py_ssize_t s = starts[i], e = ends[i], a = s, b = e, k;
        if (e - s < 2 || (!is_punct(PyUnicode_READ_CHAR(text, s), punct)
                          && !is_punct(PyUnicode_READ_CHAR(text, e - 1), punct))) {
            if (append_cut(out, text, cuts, s, e) < 0)
                goto fail;
            continue;
        }
        while (a < b && is_punct(PyUnicode_READ_CHAR(text, a), punct))
            a++;
        while (b > a && is_punct(PyUnicode_READ_CHAR(text, b - 1), punct))
            b--;
        if (a == b) {  /* nothing but punctuation: kept as it was */
            if (append_cut(out, text, cuts, s, e) < 0)
                goto fail;
            continue;
        }
        for (k = s; k < a; k++)
            if (append_cut(out, text, cuts, k, k + 1) < 0)
                goto fail;
        if (append_cut(out, text, cuts, a, b) < 0)
            goto fail;
        for (k = b; k < e; k++)
            if (append_cut(out, text, cuts, k, k + 1) < 0)
                goto fail;
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    PyMem_Free(starts);
    return out;
}

/* (k, lo, hi) onto parts, and the words of tokens lo .. hi-1 onto words. */
static int
append_part(PyObject *parts, PyObject *words, PyObject *text, Py_ssize_t k, Py_ssize_t lo, Py_ssize_t hi,
            const Py_ssize_t *starts, const Py_ssize_t *ends)
{
    Py_ssize_t i;
    PyObject *part = Py_BuildValue("(nnn)", k, lo, hi);
    if (!part || PyList_Append(parts, part) < 0) {
        Py_XDECREF(part);
        return -1;
    }
    Py_DECREF(part);
    for (i = lo; i < hi; i++) {
        PyObject *word = PyUnicode_Substring(text, starts[i], ends[i]);
        if (!word || PyList_Append(words, word) < 0) {
            Py_XDECREF(word);
            return -1;
        }
        Py_DECREF(word);
    }
    return 0;
}

/* Whether text[s:e] is whitespace and not empty (str.isspace). */
static int
span_is_space(PyObject *text, Py_ssize_t s, Py_ssize_t e)
{
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t i;
    if (e <= s)
        return 0;
    for (i = s; i < e; i++)
        if (!Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            return 0;
    return 1;
}

/* crf.sequenced_words: the CRF sequences of every (text, tokens) of items, as (item, lo,
 * hi) token ranges, and the words of all of them, one sequence after another. A sequence is
 * a line (a token holding a newline belongs to none); a line of more than max_len tokens is
 * cut after a whitespace token in the last quarter before the limit, else at the limit
 * (crf.sequences). NotImplemented for tokens out of order, overlapping or not (int, int)
 * pairs within the text: the Python code takes those. */
static PyObject *
crfc_sequenced_words(PyObject *self, PyObject *args)
{
    PyObject *items, *seq = NULL, *parts = NULL, *words = NULL, *result = NULL;
    Py_ssize_t max_len, n_items, k;
    Py_ssize_t *offsets = NULL;

    if (!PyArg_ParseTuple(args, "On", &items, &max_len))
        return NULL;
    if (max_len < 1) {
        PyErr_SetString(PyExc_ValueError, "max_len must be positive");
        return NULL;
    }
    seq = PySequence_Fast(items, "items must be a sequence of (text, tokens)");
    if (!seq)
        return NULL;
    parts = PyList_New(0);
    words = PyList_New(0);
    if (!parts || !words)
        goto done;
    n_items = PySequence_Fast_GET_SIZE(seq);
    for (k = 0; k < n_items; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, k), *text;
        Py_ssize_t n, i, lo = 0;
        const Py_ssize_t *starts, *ends;
        int ok;
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2 || !PyUnicode_CheckExact(text = PyTuple_GET_ITEM(item, 0))) {
            result = Py_NotImplemented;
            goto done;
        }
        ok = token_offsets(PyTuple_GET_ITEM(item, 1), PyUnicode_GET_LENGTH(text), &n, &offsets);
        if (ok < 0)
            goto done;
        if (ok == 0) {
            result = Py_NotImplemented;
            goto done;
        }
        starts = offsets;
        ends = offsets + n;
        for (i = 1; i < n; i++)
            if (starts[i] < ends[i - 1]) {
                result = Py_NotImplemented;
                goto done;
            }
        /* i runs over the tokens; a token holding a newline, or the end, closes a line */
        for (i = 0; i <= n; i++) {
            Py_ssize_t stop;
            if (i < n && PyUnicode_FindChar(text, '\n', starts[i], ends[i], 1) < 0)
                continue;
            stop = i;
            while (stop - lo > max_len) {
                Py_ssize_t cut = lo + max_len, j;
                for (j = cut - 1; j > lo + (3 * max_len) / 4; j--)
                    if (span_is_space(text, starts[j], ends[j])) {
                        cut = j + 1;
                        break;
                    }
                if (append_part(parts, words, text, k, lo, cut, starts, ends) < 0)
                    goto done;
                lo = cut;
            }
            if (stop > lo && append_part(parts, words, text, k, lo, stop, starts, ends) < 0)
                goto done;
            lo = stop + 1;
        }
        PyMem_Free(offsets);
        offsets = NULL;
    }
    result = PyTuple_Pack(2, parts, words);
done:
    PyMem_Free(offsets);
    Py_XDECREF(seq);
    Py_XDECREF(parts);
    Py_XDECREF(words);
    if (result == Py_NotImplemented)
        Py_INCREF(result);
    return result;
}

/* Bit ch of a bitmap of the Basic Multilingual Plane (8,192 bytes); 0 beyond it. */
static inline int
in_bitmap(const unsigned char *bits, Py_UCS4 ch)
{
    return ch < 0x10000 && (bits[ch >> 3] >> (ch & 7)) & 1;
}

/* tokenizer.cannot_start_token: would a boundary between before and ch cut a cluster? */
static inline int
cuts_cluster(Py_UCS4 before, Py_UCS4 ch, const unsigned char *marks, const unsigned char *leaders)
{
    if (Py_UNICODE_ISSPACE(before))
        return 0;
    if (in_bitmap(marks, ch))
        return 1;
    return in_bitmap(leaders, before) && ch >= 0x0E01 && ch <= 0x0E2E;
}

/* tokenizer.tokenize's last step: the (start, end) of words laid end to end, their total
 * length, and whether a boundary between two of them cuts a character cluster (marks and
 * leaders: bitmaps of the BMP, tokenizer._MARKS and _THAI_LEADERS). NotImplemented for an
 * empty word, which the Python code takes. */
static PyObject *
crfc_place_words(PyObject *self, PyObject *args)
{
    PyObject *words, *out = NULL;
    Py_buffer marks, leaders;
    Py_ssize_t n, i, pos = 0;
    Py_UCS4 last = 0;
    int cuts = 0;

    if (!PyArg_ParseTuple(args, "O!y*y*", &PyList_Type, &words, &marks, &leaders))
        return NULL;
    if (marks.len != 8192 || leaders.len != 8192) {
        PyErr_SetString(PyExc_ValueError, "marks and leaders must be bitmaps of 8,192 bytes");
        goto fail;
    }
    n = PyList_GET_SIZE(words);
    out = PyList_New(n);
    if (!out)
        goto fail;
    for (i = 0; i < n; i++) {
        PyObject *w = PyList_GET_ITEM(words, i), *pair;
        Py_ssize_t len;
        if (!PyUnicode_Check(w)) {
            PyErr_SetString(PyExc_TypeError, "words must be strings");
            goto fail;
        }
        len = PyUnicode_GET_LENGTH(w);
        if (!len) {
            Py_DECREF(out);
            PyBuffer_Release(&marks);
            PyBuffer_Release(&leaders);
            Py_RETURN_NOTIMPLEMENTED;
        }
        if (i && !cuts)
            cuts = cuts_cluster(last, PyUnicode_READ_CHAR(w, 0), marks.buf, leaders.buf);
        last = PyUnicode_READ_CHAR(w, len - 1);
        pair = Py_BuildValue("(nn)", pos, pos + len);
        if (!pair)
            goto fail;
        PyList_SET_ITEM(out, i, pair);
        pos += len;
    }
    PyBuffer_Release(&marks);
    PyBuffer_Release(&leaders);
    return Py_BuildValue("(NnO)", out, pos, cuts ? Py_True : Py_False);
fail:
    Py_XDECREF(out);
    PyBuffer_Release(&marks);
    PyBuffer_Release(&leaders);
    return NULL;
}

/* "".join(words) == s, without making the joined string. */
static PyObject *
crfc_joins_to(PyObject *self, PyObject *args)
{
    PyObject *words, *s;
    Py_ssize_t n, i, pos = 0, size;

    if (!PyArg_ParseTuple(args, "O!U", &PyList_Type, &words, &s))
        return NULL;
    size = PyUnicode_GET_LENGTH(s);
    n = PyList_GET_SIZE(words);
    for (i = 0; i < n; i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        Py_ssize_t len, match;
        if (!PyUnicode_Check(w)) {
            PyErr_SetString(PyExc_TypeError, "words must be strings");
            return NULL;
        }
        len = PyUnicode_GET_LENGTH(w);
        if (pos + len > size)
            Py_RETURN_FALSE;
        match = PyUnicode_Tailmatch(s, w, pos, pos + len, -1);
        if (match < 0)
            return NULL;
        if (!match)
            Py_RETURN_FALSE;
        pos += len;
    }
    return PyBool_FromLong(pos == size);
}

static PyMethodDef crfc_methods[] = {
    {"viterbi", crfc_viterbi, METH_VARARGS,
     "viterbi(states, lengths, transition, n_labels, out): best label id of each position into out"},
    {"marginals", crfc_marginals, METH_VARARGS,
     "marginals(states, lengths, transition, n_labels, out): P(label | sequence) of each position into out"},
    {"state_scores", crfc_state_scores, METH_VARARGS,
     "state_scores(rows, idx, lengths, bias, bos, eos, w, pairs, n_labels, window, out): a trained model's"
     " state scores of sequences laid end to end into out (see annotator/nlp/trained.py)"},
    {"word_rows", crfc_word_rows, METH_VARARGS,
     "word_rows(lists, role_ids, by_key, rows, n_used, state, n_labels, slots, slot): a word's summed rows in"
     " each role into slots[slot], new rows from n_used (see RowCache.word_rows); the new n_used"},
    {"sequenced_words", crfc_sequenced_words, METH_VARARGS,
     "sequenced_words(items, max_len): the (item, lo, hi) of every CRF sequence and their words (see"
     " annotator/nlp/crf.py); NotImplemented for tokens it does not take"},
    {"place_words", crfc_place_words, METH_VARARGS,
     "place_words(words, marks, leaders): ([(start, end)], total length, whether a boundary cuts a cluster)"
     " (see annotator/nlp/tokenizer.py); NotImplemented for an empty word"},
    {"joins_to", crfc_joins_to, METH_VARARGS, "joins_to(words, s): \"\".join(words) == s, without joining"},
    {"longest_matches", crfc_longest_matches, METH_VARARGS,
     "longest_matches(text, tokens, prefixes, entries): [(start, end)] of the longest token runs in entries"
     " (see annotator/nlp/matching.py); NotImplemented for a negative offset"},
    {"refine_tokens", crfc_refine_tokens, METH_VARARGS,
     "refine_tokens(text, tokens, punct, cuts): split_punctuation then the learned cuts (see"
     " annotator/nlp/refine.py); NotImplemented for tokens it does not take"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef crfc_module = {
    PyModuleDef_HEAD_INIT, "_crfc", "Compiled Viterbi and marginals for annotator.nlp.fastcrf.", -1,
    crfc_methods,
};

PyMODINIT_FUNC
PyInit__crfc(void)
{
    return PyModule_Create(&crfc_module);
}
