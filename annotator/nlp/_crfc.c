/* Viterbi and forward-backward marginals of a linear-chain CRF, over many sequences laid
 * end to end: the compiled twin of the numpy functions in annotator/nlp/fastcrf.py.
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

static PyObject *
crfc_viterbi(PyObject *self, PyObject *args)
{
    Py_buffer states, lengths, trans, out;
    Py_ssize_t L, N, longest, n_seq, s, t, i, j, start = 0;
    double *delta = NULL;
    Py_ssize_t *back = NULL;
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
        back = PyMem_Malloc(sizeof(Py_ssize_t) * longest * L);
        if (!delta || !back) {
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
            for (t = 1; t < n; t++) {
                const double *dp = delta + (t - 1) * L;
                double *dt = delta + t * L;
                Py_ssize_t *bt = back + t * L;
                for (j = 0; j < L; j++) {
                    double m = dp[0] + tr[j];
                    Py_ssize_t arg = 0;
                    for (i = 1; i < L; i++) {
                        double v = dp[i] + tr[i * L + j];
                        if (v > m) {
                            m = v;
                            arg = i;
                        }
                    }
                    dt[j] = m + xs[t * L + j];
                    bt[j] = arg;
                }
            }
            {
                const double *dl = delta + (n - 1) * L;
                Py_ssize_t cur = 0;
                for (j = 1; j < L; j++)
                    if (dl[j] > dl[cur])
                        cur = j;
                best[start + n - 1] = cur;
                for (t = n - 1; t > 0; t--) {
                    cur = back[t * L + cur];
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
    PyMem_Free(back);
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
    double *xe = NULL, *beta = NULL, *et = NULL, *tmp = NULL;
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
    tmp = PyMem_Malloc(sizeof(double) * L);
    if (longest) {
        xe = PyMem_Malloc(sizeof(double) * longest * L);
        beta = PyMem_Malloc(sizeof(double) * longest * L);
    }
    if (!et || !tmp || (longest && (!xe || !beta))) {
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
        for (s = 0; s < n_seq; s++) {
            Py_ssize_t n = len[s];
            const double *xs = x + start * L;
            double *alpha = alpha_all + start * L;
            double sum;
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
                for (j = 0; j < L; j++)
                    at[j] = 0.0;
                for (i = 0; i < L; i++) {
                    const double a = ap[i];
                    const double *row = et + i * L;
                    for (j = 0; j < L; j++)
                        at[j] += a * row[j];
                }
                sum = 0.0;
                for (j = 0; j < L; j++) {
                    at[j] *= xt[j];
                    sum += at[j];
                }
                for (j = 0; j < L; j++)
                    at[j] /= sum;
            }
            for (j = 0; j < L; j++)
                beta[(n - 1) * L + j] = 1.0;
            for (t = n - 2; t >= 0; t--) {
                const double *bn = beta + (t + 1) * L;
                const double *xn = xe + (t + 1) * L;
                double *bt = beta + t * L;
                for (j = 0; j < L; j++)
                    tmp[j] = xn[j] * bn[j];
                sum = 0.0;
                for (i = 0; i < L; i++) {
                    const double *row = et + i * L;
                    double v = 0.0;
                    for (j = 0; j < L; j++)
                        v += tmp[j] * row[j];
                    bt[i] = v;
                    sum += v;
                }
                for (i = 0; i < L; i++)
                    bt[i] /= sum;
            }
            for (t = 0; t < n; t++) {
                double *at = alpha + t * L;
                const double *bt = beta + t * L;
                sum = 0.0;
                for (j = 0; j < L; j++) {
                    at[j] *= bt[j];
                    sum += at[j];
                }
                for (j = 0; j < L; j++)
                    at[j] /= sum;
            }
            start += n;
        }
        Py_END_ALLOW_THREADS
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(et);
    PyMem_Free(tmp);
    PyMem_Free(xe);
    PyMem_Free(beta);
    PyBuffer_Release(&states);
    PyBuffer_Release(&lengths);
    PyBuffer_Release(&trans);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef crfc_methods[] = {
    {"viterbi", crfc_viterbi, METH_VARARGS,
     "viterbi(states, lengths, transition, n_labels, out): best label id of each position into out"},
    {"marginals", crfc_marginals, METH_VARARGS,
     "marginals(states, lengths, transition, n_labels, out): P(label | sequence) of each position into out"},
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
