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

static PyObject *
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

static PyObject *
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
static PyObject *
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

static PyMethodDef crfc_methods[] = {
    {"viterbi", crfc_viterbi, METH_VARARGS,
     "viterbi(states, lengths, transition, n_labels, out): best label id of each position into out"},
    {"marginals", crfc_marginals, METH_VARARGS,
     "marginals(states, lengths, transition, n_labels, out): P(label | sequence) of each position into out"},
    {"state_scores", crfc_state_scores, METH_VARARGS,
     "state_scores(rows, idx, lengths, bias, bos, eos, w, pairs, n_labels, window, out): a trained model's"
     " state scores of sequences laid end to end into out (see annotator/nlp/trained.py)"},
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
